"""Retention in the chosen folder deletes only Partida's own backups: files a verified backup
records whose size and SHA-256 still match. Anything else in the folder is left alone, and the
newest verified backup is never deleted."""

import datetime
import os
from pathlib import Path

from django.utils import timezone

from partida.autobackups import desktop
from partida.autobackups.models import StoredBackup
from tests.backups.conftest import make_company

State = StoredBackup.State


def backups_on_days(company, schedule, days_ago: list[int]) -> list[StoredBackup]:
    """Backups made that many days ago, oldest first, each written and verified for real."""
    made = []
    for days in sorted(days_ago, reverse=True):
        moment = timezone.now() - datetime.timedelta(days=days)
        backup = desktop.run_backup(company, schedule, now=moment)
        assert backup.verified, backup.error
        made.append(backup)
    return made


def test_backups_beyond_the_rules_are_deleted_and_foreign_or_changed_files_survive(
    schedule, folder
):
    company = make_company()
    made = backups_on_days(company, schedule, [0, 1, 2, 3, 4])
    # A file of someone else's, named as a backup of this company would be.
    foreign = folder / desktop.backup_file_name(
        company.name, timezone.now() - datetime.timedelta(days=3), 2
    )
    foreign.write_bytes(b"my own notes, not a backup")
    # One of Partida's own, changed since (same size, one byte different).
    changed = made[0]
    path = Path(changed.storage_key)
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))

    schedule.keep_daily, schedule.keep_weekly, schedule.keep_monthly = 2, 0, 0
    deleted = desktop.apply_folder_retention(company.pk, schedule)

    newest, second, third, fourth, oldest = reversed(made)
    assert {backup.pk for backup in deleted} == {third.pk, fourth.pk}
    for gone in (third, fourth):
        assert not os.path.exists(gone.storage_key)
        assert not StoredBackup.objects.filter(pk=gone.pk).exists()
    for kept in (newest, second):
        assert os.path.isfile(kept.storage_key)
        assert StoredBackup.objects.get(pk=kept.pk).verified
    assert foreign.read_bytes() == b"my own notes, not a backup"
    assert Path(oldest.storage_key).read_bytes() == bytes(data)  # left alone
    oldest.refresh_from_db()
    assert oldest.state == State.FAILED
    assert oldest.error == (
        "The file was changed after Partida wrote it, so Partida left it alone and no longer "
        "counts it as a backup."
    )


def test_the_newest_verified_backup_is_never_deleted(schedule, folder):
    company = make_company()
    made = backups_on_days(company, schedule, [0, 1, 2])
    schedule.keep_daily = schedule.keep_weekly = schedule.keep_monthly = 0
    desktop.apply_folder_retention(company.pk, schedule)
    assert [b.pk for b in StoredBackup.objects.filter(state=State.VERIFIED)] == [made[-1].pk]
    assert os.listdir(folder) == [os.path.basename(made[-1].storage_key)]


def test_each_new_backup_applies_the_rules(schedule, folder):
    company = make_company()
    schedule.keep_daily, schedule.keep_weekly, schedule.keep_monthly = 1, 0, 0
    for _ in range(3):
        assert desktop.run_backup(company, schedule).verified
    (left,) = os.listdir(folder)
    assert [b.storage_key for b in StoredBackup.objects.all()] == [str(folder / left)]


def test_a_file_removed_from_the_folder_is_no_longer_counted(schedule, folder):
    company = make_company()
    older, newer = backups_on_days(company, schedule, [1, 0])
    os.unlink(newer.storage_key)
    desktop.apply_folder_retention(company.pk, schedule)
    newer.refresh_from_db()
    assert newer.state == State.FAILED
    assert newer.error == "The file is no longer in its folder."
    assert StoredBackup.objects.get(pk=older.pk).verified


def test_a_backup_on_a_folder_that_is_not_reachable_is_left_as_it_is(schedule, folder, tmp_path):
    company = make_company()
    (backup,) = backups_on_days(company, schedule, [0])
    unplugged = tmp_path / "unplugged drive" / os.path.basename(backup.storage_key)
    StoredBackup.objects.filter(pk=backup.pk).update(storage_key=str(unplugged))
    desktop.apply_folder_retention(company.pk, schedule)
    assert StoredBackup.objects.get(pk=backup.pk).verified


def test_the_stores_retention_leaves_the_folders_backups_alone(schedule, folder, settings):
    """``partida backups run-due`` on the desktop keeps backups in the data folder's store,
    with the store's rules; they never reach the files in the chosen folder."""
    from partida.autobackups.retention import apply_retention

    settings.PARTIDA_BACKUP_KEEP_DAILY = settings.PARTIDA_BACKUP_KEEP_WEEKLY = 1
    settings.PARTIDA_BACKUP_KEEP_MONTHLY = 1
    company = make_company()
    made = backups_on_days(company, schedule, [0, 10, 40, 80])
    assert apply_retention(company.pk) == []
    for backup in made:
        assert os.path.isfile(backup.storage_key)
        assert StoredBackup.objects.get(pk=backup.pk).verified
