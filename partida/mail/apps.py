from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "partida.mail"
    label = "mail"
