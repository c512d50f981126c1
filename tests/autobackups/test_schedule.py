"""The desktop's automatic backups run what is due into the chosen folder, written whole and
verified; one missed while the program was closed runs at the next start."""

import datetime
import os
import re
import socket
import time

import pytest
from django.utils import timezone

from partida.archive.reader import ArchiveReader
from partida.autobackups import desktop
from partida.autobackups.models import DesktopSchedule, StoredBackup
from partida.backups.storage import sha256_of
from partida.books.models import Company
from tests.backups.conftest import make_company

State = StoredBackup.State
NAME = re.compile(r"Ferretería Núñez, S\.L\. \(\d{4}-\d{2}-\d{2} \d{2}\.\d{2}\)( \d+)?\.manager")


def files_in(folder) -> list[str]:
    return sorted(os.listdir(folder))


def test_a_due_company_is_backed_up_into_the_folder_and_verified(schedule, folder):
    company = make_company()
    (backup,) = desktop.run_due_backups()

    assert backup.state == State.VERIFIED, backup.error
    (name,) = files_in(folder)  # nothing else: no partial or private file is left
    assert NAME.fullmatch(name), name
    path = folder / name
    assert backup.storage_key == str(path)
    assert backup.size == path.stat().st_size
    assert backup.sha256 == sha256_of(path)
    assert backup.parts == ["attachments", "emails", "history"]
    assert backup.company_id == company.pk
    with open(path, "rb") as f:
        reader = ArchiveReader(f)
        assert reader.manifest.company.name == company.name
        reader.verify()  # every checksum


def test_nothing_is_due_until_the_interval_has_passed(schedule, folder):
    make_company()
    assert len(desktop.run_due_backups()) == 1
    assert desktop.run_due_backups() == []
    tomorrow = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    (again,) = desktop.run_due_backups(now=tomorrow)
    assert again.verified
    assert len(files_in(folder)) == 2  # a second name, the first file untouched


def test_a_name_that_is_taken_is_never_replaced(schedule, folder):
    company = make_company()
    moment = timezone.now()
    taken = folder / desktop.backup_file_name(company.name, moment)
    taken.write_bytes(b"not Partida's")
    private = folder / ".partida-test.manager"
    private.write_bytes(b"Partida's")
    named = desktop.give_name(private, company.name, moment)
    assert named != taken and named.name.endswith(" 2.manager")
    assert taken.read_bytes() == b"not Partida's"
    assert named.read_bytes() == b"Partida's" and not private.exists()


def test_only_the_chosen_parts_are_included(schedule, folder):
    make_company()
    schedule.parts = ["emails"]
    schedule.save()
    (backup,) = desktop.run_due_backups()
    with open(backup.storage_key, "rb") as f:
        parts = ArchiveReader(f).manifest.parts
    assert (parts.attachments, parts.emails, parts.history) == (False, True, False)


def test_switched_off_or_when_closing_nothing_runs_on_the_clock(schedule, folder):
    make_company()
    schedule.enabled = False
    schedule.save()
    assert desktop.run_due_backups() == []
    schedule.enabled, schedule.every = True, DesktopSchedule.Every.CLOSING
    schedule.save()
    assert desktop.run_due_backups() == []
    assert files_in(folder) == []


def test_a_folder_that_disappeared_fails_with_its_reason_and_is_tried_again_later(schedule, folder):
    make_company()
    folder.rmdir()
    (backup,) = desktop.run_due_backups()
    assert backup.state == State.FAILED
    assert backup.error == f"There is no folder “{folder}”: create it first, or choose another one."
    assert desktop.run_due_backups() == []  # not again at once
    folder.mkdir()
    later = timezone.now() + datetime.timedelta(minutes=61)
    (retried,) = desktop.run_due_backups(now=later)
    assert retried.verified


def test_saving_the_settings_again_tries_a_failed_backup_at_once(schedule, folder):
    make_company()
    folder.rmdir()
    desktop.run_due_backups()
    folder.mkdir()
    schedule.saved_at = timezone.now()
    schedule.save()
    (retried,) = desktop.run_due_backups()
    assert retried.verified


