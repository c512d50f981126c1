"""The import preview's counts are written like every other number: by Babel, in the person's
language ("1.234" in Spanish, "1,234" in English), not by Django's intcomma."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partida.backups import views
from partida.backups.export import backup_to_file
from tests.backups.conftest import make_company


@pytest.fixture(autouse=True)
def no_files_left(db):
    """The uploads and backups these tests make are removed from the data folder after them."""
    yield
    from partida.backups.job_files import job_files
    from partida.backups.models import Job

    for job in Job.objects.all():
        job_files().delete(job)


@pytest.fixture
def preview_url(client, db, tmp_path, monkeypatch):
    path = tmp_path / "copia.manager"
    backup_to_file(make_company(), path, {"attachments", "emails", "history"})
    upload = SimpleUploadedFile("copia.manager", path.read_bytes())
    page = client.post(reverse("backups:import"), {"file": upload})
    assert page.status_code == 302, page.content.decode()[:500]
    real = views.describe

    def larger(manifest):
        described = real(manifest)
        for row in described["counts"]:
            row["count"] = 1234 if row["table"] == "receipts" else row["count"]
        described["attachment_count"] = 1234567
        return described

    monkeypatch.setattr(views, "describe", larger)
    return page.url


@pytest.mark.parametrize(
    "language, receipts, files", [("es", "1.234", "1.234.567"), ("en", "1,234", "1,234,567")]
)
def test_the_counts_are_written_in_the_persons_language(
    client, preview_url, language, receipts, files
):
    html = client.get(preview_url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert '<tr data-table="receipts"><td>' in html
    row = html.split('<tr data-table="receipts">')[1].split("</tr>")[0]
    assert f'<td class="num">{receipts}</td>' in row
    assert f'<td class="num">{files} (' in html
