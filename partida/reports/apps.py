from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "partida.reports"
    label = "reports"
