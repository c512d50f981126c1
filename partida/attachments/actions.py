"""Attaching files to transactions, deleting them, and following the books' changes."""

import mimetypes
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from partida.attachments.models import Attachment
from partida.attachments.store import (
    delete_unused_blobs,
    discard_new_blobs,
    store_blob_reporting,
)
from partida.books.kinds import RECORD_KINDS, TRANSACTION_KINDS
from partida.books.models import Company
from partida.books.signals import record_changed
from partida.books.snapshot import snapshot

FILENAME_MAX = 255


def attachments_for(company: Company, kind: str, record_id) -> list[Attachment]:
    """The files attached to one record of this company, oldest first."""
    return list(Attachment.objects.filter(company=company, target_kind=kind, target_id=record_id))


def clean_filename(name: str | None) -> str:
    """The file's own name, without any folder, safe to show and to send back."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if not name:
        name = "attachment"
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) < 20:
            name = stem[: FILENAME_MAX - len(ext) - 1] + "." + ext
        else:
            name = name[:FILENAME_MAX]
    return name


def check_attachment_kind(kind: str) -> None:
    if kind not in TRANSACTION_KINDS:
        raise ValidationError(
            _("Files can only be attached to transactions."), code="not_a_transaction"
        )


def check_attachment_size(uploaded_file: UploadedFile) -> None:
    limit = settings.PARTIDA_MAX_ATTACHMENT_BYTES
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError(
            _(
                "The file “%(name)s” is %(size)s, larger than the %(limit)s allowed. "
                "Attach a smaller file, or split or compress it first."
            ),
            code="too_large",
            params={
                "name": clean_filename(uploaded_file.name),
                "size": filesizeformat(uploaded_file.size),
                "limit": filesizeformat(limit),
            },
        )


def content_type_of(uploaded_file: UploadedFile, filename: str) -> str:
    content_type = getattr(uploaded_file, "content_type", None) or ""
    if not content_type or content_type == "application/octet-stream":
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return content_type[:127]


def _attach(
    company: Company, kind: str, record_id, uploaded_file: UploadedFile, new_blobs: list[str]
) -> Attachment:
    check_attachment_kind(kind)
    check_attachment_size(uploaded_file)
    filename = clean_filename(uploaded_file.name)
    sha256, size, created = store_blob_reporting(uploaded_file)
    if created:
        new_blobs.append(sha256)
    if size > settings.PARTIDA_MAX_ATTACHMENT_BYTES:  # the declared size was wrong
        uploaded_file.size = size
        check_attachment_size(uploaded_file)
    return Attachment.objects.create(
        company=company,
        target_kind=kind,
        target_id=uuid.UUID(str(record_id)),
        filename=filename,
        content_type=content_type_of(uploaded_file, filename),
        size=size,
        sha256=sha256,
    )


def attachment_snapshot(attachment: Attachment) -> dict:
    """How the history remembers one attached file."""
    return {
        "id": str(attachment.pk),
        "filename": attachment.filename,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "sha256": attachment.sha256,
    }


def record_attachments_changed(company: Company, kind: str, record_id, before: list) -> None:
    """Tell the history that a record's files changed: an update of the record whose only
    difference is its ``attachments``, so the History tab shows it under that record."""
    model = RECORD_KINDS[kind]
    record = model._default_manager.filter(company=company, pk=record_id).first()
    if record is None:  # not a record of this company: nothing to tell
        return
    data = snapshot(record)
    after = _snapshots(company, kind, record.pk)
    record_changed.send(
        sender=model,
        company=company,
        action="update",
        kind=kind,
        record_id=record.pk,
        before={**data, "attachments": before},
        after={**data, "attachments": after},
    )


def _snapshots(company: Company, kind: str, record_id) -> list[dict]:
    return [attachment_snapshot(a) for a in attachments_for(company, kind, record_id)]


def do_attach_files(
    company: Company, kind: str, record_id, files: Sequence[UploadedFile]
) -> list[Attachment]:
    """Attach several files to one transaction: all of them, or none.

    A file that is too large is refused with a ValidationError before anything is stored. If
    anything fails, the bytes this call stored for the first time are removed again.
    """
    check_attachment_kind(kind)
    for uploaded_file in files:
        check_attachment_size(uploaded_file)
    new_blobs: list[str] = []
    try:
        with transaction.atomic():
            before = _snapshots(company, kind, record_id)
            attached = [_attach(company, kind, record_id, f, new_blobs) for f in files]
            record_attachments_changed(company, kind, record_id, before)
            return attached
    except BaseException:
        # The savepoint above is rolled back, so this call's rows no longer count as users.
        discard_new_blobs(new_blobs)
        raise


def do_attach(company: Company, kind: str, record_id, uploaded_file: UploadedFile) -> Attachment:
    """Attach one file to a transaction of this company."""
    return do_attach_files(company, kind, record_id, [uploaded_file])[0]


@transaction.atomic
def do_delete_attachment(company: Company, attachment: Attachment) -> None:
    """Remove a file from its record, as the history records; its bytes go once nothing else
    uses them."""
    if attachment.company_id != company.pk:
        raise Attachment.DoesNotExist
    kind, record_id = attachment.target_kind, attachment.target_id
    before = _snapshots(company, kind, record_id)
    sha256 = attachment.sha256
    attachment.delete()
    record_attachments_changed(company, kind, record_id, before)
    delete_unused_blobs([sha256])


def do_delete_record_attachments(company: Company, kind: str, record_id) -> None:
    attachments = Attachment.objects.filter(company=company, target_kind=kind, target_id=record_id)
    sha256s = set(attachments.values_list("sha256", flat=True))
    if sha256s:
        attachments.delete()
        delete_unused_blobs(sha256s)


@receiver(record_changed, dispatch_uid="attachments.follow_deletions")
def follow_deletions(sender, company, action, kind, record_id, before=None, **kwargs):
    if record_id is None and before:  # a deleted instance has lost its pk: use the snapshot's
        record_id = before.get("id")
    if action == "delete" and kind in TRANSACTION_KINDS and record_id:
        do_delete_record_attachments(company, kind, record_id)


# A company's attachment and email rows go with the company by cascade, after which nothing says
# which blobs they used. So note them just before the rows go, and delete the unused ones once the
# deletion commits (this covers ``do_delete_company``, which sends ``company_deleted`` too late to
# know the blobs, and any other way a company is deleted).
@receiver(pre_delete, sender=Company, dispatch_uid="attachments.company_blobs")
def clean_after_company(sender, instance, **kwargs):
    from partida.mail.models import EmailAttachment

    sha256s = set(Attachment.objects.filter(company=instance).values_list("sha256", flat=True))
    sha256s |= set(
        EmailAttachment.objects.filter(company=instance).values_list("sha256", flat=True)
    )
    delete_unused_blobs(sha256s)
