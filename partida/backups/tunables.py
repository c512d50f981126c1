"""Numbers an installation may tune: ``django.conf.settings`` first, then the environment, then
the default. Shared by the backup jobs and the automatic backups."""

import datetime
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def number_setting(name: str, default: float) -> float:
    value: Any = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "").strip() or default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a number, not “{value}”.") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name} must not be negative ({value}).")
    return number


def lease_time() -> datetime.timedelta:
    """``PARTIDA_BACKUP_LEASE_SECONDS`` (600): a running job or backup whose worker has not been
    heard of for this long was interrupted, and is taken over."""
    return datetime.timedelta(seconds=number_setting("PARTIDA_BACKUP_LEASE_SECONDS", 600))
