"""The automatic backups' settings.

Settings (``django.conf.settings`` first, then the environment, then the default):

- ``PARTIDA_BACKUP_EVERY_HOURS`` (24): how often each company is backed up;
- ``PARTIDA_BACKUP_RETRY_MINUTES`` (60): how long after a failed backup the next one is tried;
- ``PARTIDA_BACKUP_LEASE_SECONDS`` (600): a running backup without a heartbeat for this long is
  taken over; ``PARTIDA_BACKUP_HEARTBEAT_SECONDS`` (15): how often the heartbeat is written;
- ``PARTIDA_BACKUP_KEEP_DAILY`` (7), ``_WEEKLY`` (4), ``_MONTHLY`` (12): retention;
  ``PARTIDA_BACKUP_KEEP_FAILED_DAYS`` (30): how long failed backups stay listed for staff;
- ``PARTIDA_TEST_ONLY_BACKUP_PAUSE_SECONDS`` (0): for tests only, a pause between the upload and
  the read-back, so that a test can kill a worker in the middle of a backup.
"""

import datetime
import os
import socket

from partida.backups.export import parts_from
from partida.backups.tunables import lease_time, number_setting

__all__ = ["lease_time"]

ALL_PARTS = sorted(parts_from())
KEY_PREFIX = "backups"


def backup_interval() -> datetime.timedelta:
    return datetime.timedelta(hours=number_setting("PARTIDA_BACKUP_EVERY_HOURS", 24))


def retry_delay() -> datetime.timedelta:
    return datetime.timedelta(minutes=number_setting("PARTIDA_BACKUP_RETRY_MINUTES", 60))


def heartbeat_every() -> float:
    return number_setting("PARTIDA_BACKUP_HEARTBEAT_SECONDS", 15)


def retention() -> dict[str, int]:
    return {
        "daily": int(number_setting("PARTIDA_BACKUP_KEEP_DAILY", 7)),
        "weekly": int(number_setting("PARTIDA_BACKUP_KEEP_WEEKLY", 4)),
        "monthly": int(number_setting("PARTIDA_BACKUP_KEEP_MONTHLY", 12)),
    }


def keep_failed() -> datetime.timedelta:
    return datetime.timedelta(days=number_setting("PARTIDA_BACKUP_KEEP_FAILED_DAYS", 30))


def test_only_pause() -> float:
    return number_setting("PARTIDA_TEST_ONLY_BACKUP_PAUSE_SECONDS", 0)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def automatic_backup_passphrase(company_id) -> str | None:
    """The passphrase a company's automatic backups are encrypted with, or None: the
    ``PARTIDA_AUTOMATIC_BACKUP_PASSPHRASE`` hook (the cloud edition's customers choose one)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    hook = getattr(settings, "PARTIDA_AUTOMATIC_BACKUP_PASSPHRASE", None)
    return import_string(hook)(company_id) if hook else None
