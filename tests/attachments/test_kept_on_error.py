"""A file chosen in a form survives the form coming back with an error: it is held, shown as
"ticket.pdf (se adjuntará al guardar)" with a way to drop it, and attached when the form is
saved. A form never saved leaves nothing behind once housekeeping has run."""

import datetime
import os
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from partida.attachments.actions import attachments_for
from partida.attachments.held import HOLD_FOR, hold
from partida.attachments.models import Attachment
from partida.attachments.store import open_blob
from partida.backups.jobs import do_housekeeping
from partida.books import models as m
from tests.attachments.test_attachments import PDF
from tests.books.test_screens import account, bank, lines_data


def receipt_form(company, amount, **extra):
    return {
        "date": "2026-03-10",
        "reference": "R-1",
        "bank_account": str(bank(company).pk),
        "description": "Fontanero",
        **lines_data([{"account": str(account(company, "700").pk), "amount": amount}]),
        **extra,
    }


def add_url(company):
    return reverse("books:record_add", kwargs={"company_id": company.pk, "kind": "receipt"})


def tokens(html: str) -> list[str]:
    return re.findall(r'name="held_attachment" value="([^"]+)"', html)


def held_files(root: Path) -> list[str]:
    folder = root / "held"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_file_survives_a_refused_amount_and_is_attached_when_saved(
    client, company, blob_storage, django_capture_on_commit_callbacks
):
    ticket = SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf")
    back = client.post(
        add_url(company),
        receipt_form(company, "abc", attachments=[ticket]),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert back.status_code == 400 and not m.Receipt.objects.exists()
    html = back.content.decode()
    assert "ticket.pdf (se adjuntará al guardar)" in html
    assert "No adjuntar ticket.pdf" in html
    [token] = tokens(html)
    assert len(held_files(blob_storage)) == 1

    with django_capture_on_commit_callbacks(execute=True):  # as when the save commits
        saved = client.post(add_url(company), receipt_form(company, "12,50", held_attachment=token))
    assert saved.status_code == 302
    receipt = m.Receipt.objects.get()
    [attached] = attachments_for(company, "receipt", receipt.pk)
    assert (attached.filename, attached.content_type) == ("ticket.pdf", "application/pdf")
    assert open_blob(attached.sha256).read() == PDF
    assert held_files(blob_storage) == [], "the held copy goes once it is attached"


def test_a_form_refused_twice_keeps_earlier_and_new_files_and_drops_the_unwanted(client, company):
    first = client.post(
        add_url(company),
        receipt_form(company, "abc", attachments=[SimpleUploadedFile("uno.pdf", b"1")]),
    )
    [uno] = tokens(first.content.decode())
    second = client.post(
        add_url(company),
        receipt_form(
            company, "xyz", held_attachment=uno, attachments=[SimpleUploadedFile("dos.pdf", b"2")]
        ),
    )
    both = tokens(second.content.decode())
    assert len(both) == 2 and both[0] == uno
    client.post(
        add_url(company), receipt_form(company, "5", held_attachment=both, drop_attachment=uno)
    )
    receipt = m.Receipt.objects.get()
    assert [a.filename for a in attachments_for(company, "receipt", receipt.pk)] == ["dos.pdf"]


def test_a_token_of_another_company_or_a_forged_one_attaches_nothing(
    client, company, other_company
):
    theirs = hold(other_company, SimpleUploadedFile("theirs.pdf", b"secret"))["token"]
    for token in (theirs, theirs[:-3] + "abc"):
        response = client.post(add_url(company), receipt_form(company, "5", held_attachment=token))
        assert response.status_code == 400
        assert "ya no se conserva: vuelve a elegirlo" in response.content.decode()
        assert not m.Receipt.objects.exists()
        assert not Attachment.objects.exists()


def test_a_form_never_saved_leaves_nothing_once_housekeeping_has_run(company, blob_storage):
    hold(company, SimpleUploadedFile("abandoned.pdf", PDF))
    hold(company, SimpleUploadedFile("recent.pdf", b"recent"))
    old, recent = sorted((blob_storage / "held").iterdir(), key=lambda p: p.stat().st_size)[::-1]
    long_ago = time.time() - (HOLD_FOR + datetime.timedelta(hours=2)).total_seconds()
    os.utime(old, (long_ago, long_ago))
    do_housekeeping()
    assert held_files(blob_storage) == [recent.name]
    assert default_storage.exists(f"held/{recent.name}")


@pytest.mark.browser
def test_chromium_a_receipt_with_a_scan_and_a_bad_amount_comes_back_then_saves_it(
    page, company, tmp_path
):
    scan = tmp_path / "ticket.pdf"
    scan.write_bytes(PDF)
    page.goto(add_url(company))
    page.get_by_label("Received in").select_option(value=str(bank(company).pk))
    page.locator("select[name$='-account']").first.select_option(
        value=str(account(company, "700").pk)
    )
    page.locator("input[name$='-amount']").first.fill("12,5.0")
    page.get_by_label("Attachments").set_input_files(str(scan))
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".held-files")).to_contain_text("ticket.pdf (will be attached on saving)")
    assert not m.Receipt.objects.exists()
    page.locator("input[name$='-amount']").first.fill("12.50")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message")).to_be_visible()

    receipt = m.Receipt.objects.get(company=company)
    assert sum(line.amount for line in receipt.lines.all()) == Decimal("12.50")
    page.goto(
        reverse(
            "books:record_edit",
            kwargs={"company_id": company.pk, "kind": "receipt", "pk": receipt.pk},
        )
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="ticket.pdf", exact=True).click()
    assert Path(download.value.path()).read_bytes() == PDF

    # Removing it asks first, naming the file; the History then shows both changes.
    page.get_by_role("link", name="Remove ticket.pdf").click()
    expect(page.locator(".record-name")).to_contain_text("Remove “ticket.pdf” (3.1 KB)?")
    assert Attachment.objects.filter(company=company).count() == 1
    page.get_by_role("button", name="Remove").click()
    expect(page.locator(".message")).to_contain_text("ticket.pdf")
    assert not Attachment.objects.filter(company=company).exists()
    page.goto(reverse("history:list", kwargs={"company_id": company.pk}))
    expect(page.locator("table.history")).to_contain_text("ticket.pdf (3.1 KB)")


def test_a_file_survives_an_unbalanced_journal_entry(client, company):
    url = reverse("books:record_add", kwargs={"company_id": company.pk, "kind": "journal_entry"})

    def entry(credit, **extra):
        return {
            "date": "2026-03-14",
            "description": "Aportación",
            **lines_data(
                [
                    {"account": str(account(company, "5720").pk), "debit": "500", "credit": ""},
                    {"account": str(account(company, "100").pk), "debit": "", "credit": credit},
                ]
            ),
            **extra,
        }

    scan = SimpleUploadedFile("escritura.pdf", PDF, content_type="application/pdf")
    back = client.post(url, entry("400", attachments=[scan]))
    assert back.status_code == 400 and not m.JournalEntry.objects.exists()
    [token] = tokens(back.content.decode())
    assert client.post(url, entry("500", held_attachment=token)).status_code == 302
    saved = m.JournalEntry.objects.get()
    assert [a.filename for a in attachments_for(company, "journal_entry", saved.pk)] == [
        "escritura.pdf"
    ]