def test_a_backup_interrupted_by_a_killed_server_is_marked_and_its_files_removed(schedule, folder):
    company = make_company()
    private = folder / ".partida-0d1e.manager"
    partial = folder / "..partida-0d1e.manager.abc123.partial"
    private.write_bytes(b"half")
    partial.write_bytes(b"half")
    stranger = folder / ".partida-notes.txt"  # not the backup's: left alone
    stranger.write_bytes(b"mine")
    backup = StoredBackup.objects.create(
        company_id=company.pk,
        company_name=company.name,
        state=State.RUNNING,
        storage_key=str(private),
        heartbeat_at=timezone.now(),
        worker=f"{socket.gethostname()}:{2**22 + 12345}",  # no such process
    )
    assert desktop.recover_interrupted() == [backup]
    backup.refresh_from_db()
    assert backup.state == State.FAILED and "interrupted" in backup.error
    assert files_in(folder) == [".partida-notes.txt"]
    # And the company is due again.
    (fresh,) = desktop.run_due_backups()
    assert fresh.verified


# The server's thread: what it does at start.


@pytest.fixture
def committed(transactional_db, folder):
    """The schedule and a company, committed, so the backup thread's connection sees them."""
    now = timezone.now()
    schedule = DesktopSchedule.objects.create(
        enabled=True, folder=str(folder), saved_at=now, enabled_at=now
    )
    company = Company.objects.get(pk=make_company().pk)
    return schedule, company


def wait_for(condition, seconds: float = 30):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("it did not happen in time")


def test_a_backup_missed_while_the_program_was_closed_runs_at_the_next_start(
    committed, folder, settings
):
    settings.PARTIDA_BACKUP_CHECK_SECONDS = 3600  # only the check at start can run it
    schedule, company = committed
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    old = folder / "Ferretería Núñez, S.L. (old).manager"
    old.write_bytes(b"an old backup")
    StoredBackup.objects.create(
        company_id=company.pk,
        company_name=company.name,
        created_at=three_days_ago,
        state=State.VERIFIED,
        storage_key=str(old),
        size=old.stat().st_size,
        sha256=sha256_of(old),
    )
    running = desktop.AutomaticBackups().start()
    try:
        wait_for(lambda: StoredBackup.objects.filter(state=State.VERIFIED).count() == 2)
    finally:
        running.close()
    newest = StoredBackup.objects.order_by("-created_at").first()
    assert newest.created_at > timezone.now() - datetime.timedelta(minutes=1)
    assert os.path.isfile(newest.storage_key)


def test_saving_the_settings_wakes_the_thread(committed, folder, settings):
    settings.PARTIDA_BACKUP_CHECK_SECONDS = 3600
    schedule, company = committed
    schedule.enabled = False
    schedule.save()
    running = desktop.AutomaticBackups().start()
    try:
        time.sleep(0.5)
        assert files_in(folder) == []
        schedule.enabled = True
        schedule.save()
        desktop.WAKE.set()  # what the settings screen does when it saves
        wait_for(lambda: StoredBackup.objects.filter(state=State.VERIFIED).exists())
    finally:
        running.close()


def test_backups_when_closing_run_as_the_server_stops_and_at_the_next_start_if_missed(
    committed, folder, settings, capsys
):
    settings.PARTIDA_BACKUP_CHECK_SECONDS = 3600
    schedule, company = committed
    schedule.every = DesktopSchedule.Every.CLOSING
    schedule.save()
    running = desktop.AutomaticBackups().start()
    wait_for(lambda: DesktopSchedule.objects.get().serving_since is not None)
    assert files_in(folder) == []
    running.close()
    (first,) = files_in(folder)
    assert DesktopSchedule.objects.get().serving_since is None
    out = capsys.readouterr()
    assert "Backing up “Ferretería Núñez, S.L.”" in out.err  # the progress line
    assert "Automatic backup of “Ferretería Núñez, S.L.”" in out.out

    # A server killed before it could: its mark stays, and the next start makes them.
    DesktopSchedule.objects.update(serving_since=timezone.now())
    running = desktop.AutomaticBackups().start()
    try:
        # A new backup (the first, of the same day, then goes by the retention rules).
        wait_for(lambda: any(name != first for name in files_in(folder)))
    finally:
        running.stopping.set()
        desktop.WAKE.set()
        running.thread.join()


def test_with_a_passphrase_the_backups_are_encrypted_and_open_with_it(schedule, folder, settings):
    from partida.archive.encryption import is_encrypted

    settings.PARTIDA_SCRYPT_WORK_FACTOR = 10  # age's own 18 is tested in tests/archive
    company = make_company()
    schedule.passphrase = "caballo grapa batería"
    schedule.save()
    (backup,) = desktop.run_due_backups()
    assert backup.verified, backup.error
    with open(backup.storage_key, "rb") as f:
        assert is_encrypted(f.read(64))
        f.seek(0)
        reader = ArchiveReader(f, passphrase="caballo grapa batería")
        assert reader.manifest.company.name == company.name
        reader.verify()
    assert backup.sha256 == sha256_of(backup.storage_key)
