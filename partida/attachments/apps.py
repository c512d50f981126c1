from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "partida.attachments"
    label = "attachments"
