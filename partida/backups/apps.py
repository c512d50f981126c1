from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "partida.backups"
    label = "backups"
