"""The "Automatic backups" settings, each company's "Backups" list with Download and Import, and
the Summary's notice, through Django's test client (desktop edition)."""

import datetime
import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from partida.autobackups import desktop, views
from partida.autobackups.models import DesktopSchedule, StoredBackup
from partida.backups.job_files import work_folder
from partida.books import models as m
from partida.books.summary import summarize
from tests.backups.conftest import make_company

State = StoredBackup.State
SETTINGS = "/automatic-backups/"


def settings_form(folder, **changes) -> dict:
    form = {
        "enabled": "on",
        "every": "daily",
        "folder": str(folder),
        "attachments": "on",
        "emails": "on",
        "history": "on",
        "keep_daily": "7",
        "keep_weekly": "4",
        "keep_monthly": "12",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def page_text(response) -> str:
    return response.content.decode()


# The settings screen


def test_the_companies_screen_leads_to_the_settings(english):
    assert SETTINGS in page_text(english.get("/"))
    page = english.get(SETTINGS)
    assert page.status_code == 200
    assert "Make automatic backups" in page_text(page)


def test_saving_the_settings_switches_the_backups_on(english, folder):
    page = english.post(SETTINGS, settings_form(folder, history=None, keep_daily="3"), follow=True)
    assert f"Automatic backups are on: every company is backed up to {folder}." in page_text(page)
    schedule = DesktopSchedule.objects.get()
    assert schedule.enabled and schedule.folder == str(folder)
    assert schedule.parts == ["attachments", "emails"]
    assert (schedule.keep_daily, schedule.keep_weekly, schedule.keep_monthly) == (3, 4, 12)
    assert schedule.enabled_at is not None and schedule.saved_at is not None
    # The form shows what was saved.
    form = english.get(SETTINGS).context["form"]
    assert form.initial["folder"] == str(folder) and form.initial["history"] is False


@pytest.mark.parametrize(
    ("folder", "sentence"),
    [
        ("", "Write the full path of the folder for the backups, such as "),
        ("Copias", "“Copias” is not a full path: write it from the start, such as "),
        ("{tmp}/no such folder", "There is no folder “{tmp}/no such folder”: create it first"),
        ("{tmp}/a file", "“{tmp}/a file” is a file, not a folder: choose a folder."),
        ("/sys", "Partida may not write in “/sys” (Permission denied): choose a folder you can"),
    ],
)
def test_a_bad_folder_is_one_sentence_and_changes_nothing(english, tmp_path, folder, sentence):
    (tmp_path / "a file").write_text("x")
    folder, sentence = (text.replace("{tmp}", str(tmp_path)) for text in (folder, sentence))
    page = english.post(SETTINGS, settings_form(folder))
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert list(errors) == ["folder"] and len(errors["folder"]) == 1
    assert errors["folder"][0].startswith(sentence), errors["folder"][0]
    assert not DesktopSchedule.objects.exists()


def test_switched_off_the_folder_may_be_empty(english):
    page = english.post(SETTINGS, settings_form("", enabled=None), follow=True)
    assert "Automatic backups are off." in page_text(page)
    assert DesktopSchedule.objects.get().enabled is False


def test_two_different_passphrases_are_refused(english, folder):
    page = english.post(
        SETTINGS,
        settings_form(folder, encrypt="on", passphrase="uno dos", passphrase_again="uno tres"),
    )
    assert page.context["form"].errors == {
        "passphrase_again": ["The two passphrases differ: type the same passphrase in both boxes."]
    }
    assert not DesktopSchedule.objects.exists()


def test_the_passphrase_is_kept_encrypted_at_rest_and_kept_when_left_empty(english, folder):
    from django.db import connection

    english.post(
        SETTINGS,
        settings_form(folder, encrypt="on", passphrase="caballo grapa", passphrase_again=None)
        | {"passphrase_again": "caballo grapa"},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT passphrase FROM autobackups_desktopschedule")
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:") and "caballo" not in stored
    assert DesktopSchedule.objects.get().passphrase == "caballo grapa"
    english.post(SETTINGS, settings_form(folder, encrypt="on", keep_daily="2"))
    schedule = DesktopSchedule.objects.get()
    assert schedule.passphrase == "caballo grapa" and schedule.keep_daily == 2
    english.post(SETTINGS, settings_form(folder))  # unticked: backups no longer encrypted
    assert DesktopSchedule.objects.get().passphrase == ""


def test_the_cloud_edition_has_no_such_screen(db, settings):
    settings.EDITION = "cloud"
    request = RequestFactory().get(SETTINGS)
    with pytest.raises(Http404):
        views.schedule_settings(request)


# A company's backups


def list_url(company) -> str:
    return reverse("autobackups:list", kwargs={"company_id": company.pk})


def test_the_list_shows_every_backup_with_its_state_and_a_failure_with_its_reason(
    english, schedule, folder
):
    company = make_company()
    verified = desktop.run_backup(company, schedule)
    schedule.folder = str(folder.parent / "unplugged drive")  # gone since
    failed = desktop.run_backup(company, schedule)
    page = english.get(list_url(company))
    assert page.status_code == 200
    html = page_text(page)
    assert os.path.basename(verified.storage_key) in html
    rows = page.context["rows"]
    assert [row["backup"].pk for row in rows] == [failed.pk, verified.pk]
    assert "There is no folder" in html and "Failed" in html
    assert (
        reverse("autobackups:download", kwargs={"company_id": company.pk, "backup_id": verified.pk})
        in html
    )
    assert (
        reverse("autobackups:download", kwargs={"company_id": company.pk, "backup_id": failed.pk})
        not in html
    )
    # The company's tabs lead here.
    summary = english.get(reverse("books:summary", kwargs={"company_id": company.pk}))
    assert list_url(company) in page_text(summary)


def test_download_streams_the_file(english, schedule):
    company = make_company()
    backup = desktop.run_backup(company, schedule)
    url = reverse("autobackups:download", kwargs={"company_id": company.pk, "backup_id": backup.pk})
    response = english.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == Path(backup.storage_key).read_bytes()
    assert quote(os.path.basename(backup.storage_key)) in response["Content-Disposition"]


def test_a_changed_or_vanished_file_is_not_downloaded(english, schedule):
    company = make_company()
    backup = desktop.run_backup(company, schedule)
    url = reverse("autobackups:download", kwargs={"company_id": company.pk, "backup_id": backup.pk})
    with open(backup.storage_key, "ab") as f:
        f.write(b"more")
    assert english.get(url).status_code == 404
    os.unlink(backup.storage_key)
    assert english.get(url).status_code == 404


def test_import_leads_to_the_usual_preview_and_makes_a_new_company(english, schedule):
    company = make_company()
    backup = desktop.run_backup(company, schedule)
    url = reverse("autobackups:import", kwargs={"company_id": company.pk, "backup_id": backup.pk})
    assert english.get(url).status_code == 405  # only a form's POST starts it
    response = english.post(url)
    assert response.status_code == 302
    preview = english.get(response.url)
    assert preview.status_code == 200
    assert preview.context["preview"]["company"].name == company.name
    done = english.post(response.url, {"new_name": "Ferretería restaurada"}, follow=True)
    assert done.status_code == 200
    restored = m.Company.objects.get(name="Ferretería restaurada")
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    restored_books, original_books = (summarize(c, start, today) for c in (restored, company))
    assert restored_books.net_profit == original_books.net_profit
    assert [(a.code, a.balance) for a in restored_books.balance_sheet_accounts] == [
        (a.code, a.balance) for a in original_books.balance_sheet_accounts
    ]
    assert os.path.isfile(backup.storage_key)  # the backup itself stays in its folder


def test_a_company_or_backup_that_is_not_there_is_not_found(english, schedule):
    company = make_company()
    other = m.Company.objects.create(name="Otra S.L.")
    backup = desktop.run_backup(company, schedule)
    nobody = uuid.uuid4()
    assert (
        english.get(reverse("autobackups:list", kwargs={"company_id": nobody})).status_code == 404
    )
    for name, method in (("autobackups:download", "get"), ("autobackups:import", "post")):
        for company_id, backup_id in (
            (nobody, backup.pk),
            (other.pk, backup.pk),
            (company.pk, nobody),
        ):
            url = reverse(name, kwargs={"company_id": company_id, "backup_id": backup_id})
            assert getattr(english, method)(url).status_code == 404, url


# The Summary's notice


def summary_of(english, company) -> str:
    return page_text(english.get(reverse("books:summary", kwargs={"company_id": company.pk})))


def test_the_summary_says_when_the_last_backup_is_too_old(english, schedule):
    company = make_company()
    backup = desktop.run_backup(company, schedule)
    assert "backup-notice" not in summary_of(english, company)
    StoredBackup.objects.filter(pk=backup.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=31)
    )
    html = summary_of(english, company)
    assert "older than its automatic backups allow." in html
    assert list_url(company) in html


def test_the_summary_says_when_the_last_backup_failed_and_why(english, schedule, folder):
    company = make_company()
    desktop.run_backup(company, schedule)
    schedule.folder = str(folder.parent / "unplugged drive")  # gone since
    desktop.run_backup(company, schedule)
    html = summary_of(english, company)
    assert "The last automatic backup of this company, on " in html
    assert "failed: There is no folder" in html


def test_the_summary_says_when_there_is_no_backup_yet_long_after_they_were_switched_on(
    english, schedule
):
    company = make_company()
    assert "backup-notice" not in summary_of(english, company)
    long_ago = timezone.now() - datetime.timedelta(days=2)
    DesktopSchedule.objects.update(enabled_at=long_ago)
    m.Company.objects.filter(pk=company.pk).update(created_at=long_ago)
    assert "This company has no backup yet" in summary_of(english, company)
    DesktopSchedule.objects.update(enabled=False)  # switched off: nothing is expected
    assert "backup-notice" not in summary_of(english, company)


def test_importing_an_encrypted_backup_asks_for_its_passphrase_first(english, schedule, settings):
    settings.PARTIDA_SCRYPT_WORK_FACTOR = 10
    company = make_company()
    schedule.passphrase = "caballo grapa"
    schedule.save()
    backup = desktop.run_backup(company, schedule)
    url = reverse("autobackups:import", kwargs={"company_id": company.pk, "backup_id": backup.pk})
    listed = english.get(reverse("autobackups:list", kwargs={"company_id": company.pk}))
    assert "Encrypted with a passphrase" in page_text(listed)
    preview_url = english.post(url).url
    asked = english.get(preview_url)
    assert "Passphrase" in page_text(asked) and "preview" not in asked.context
    english.post(preview_url, {"passphrase": "caballo grapa"})
    preview = english.get(preview_url)
    assert preview.context["preview"]["company"].name == company.name
    # Cancelled at the preview: the copy handed to the import goes, the backup stays.
    english.post(preview_url, {"cancel": "1"})
    assert list(work_folder("imports").iterdir()) == []
    assert os.path.isfile(backup.storage_key)
