"""Removing a file asks first, on a page that names the file (no script needed), and History
records every file added to a record and every file removed from it."""

import re

from django.urls import reverse

from partida.attachments.actions import do_attach, do_delete_attachment
from partida.attachments.models import Attachment
from partida.history.models import HistoryEntry
from tests.attachments.test_attachments import PDF, upload


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def record_page(client, company, receipt) -> str:
    url = reverse(
        "books:record_edit", kwargs={"company_id": company.pk, "kind": "receipt", "pk": receipt.pk}
    )
    return client.get(url).content.decode()


def test_remove_asks_on_a_page_naming_the_file_and_its_record_and_only_a_post_removes(
    client, company, receipt
):
    a = do_attach(company, "receipt", receipt.pk, upload("ticket.pdf"))
    page = record_page(client, company, receipt)
    confirm_url = reverse("attachments:delete", args=[company.pk, a.pk])
    # The record's page links to the question: no form that removes at one click.
    assert f'href="{confirm_url}?next=' in page
    assert f'action="{confirm_url}"' not in page

    confirm = client.get(confirm_url, {"next": "/back/here/"}, HTTP_ACCEPT_LANGUAGE="es")
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "¿Quitar «ticket.pdf» (3,1 KB)?" in text(html)
    assert "Adjunto a: Cobro" in text(html)
    assert re.search(r'<form method="post"', html) and 'value="/back/here/"' in html
    assert Attachment.objects.filter(pk=a.pk).exists(), "asking removes nothing"

    done = client.post(confirm_url, {"next": "/back/here/"})
    assert (done.status_code, done["Location"]) == (302, "/back/here/")
    assert not Attachment.objects.filter(pk=a.pk).exists()


def test_the_question_does_not_go_back_to_another_site(client, company, receipt):
    a = do_attach(company, "receipt", receipt.pk, upload())
    html = client.get(
        reverse("attachments:delete", args=[company.pk, a.pk]), {"next": "https://evil.example/"}
    ).content.decode()
    assert 'value="https://evil.example/"' not in html
    assert 'href="https://evil.example/"' not in html


def attachment_entries(company, receipt):
    return list(
        HistoryEntry.objects.filter(
            company=company, record_kind="receipt", record_id=receipt.pk
        ).order_by("at", "id")
    )[1:]  # after the receipt's creation


def names(files) -> list[str]:
    return [f["filename"] for f in files]


def test_history_records_files_added_and_removed(client, company, receipt):
    url = reverse("attachments:upload", args=[company.pk, "receipt", receipt.pk])
    client.post(url, {"files": [upload("uno.pdf"), upload("dos.pdf", b"2")]})
    added = attachment_entries(company, receipt)
    assert len(added) == 1 and added[0].action == "update"
    assert names(added[0].before["attachments"]) == []
    assert names(added[0].after["attachments"]) == ["uno.pdf", "dos.pdf"]
    assert added[0].after["description"] == receipt.description  # the record, unchanged

    uno = Attachment.objects.get(filename="uno.pdf")
    client.post(reverse("attachments:delete", args=[company.pk, uno.pk]))
    removed = attachment_entries(company, receipt)[1]
    assert names(removed.before["attachments"]) == ["uno.pdf", "dos.pdf"]
    assert names(removed.after["attachments"]) == ["dos.pdf"]
    assert removed.before["attachments"][0]["size"] == len(PDF)

    # The History tab shows both, under the receipt, in Spanish.
    history = client.get(
        reverse("history:list", kwargs={"company_id": company.pk}), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    shown = text(history)
    assert "Adjuntos" in shown
    assert "uno.pdf (3,1 KB)" in shown and "dos.pdf (1 byte)" in shown


def test_a_file_saved_with_a_new_receipt_is_in_its_history(company, receipt):
    do_attach(company, "receipt", receipt.pk, upload("ticket.pdf"))
    entry = attachment_entries(company, receipt)[0]
    assert names(entry.after["attachments"]) == ["ticket.pdf"]


def test_removing_through_the_action_is_recorded_too(company, receipt):
    a = do_attach(company, "receipt", receipt.pk, upload("ticket.pdf"))
    do_delete_attachment(company, a)
    last = attachment_entries(company, receipt)[-1]
    assert (names(last.before["attachments"]), last.after["attachments"]) == (["ticket.pdf"], [])
