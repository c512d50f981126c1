import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from partida.attachments.actions import attachments_for, do_attach, do_delete_attachment
from partida.attachments.models import Attachment
from partida.attachments.store import (
    blob_exists,
    blob_path,
    delete_orphan_blobs,
    open_blob,
    store_blob,
)
from partida.books import actions
from partida.books.signals import attachments_submitted
from tests.attachments.conftest import make_receipt

PDF = b"%PDF-1.4 receipt of the plumber\n" * 100


def upload(name="factura.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root):
    return (
        sorted(p.name for p in (root / "blobs").rglob("*") if p.is_file()) if root.exists() else []
    )


def test_store_blob_names_bytes_by_their_sha256_and_stores_them_once(blob_storage):
    big = bytes(range(256)) * 9000  # over 2 MiB, several 1 MiB chunks
    sha = hashlib.sha256(big).hexdigest()
    import io

    assert store_blob(io.BytesIO(big)) == (sha, len(big))
    assert store_blob(io.BytesIO(big)) == (sha, len(big))
    assert blob_path(sha) == f"blobs/{sha[:2]}/{sha}"
    assert stored_files(blob_storage) == [sha]
    with open_blob(sha) as handle:
        assert handle.read() == big


def test_the_same_file_attached_to_two_records_is_stored_once(company, receipt, blob_storage):
    second = make_receipt(company, "20.00")
    first = do_attach(company, "receipt", receipt.pk, upload())
    again = do_attach(company, "receipt", second.pk, upload("copia.pdf"))
    assert first.sha256 == again.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (first.filename, first.size, first.content_type) == (
        "factura.pdf",
        len(PDF),
        "application/pdf",
    )
    assert stored_files(blob_storage) == [first.sha256]
    assert [a.filename for a in attachments_for(company, "receipt", receipt.pk)] == ["factura.pdf"]


def test_a_file_over_the_limit_is_refused_with_a_sentence_and_nothing_is_stored(
    company, receipt, blob_storage, settings
):
    settings.PARTIDA_MAX_ATTACHMENT_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        do_attach(company, "receipt", receipt.pk, upload("huge.pdf"))
    assert "huge.pdf" in error.value.messages[0]
    assert "smaller file" in error.value.messages[0]
    assert not Attachment.objects.exists()
    assert stored_files(blob_storage) == []


def test_deleting_one_of_two_users_keeps_the_bytes_until_the_last_goes(
    company, receipt, blob_storage, django_capture_on_commit_callbacks
):
    second = make_receipt(company, "20.00")
    a = do_attach(company, "receipt", receipt.pk, upload())
    b = do_attach(company, "receipt", second.pk, upload())
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_attachment(company, a)
    assert blob_exists(b.sha256)
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_attachment(company, b)
    assert not blob_exists(b.sha256)


def test_a_rolled_back_deletion_never_loses_bytes(company, receipt, blob_storage):
    a = do_attach(company, "receipt", receipt.pk, upload())
    pk = a.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        do_delete_attachment(company, a)
        raise RuntimeError("the save failed")
    assert Attachment.objects.filter(pk=pk).exists()
    assert blob_exists(a.sha256)


def test_files_sent_with_a_saved_transaction_are_attached(company, receipt):
    with transaction.atomic():
        attachments_submitted.send(
            sender=None,
            company=company,
            kind="receipt",
            record_id=receipt.pk,
            files=[upload("a.pdf"), upload("b.png", b"\x89PNG fake", "image/png")],
        )
    assert [a.filename for a in attachments_for(company, "receipt", receipt.pk)] == [
        "a.pdf",
        "b.png",
    ]


def test_a_refused_file_undoes_the_whole_save_and_leaves_no_stored_bytes(
    company, blob_storage, settings
):
    """The transaction form's atomic block: the record, its rows and the new bytes all go."""
    from partida.books import models as m

    settings.PARTIDA_MAX_ATTACHMENT_BYTES = 1000
    with pytest.raises(ValidationError), transaction.atomic():
        record = make_receipt(company, "30.00")
        attachments_submitted.send(
            sender=None,
            company=company,
            kind="receipt",
            record_id=record.pk,
            files=[upload("small.txt", b"fine", "text/plain"), upload("big.pdf")],
        )
    assert not m.Receipt.objects.filter(description="Cobro", lines__amount="30.00").exists()
    assert not Attachment.objects.exists()
    assert stored_files(blob_storage) == []


def test_a_failure_after_storing_removes_only_the_new_bytes(company, receipt, blob_storage):
    kept = do_attach(company, "receipt", receipt.pk, upload("kept.pdf"))

    class Broken(SimpleUploadedFile):
        def chunks(self, chunk_size=None):
            yield b"first part"
            raise OSError("the upload was cut")

    with pytest.raises(OSError), transaction.atomic():
        attachments_submitted.send(
            sender=None,
            company=company,
            kind="receipt",
            record_id=receipt.pk,
            files=[
                upload("new.txt", b"brand new", "text/plain"),
                upload("again.pdf"),
                Broken("x", b""),
            ],
        )
    assert list(Attachment.objects.values_list("pk", flat=True)) == [kept.pk]
    assert stored_files(blob_storage) == [kept.sha256]


def test_orphans_older_than_the_grace_period_are_swept(company, receipt, blob_storage):
    import io
    from datetime import timedelta

    used = do_attach(company, "receipt", receipt.pk, upload())
    orphan, _size = store_blob(io.BytesIO(b"left by a failed save"))
    assert delete_orphan_blobs() == []  # still within the grace period
    assert delete_orphan_blobs(grace=timedelta(seconds=-1)) == [orphan]
    assert stored_files(blob_storage) == [used.sha256]


def test_deleting_a_transaction_deletes_its_attachments_and_unused_bytes(
    company, receipt, blob_storage, django_capture_on_commit_callbacks
):
    do_attach(company, "receipt", receipt.pk, upload())
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_delete_record(company, receipt)
    assert not Attachment.objects.exists()
    assert stored_files(blob_storage) == []


def test_deleting_a_company_deletes_bytes_no_other_company_uses(
    company, other_company, receipt, blob_storage, django_capture_on_commit_callbacks
):
    shared = do_attach(company, "receipt", receipt.pk, upload())
    own = do_attach(company, "receipt", receipt.pk, upload("own.txt", b"only here", "text/plain"))
    do_attach(other_company, "receipt", make_receipt(other_company).pk, upload())
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_delete_company(company)
    assert blob_exists(shared.sha256)
    assert not blob_exists(own.sha256)


def test_download_sends_the_bytes_under_the_original_non_ascii_name(client, company, receipt):
    a = do_attach(company, "receipt", receipt.pk, upload("Factura nº 7 — año.pdf"))
    response = client.get(reverse("attachments:download", args=[company.pk, a.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Factura%20n%C2%BA%207%20%E2%80%94%20a%C3%B1o.pdf" in disposition


def test_another_companys_attachment_is_not_found(client, company, other_company, receipt):
    a = do_attach(company, "receipt", receipt.pk, upload())
    assert (
        client.get(reverse("attachments:download", args=[other_company.pk, a.pk])).status_code
        == 404
    )
    response = client.post(reverse("attachments:delete", args=[other_company.pk, a.pk]))
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=a.pk).exists()


def test_delete_button_removes_the_file(client, company, receipt):
    a = do_attach(company, "receipt", receipt.pk, upload())
    # A GET only asks (see test_removing.py); the POST removes.
    assert client.get(reverse("attachments:delete", args=[company.pk, a.pk])).status_code == 200
    assert Attachment.objects.filter(pk=a.pk).exists()
    response = client.post(
        reverse("attachments:delete", args=[company.pk, a.pk]), {"next": "/somewhere/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    assert not Attachment.objects.filter(pk=a.pk).exists()


def test_upload_form_attaches_files_and_refuses_large_ones(client, company, receipt, settings):
    url = reverse("attachments:upload", args=[company.pk, "receipt", receipt.pk])
    client.post(url, {"files": [upload("uno.pdf"), upload("dos.txt", b"2", "text/plain")]})
    assert [a.filename for a in attachments_for(company, "receipt", receipt.pk)] == [
        "uno.pdf",
        "dos.txt",
    ]
    settings.PARTIDA_MAX_ATTACHMENT_BYTES = 10
    response = client.post(url, {"files": [upload("tres.pdf")]}, follow=True)
    assert "tres.pdf" in response.content.decode()
    assert len(attachments_for(company, "receipt", receipt.pk)) == 2


def test_panel_lists_files_with_download_links_sizes_and_remove_buttons(rf, company, receipt):
    from django.template.loader import render_to_string

    a = do_attach(company, "receipt", receipt.pk, upload())
    request = rf.get("/")
    html = render_to_string(
        "attachments/_panel.html",
        {"company": company, "kind": "receipt", "record": receipt},
        request=request,
    )
    assert reverse("attachments:download", args=[company.pk, a.pk]) in html
    assert reverse("attachments:delete", args=[company.pk, a.pk]) in html
    assert "factura.pdf" in html
    assert "3,1" in html or "3.1" in html  # 3200 bytes: 3.1 KB


def test_the_transaction_page_shows_its_attachments(client, company, receipt):
    a = do_attach(company, "receipt", receipt.pk, upload())
    page = client.get(reverse("books:record_edit", args=[company.pk, "receipt", receipt.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("attachments:download", args=[company.pk, a.pk]) in html
    assert reverse("attachments:delete", args=[company.pk, a.pk]) in html
