"""The cloud edition's start-up checks (``partida.startup``)."""

from django.conf import settings
from django.core import checks

from partida.backups.storage import backup_storage, object_store_problem
from partida.startup import START_UP


@checks.register(START_UP)
def check_object_store(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The bucket exists and these keys may write to it."""
    if settings.EDITION != "cloud":
        return []
    problem = object_store_problem(backup_storage())
    return [checks.Critical(problem, id="partida.cloud.E001")] if problem else []
