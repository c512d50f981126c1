"""Retention: the last 7 daily, 4 weekly and 12 monthly backups, and never the newest one."""

import datetime
import uuid
from dataclasses import dataclass, field

from partida.autobackups.models import StoredBackup
from partida.autobackups.retention import apply_retention, backups_to_keep, stored_backups
from partida.autobackups.runner import run_stored_backup
from partida.autobackups.schedule import do_request_backup
from partida.books.actions import do_create_company

UTC = datetime.UTC
TODAY = datetime.date(2026, 3, 18)  # a Wednesday


@dataclass
class Backup:
    created_at: datetime.datetime
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def at(day: datetime.date, hour: int = 3) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def every_day(first: datetime.date, last: datetime.date, hour: int = 3) -> list[Backup]:
    days = (last - first).days
    return [Backup(at(first + datetime.timedelta(days=n), hour)) for n in range(days + 1)]


def kept_days(backups, **rules) -> list[str]:
    return [b.created_at.date().isoformat() for b in backups_to_keep(backups, TODAY, **rules)]


def test_nothing_to_keep_of_nothing():
    assert backups_to_keep([], TODAY) == []


def test_a_year_and_more_of_daily_backups():
    backups = every_day(datetime.date(2024, 12, 1), TODAY)
    assert kept_days(backups) == [
        # the last 7 days
        "2026-03-18", "2026-03-17", "2026-03-16", "2026-03-15",
        "2026-03-14", "2026-03-13", "2026-03-12",
        # the last 4 ISO weeks: this one and the week of the 9th are kept already
        "2026-03-08", "2026-03-01",
        # the last 12 months: March is kept already
        "2026-02-28", "2026-01-31", "2025-12-31", "2025-11-30", "2025-10-31",
        "2025-09-30", "2025-08-31", "2025-07-31", "2025-06-30", "2025-05-31", "2025-04-30",
    ]  # fmt: skip


def test_the_newest_of_a_day_stands_for_the_day():
    morning, evening = Backup(at(TODAY, 3)), Backup(at(TODAY, 21))
    yesterday = Backup(at(TODAY - datetime.timedelta(days=1), 3))
    kept = backups_to_keep([morning, yesterday, evening], TODAY, daily=2, weekly=0, monthly=0)
    assert kept == [evening, yesterday]


def test_counts_are_of_days_with_a_backup_so_a_pause_does_not_empty_the_daily_ones():
    # Backups stopped in January: the last 7 days that have one are kept.
    backups = every_day(datetime.date(2026, 1, 1), datetime.date(2026, 1, 20))
    assert kept_days(backups, daily=7, weekly=0, monthly=0) == [
        "2026-01-20", "2026-01-19", "2026-01-18", "2026-01-17",
        "2026-01-16", "2026-01-15", "2026-01-14",
    ]  # fmt: skip


def test_the_newest_backup_is_always_kept():
    backups = every_day(datetime.date(2026, 3, 1), datetime.date(2026, 3, 10))
    assert kept_days(backups, daily=0, weekly=0, monthly=0) == ["2026-03-10"]


def test_a_backup_dated_after_today_is_kept():
    future = Backup(at(TODAY + datetime.timedelta(days=2)))
    backups = [*every_day(datetime.date(2026, 3, 1), TODAY), future]
    kept = backups_to_keep(backups, TODAY, daily=1, weekly=0, monthly=0)
    assert kept == [future, backups[-2]]


def test_weekly_and_monthly_rules_take_the_newest_of_their_period():
    backups = [Backup(at(datetime.date(2026, 2, d))) for d in (2, 3, 9, 10, 16)]
    assert kept_days(backups, daily=0, weekly=2, monthly=0) == ["2026-02-16", "2026-02-10"]
    assert kept_days(backups, daily=0, weekly=0, monthly=1) == ["2026-02-16"]


# In the store


def seed(company, store, days: list[datetime.date], state=StoredBackup.State.VERIFIED):
    """Stored backups of those days, with a small object each in the store."""
    rows = []
    for day in days:
        backup = StoredBackup.objects.create(
            company_id=company.pk,
            company_name=company.name,
            created_at=at(day),
            finished_at=at(day),
            state=state,
            size=5,
            parts=["attachments", "emails", "history"],
        )
        if state == StoredBackup.State.VERIFIED:
            backup.storage_key = f"backups/{company.pk}/{day:%Y%m%d}T030000Z-{backup.pk}-1.manager"
            backup.save(update_fields=["storage_key"])
            store.put(backup.storage_key, b"bytes")
        rows.append(backup)
    return rows


def test_retention_after_a_backup_deletes_rows_and_objects_the_rules_do_not_keep(store):
    company = do_create_company("Retenida S.L.", "EUR", "es")
    today = datetime.datetime.now(UTC).date()
    old = seed(company, store, [today - datetime.timedelta(days=n) for n in range(40, 0, -1)])

    new = run_stored_backup(do_request_backup(company).pk)  # retention runs after it
    assert new.verified

    expected = backups_to_keep([*old, new], today)
    kept = list(stored_backups(company.pk))
    assert [b.pk for b in kept] == [b.pk for b in expected]
    assert kept[0] == new
    assert 7 <= len(kept) < 41
    assert store.keys(f"backups/{company.pk}/") == sorted(b.storage_key for b in kept)


def test_failed_backups_never_cost_the_newest_verified_one(store, settings):
    settings.PARTIDA_BACKUP_KEEP_DAILY = 0
    settings.PARTIDA_BACKUP_KEEP_WEEKLY = 0
    settings.PARTIDA_BACKUP_KEEP_MONTHLY = 0
    company = do_create_company("Fallida S.L.", "EUR", "es")
    today = datetime.datetime.now(UTC).date()
    verified = seed(company, store, [today - datetime.timedelta(days=n) for n in (9, 8, 7)])
    failed = seed(
        company,
        store,
        [today - datetime.timedelta(days=n) for n in (6, 5, 4)],
        state=StoredBackup.State.FAILED,
    )

    deleted = apply_retention(company.pk, today)

    assert {b.pk for b in deleted} == {b.pk for b in verified[:2]}
    assert list(stored_backups(company.pk)) == [verified[-1]]
    assert store.keys(f"backups/{company.pk}/") == [verified[-1].storage_key]
    # Failed backups stay listed for staff for a while (30 days by default).
    assert StoredBackup.objects.filter(pk__in=[b.pk for b in failed]).count() == 3
