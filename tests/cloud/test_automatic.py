"""Automatic backups in one process: the schedule, verification in the store, failures, import."""

import datetime
import hashlib
import os
import uuid

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from partida.attachments.models import Attachment
from partida.attachments.store import blob_path
from partida.autobackups.cli import prune_finished_jobs, run_worker
from partida.autobackups.models import StoredBackup
from partida.autobackups.retention import stored_backups
from partida.autobackups.runner import open_stored_backup, run_stored_backup
from partida.autobackups.schedule import do_request_backup, run_due_backups
from partida.backups.importer import do_import_company
from partida.books.actions import do_create_company, do_delete_company
from partida.cli import company_summary, main
from tests.backups.conftest import make_company

HOUR = datetime.timedelta(hours=1)


def books_of(company) -> dict:
    """What a person compares: the Summary and the number of rows of every kind."""
    summary = company_summary(company)
    summary.pop("company")
    return summary


def test_the_schedule_backs_up_every_company_once_per_interval(store, settings):
    settings.PARTIDA_BACKUP_EVERY_HOURS = 24
    alpha = do_create_company("Alfa S.L.", "EUR", "es")
    beta = do_create_company("Beta S.L.", "EUR", "es")
    now = timezone.now()

    queued = run_due_backups(now)
    assert sorted(b.company_name for b in queued) == ["Alfa S.L.", "Beta S.L."]
    assert DBTaskResult.objects.ready().count() == 2

    # Nothing more is queued while those wait, nor once they are done, within the interval.
    assert run_due_backups(now + HOUR) == []
    assert run_worker(batch=True) == 2
    assert run_due_backups(now + 23 * HOUR) == []
    assert DBTaskResult.objects.ready().count() == 0

    for company in (alpha, beta):
        (backup,) = stored_backups(company.pk)
        assert backup.verified and backup.parts == ["attachments", "emails", "history"]
        assert backup.size > 0 and backup.attempts == 1
        assert store.keys(f"backups/{company.pk}/") == [backup.storage_key]

    # A day later each is due again: one more backup each, the first ones kept.
    again = run_due_backups(now + 25 * HOUR)
    assert sorted(b.company_name for b in again) == ["Alfa S.L.", "Beta S.L."]
    run_worker(batch=True)
    assert [len(stored_backups(c.pk)) for c in (alpha, beta)] == [2, 2]
    assert len(store.keys("backups/")) == 4


def test_a_company_never_has_two_backups_in_progress(store):
    company = do_create_company("Gamma S.L.", "EUR", "es")
    first = do_request_backup(company)
    assert do_request_backup(company).pk == first.pk  # the one in progress
    assert run_due_backups() == []  # in progress: not due
    with pytest.raises(IntegrityError), transaction.atomic():
        StoredBackup.objects.create(company_id=company.pk, company_name=company.name)
    assert StoredBackup.objects.filter(company_id=company.pk).count() == 1

    done = run_stored_backup(first.pk)
    assert done.verified
    assert run_stored_backup(first.pk) is None  # nothing left to run: it is not run twice
    assert do_request_backup(company).pk != first.pk  # a new one, now that it is done


def test_the_backup_read_back_from_the_store_is_the_one_written_and_imports(
    store, tmp_path, english
):
    original = make_company()
    backup = run_stored_backup(do_request_backup(original).pk)
    assert backup.verified, backup.error

    download = tmp_path / "download.manager"
    with open_stored_backup(backup) as stream, open(download, "wb") as out:
        while chunk := stream.read(64 * 1024):
            out.write(chunk)
    data = download.read_bytes()
    assert data == store.read(backup.storage_key)
    assert len(data) == backup.size
    assert hashlib.sha256(data).hexdigest() == backup.sha256

    imported = do_import_company(download)
    assert imported.pk != original.pk
    assert books_of(imported) == books_of(original)
    assert Attachment.objects.filter(company=imported).count() == 3


