from django.apps import AppConfig


class CloudConfig(AppConfig):
    name = "partida.cloud"
    label = "cloud"

    def ready(self) -> None:
        from partida.cloud import checks, receivers  # noqa: F401 (registers and connects them)
