from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "partida.history"
    label = "history"

    def ready(self) -> None:
        from partida.history import receivers  # noqa: F401  (connects the signal)