def test_a_failed_backup_says_why_and_the_previous_one_stays(store, capsys, english, settings):
    settings.PARTIDA_BACKUP_EVERY_HOURS = 0.25
    settings.PARTIDA_BACKUP_RETRY_MINUTES = 60
    company = make_company("Delta S.L.")
    first = run_stored_backup(do_request_backup(company).pk)
    assert first.verified

    # A stored attachment is lost: the next backup cannot be complete.
    lost = Attachment.objects.filter(company=company).first().sha256
    default_storage.delete(blob_path(lost))
    failed = run_stored_backup(do_request_backup(company).pk)

    assert failed.state == StoredBackup.State.FAILED
    assert not failed.verified
    assert failed.error == f"A file the backup needs is missing from the store: {lost}."
    assert list(stored_backups(company.pk)) == [first]
    assert store.keys(f"backups/{company.pk}/") == [first.storage_key]

    # Staff see it, with its reason.
    assert main(["backups", "list", str(company.pk)]) == 0
    out = capsys.readouterr().out
    assert "failed" in out and f"missing from the store: {lost}." in out
    assert "verified" in out

    # The schedule tries again only after the retry delay, though the interval is shorter.
    assert run_due_backups(failed.created_at + datetime.timedelta(minutes=30)) == []
    assert len(run_due_backups(failed.created_at + datetime.timedelta(minutes=61))) == 1


def test_a_stored_backup_outlives_its_company(store):
    company = do_create_company("Épsilon S.L.", "EUR", "es")
    backup = run_stored_backup(do_request_backup(company).pk)
    key = company.pk
    do_delete_company(company)
    assert list(stored_backups(key)) == [backup]
    with open_stored_backup(backup) as stream:
        assert stream.read(4) == b"\x28\xb5\x2f\xfd"  # zstd: the start of a .manager file
    assert run_due_backups() == []  # and nothing is scheduled for a company that is gone


def test_run_due_backs_up_what_is_due_and_says_so(store, capsys, english):
    do_create_company("Zeta S.L.", "EUR", "es")
    assert main(["backups", "run-due"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Zeta S.L.: verified, ")
    assert main(["backups", "run-due"]) == 0
    assert capsys.readouterr().out == "No backup is due.\n"
    assert main(["backups", "list", "Zeta S.L."]) == 0
    assert "verified" in capsys.readouterr().out


def test_listing_an_unknown_company_says_so(store, capsys, english):
    assert main(["backups", "list", "Nadie S.L."]) == 1
    assert "No company is named “Nadie S.L.”" in capsys.readouterr().err
    assert main(["backups", "list", str(uuid.uuid4())]) == 0
    assert "no stored backups" in capsys.readouterr().out


def test_the_worker_forgets_jobs_a_week_after_they_ended(store):
    do_create_company("Eta S.L.", "EUR", "es")
    run_due_backups()
    run_worker(batch=True)
    now = timezone.now()
    assert prune_finished_jobs(now) == 0
    assert DBTaskResult.objects.successful().count() == 1
    assert prune_finished_jobs(now + datetime.timedelta(days=8)) == 1
    assert DBTaskResult.objects.count() == 0


def test_staff_see_a_failed_backup_and_its_reason_in_the_administration_screen(
    store, settings, client, english
):
    from types import ModuleType

    from django.contrib import admin
    from django.contrib.auth.models import User
    from django.urls import path

    urls = ModuleType("administration_only")  # the cloud edition's URLs include the admin
    urls.urlpatterns = [path("admin/", admin.site.urls)]
    settings.ROOT_URLCONF = urls
    company = do_create_company("Theta S.L.", "EUR", "es")
    backup = do_request_backup(company)
    do_delete_company(company)
    failed = run_stored_backup(backup.pk)
    assert failed.error == "The company was deleted before its backup could be made."

    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "x"))
    listing = client.get("/admin/autobackups/storedbackup/?state=failed")
    assert listing.status_code == 200
    assert "Theta S.L." in listing.text and failed.error in listing.text
    page = client.get(f"/admin/autobackups/storedbackup/{failed.pk}/change/")
    assert page.status_code == 200 and failed.error in page.text
    assert client.get("/admin/autobackups/storedbackup/add/").status_code == 403  # read only


def test_a_large_file_goes_up_in_parts_and_comes_back_as_a_stream(store, tmp_path):
    from partida.backups.storage import UPLOAD_PART_BYTES, backup_storage, open_object, upload_file

    path = tmp_path / "large.manager"
    with open(path, "wb") as f:
        for _ in range(UPLOAD_PART_BYTES // (1024 * 1024) + 1):
            f.write(os.urandom(1024 * 1024))
    reported = []
    upload_file(backup_storage(), "backups/large/test.manager", path, reported.append)

    head = store.client.head_object(Bucket=store.server.bucket, Key="backups/large/test.manager")
    assert head["ETag"].strip('"').endswith("-2")  # S3's mark of a two-part upload
    assert reported == [UPLOAD_PART_BYTES, path.stat().st_size]  # progress after each part

    digest = hashlib.sha256()
    with open_object(backup_storage(), "backups/large/test.manager") as stream:
        assert not stream.seekable()
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
