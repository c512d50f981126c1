"""The Backup dialog and Import company, through the web screens."""

import re

from django.urls import reverse
from django.utils import timezone

from partida.books import models as m
from partida.books.summary import summarize
from tests.backups.conftest import members


def download_backup(client, company, **choices):
    url = reverse("backups:backup", kwargs={"company_id": company.pk})
    page = client.get(url)
    form = {"file_name": page.context["form"].initial["file_name"]}
    form.update({p: "on" for p in ("attachments", "emails", "history") if choices.get(p, True)})
    job_page = client.post(url, form, follow=True)
    assert job_page.context["job"].state == "done", job_page.context["job"].error
    response = client.get(job_page.context["job_state"]["download_url"])
    body = b"".join(response.streaming_content)
    return response, body


def test_the_dialog_suggests_the_company_name_and_date_with_every_part_ticked(client, company):
    page = client.get(reverse("backups:backup", kwargs={"company_id": company.pk}))
    form = page.context["form"]
    assert re.fullmatch(
        r"Ferretería Núñez, S\.L\. \(\d{4}-\d{2}-\d{2}\)\.manager", form.initial["file_name"]
    )
    html = page.content.decode()
    for part in ("attachments", "emails", "history"):
        assert re.search(rf'<input[^>]*name="{part}"[^>]*checked', html), part


def test_the_summary_has_the_backup_button(client, company):
    page = client.get(reverse("books:summary", kwargs={"company_id": company.pk}))
    assert reverse("backups:backup", kwargs={"company_id": company.pk}) in page.content.decode()


def test_backup_downloads_under_the_chosen_name(client, company, tmp_path):
    response, body = download_backup(client, company)
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition and ".manager" in disposition
    path = tmp_path / "b.manager"
    path.write_bytes(body)
    assert "data/history.jsonl" in members(path)


def test_unticked_parts_are_left_out(client, company, tmp_path):
    _response, full = download_backup(client, company)
    _response, small = download_backup(client, company, attachments=False, history=False)
    path = tmp_path / "small.manager"
    path.write_bytes(small)
    names = members(path)
    assert "data/history.jsonl" not in names and "data/attachments.jsonl" not in names
    assert len(small) < len(full)


def test_import_shows_what_the_file_holds_then_makes_a_new_company(client, company, tmp_path):
    _response, body = download_backup(client, company)
    path = tmp_path / "b.manager"
    path.write_bytes(body)
    before = m.Company.objects.count()
    with open(path, "rb") as upload:
        preview = client.post(reverse("backups:import"), {"file": upload}, follow=True)
    assert m.Company.objects.count() == before, "nothing is written before the user confirms"
    html = preview.content.decode()
    assert "Ferretería Núñez, S.L." in html
    counts = {row["table"]: row["count"] for row in preview.context["preview"]["counts"]}
    assert counts["receipts"] == 1 and counts["history"] > 0
    # A name that tells the restored company from the original, and no warning for it.
    suggested = preview.context["form"]["new_name"].value()
    today = timezone.localdate().isoformat()
    assert suggested == f"Ferretería Núñez, S.L. (restaurada {today})"
    assert not preview.context["name_taken"] and 'id="name-taken"' not in html
    m.Company.objects.create(name=suggested)
    again = client.get(preview.request["PATH_INFO"])
    assert "Ya hay una empresa con este nombre" in again.content.decode()
    done = client.post(
        preview.request["PATH_INFO"], {"new_name": "Ferretería (restaurada)"}, follow=True
    )
    restored = m.Company.objects.get(name="Ferretería (restaurada)")
    assert done.context["job_state"]["company_url"].endswith(f"/c/{restored.pk}/")
    assert summarize(restored).as_json() == summarize(company).as_json()


def test_a_bad_file_is_refused_on_the_screen_and_nothing_is_kept(client, db, tmp_path):
    path = tmp_path / "bad.manager"
    path.write_bytes(b"\x28\xb5\x2f\xfd" + b"nonsense" * 50)
    with open(path, "rb") as upload:
        page = client.post(reverse("backups:import"), {"file": upload})
    assert page.status_code == 200
    assert page.context["form"].errors["file"]
    assert not m.Company.objects.exists()
    from partida.backups.models import Job

    assert not Job.objects.exists()


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, db, settings, tmp_path):
    settings.PARTIDA_MAX_IMPORT_BYTES = 10_000
    path = tmp_path / "big.manager"
    path.write_bytes(b"\x28\xb5\x2f\xfd" + bytes(200_000))
    with open(path, "rb") as upload:
        page = client.post(reverse("backups:import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    problem = page.context["problem"]
    assert "larger than" in problem and "9.8" in problem
    assert problem in page.content.decode()
    assert not m.Company.objects.exists()
    from partida.backups.job_files import work_folder

    assert list(work_folder("imports").iterdir()) == []


def test_a_downloaded_backup_leaves_no_copy_in_the_data_folder(client, company):
    from partida.backups.job_files import work_folder
    from partida.backups.models import Job

    _response, body = download_backup(client, company)  # read to the end, then closed
    assert body.startswith(b"\x28\xb5\x2f\xfd")
    job = Job.objects.get(kind=Job.Kind.BACKUP, company_id=company.pk)
    assert job.path == "" and list(work_folder("exports").iterdir()) == []
    again = client.get(reverse("backups:download", kwargs={"job_id": job.pk}))
    assert again.status_code == 404


def test_a_waiting_import_is_cancelled_at_once_and_its_upload_removed(client, company, tmp_path):
    from partida.backups.job_files import work_folder
    from partida.backups.models import Job

    _response, body = download_backup(client, company)
    path = tmp_path / "copy.manager"
    path.write_bytes(body)
    with open(path, "rb") as upload:
        preview = client.post(reverse("backups:import"), {"file": upload}, follow=True)
    job = preview.context["job"]
    assert list(work_folder("imports").iterdir())
    page = client.post(
        reverse("backups:cancel", kwargs={"job_id": job.pk}), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert Job.objects.get(pk=job.pk).state == Job.State.CANCELLED
    assert "The import was cancelled: nothing was changed." in page.content.decode()
    assert list(work_folder("imports").iterdir()) == []
    assert m.Company.objects.count() == 1
