"""Which verified backups of a company to keep: the newest of each of the last days, weeks and
months (``PARTIDA_BACKUP_KEEP_*``); the others are deleted, object first, then row."""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from partida.autobackups.config import keep_failed, retention
from partida.autobackups.models import StoredBackup, in_folder
from partida.backups.storage import backup_storage, delete_object

State = StoredBackup.State


def stored_backups(company_id) -> QuerySet[StoredBackup]:
    """The verified backups of a company (which may since have been deleted), newest first."""
    return StoredBackup.objects.filter(company_id=company_id, state=State.VERIFIED).order_by(
        "-created_at", "-id"
    )


def backups_of(company_id) -> Sequence[StoredBackup]:
    """Every stored backup of a company, whatever its state, newest first (for staff)."""
    return list(StoredBackup.objects.filter(company_id=company_id).order_by("-created_at", "-id"))


@dataclass(frozen=True)
class _Rule:
    count: int
    bucket: Callable[[datetime.date], Any]


def _day(created: datetime.datetime) -> datetime.date:
    if timezone.is_aware(created):
        created = created.astimezone(datetime.UTC)
    return created.date()


def backups_to_keep(
    backups: Iterable[Any],
    today: datetime.date,
    daily: int = 7,
    weekly: int = 4,
    monthly: int = 12,
) -> list[Any]:
    """Which of a company's verified backups to keep, newest first.

    Anything with ``created_at`` (and ``id``) will do. Kept: the newest backup of each of the
    last ``daily`` days that have one, of each of the last ``weekly`` ISO weeks, and of each of
    the last ``monthly`` months (days in UTC); always the newest backup of all; and any backup
    dated after ``today`` (a clock ahead is no reason to delete).
    """
    ordered = sorted(backups, key=lambda b: (b.created_at, str(b.id)), reverse=True)
    if not ordered:
        return []
    keep = {id(ordered[0])}
    rules = [
        _Rule(daily, lambda day: day),
        _Rule(weekly, lambda day: day.isocalendar()[:2]),
        _Rule(monthly, lambda day: (day.year, day.month)),
    ]
    for backup in ordered:
        if _day(backup.created_at) > today:
            keep.add(id(backup))
    for rule in rules:
        seen: set[Any] = set()
        for backup in ordered:
            day = _day(backup.created_at)
            if day > today:
                continue
            bucket = rule.bucket(day)
            if bucket in seen:
                continue
            if len(seen) >= rule.count:
                break
            seen.add(bucket)
            keep.add(id(backup))
    return [backup for backup in ordered if id(backup) in keep]


def apply_retention(company_id, today: datetime.date | None = None) -> list[StoredBackup]:
    """Delete the company's verified backups in the store that the rules do not keep (object
    first, then row), and failed ones older than ``PARTIDA_BACKUP_KEEP_FAILED_DAYS``. Returns
    those deleted. Backups in a folder the person chose have retention of their own
    (``desktop.apply_folder_retention``), which checks each file is still the one it wrote."""
    today = today or timezone.now().astimezone(datetime.UTC).date()
    verified = list(stored_backups(company_id).exclude(in_folder()))
    kept = {backup.pk for backup in backups_to_keep(verified, today, **retention())}
    doomed = [backup for backup in verified if backup.pk not in kept]
    cutoff = timezone.now() - keep_failed()
    doomed += list(
        StoredBackup.objects.filter(
            company_id=company_id, state=State.FAILED, created_at__lt=cutoff
        ).exclude(in_folder())
    )
    if not doomed:
        return []
    storage = backup_storage()
    for backup in doomed:
        delete_object(storage, backup.storage_key)
        StoredBackup.objects.filter(pk=backup.pk).delete()
    return doomed
