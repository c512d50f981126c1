from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstallationConfig(AppConfig):
    name = "partida.installation"
    label = "installation"
    verbose_name = _("installation")

    def ready(self) -> None:
        from partida.installation import checks  # noqa: F401 (registers them)
