from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutobackupsConfig(AppConfig):
    name = "partida.autobackups"
    label = "autobackups"
    verbose_name = _("automatic backups")
