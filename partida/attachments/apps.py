from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "partida.attachments"
    label = "attachments"

    def ready(self) -> None:
        from partida.attachments import actions, held  # noqa: F401  (connects the receivers)
