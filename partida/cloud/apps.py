from django.apps import AppConfig


class CloudConfig(AppConfig):
    name = "partida.cloud"
    label = "cloud"
