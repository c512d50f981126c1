"""Files chosen in a form that came back with an error, held until the form is saved.

A browser never fills a file input again, so a receipt whose amount was refused would lose its
scan. Instead the file is held in the storage (``held/<key>``, on disk or in the object store,
so any web process of the cloud finds it) and the form carries a signed token for it in a hidden
field: the company, the key, the file's name, type and size. The signature means a token cannot
be forged to attach another company's file. Saving the form attaches the held file and removes
it; a form left alone leaves its file behind, which housekeeping (``remove_stale_held_files``,
from ``do_housekeeping``) removes once it is older than a token can be.
"""

import contextlib
import uuid
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from partida.attachments.actions import clean_filename, content_type_of, do_attach_files
from partida.books.signals import attachments_submitted, hold_attachments

ROOT = "held"
SALT = "partida.attachments.held"
#: How long a form may wait with a held file; housekeeping removes held files an hour after.
HOLD_FOR = timedelta(hours=6)


def hold(company, uploaded: UploadedFile) -> dict:
    """Keep an uploaded file for the form's next submission; what the form shows of it."""
    key = uuid.uuid4().hex
    uploaded.seek(0)
    default_storage.save(f"{ROOT}/{key}", File(uploaded, name=key))
    filename = clean_filename(uploaded.name)
    info = {
        "company": str(company.pk),
        "key": key,
        "filename": filename,
        "content_type": content_type_of(uploaded, filename),
        "size": uploaded.size,
    }
    return {**info, "token": signing.dumps(info, salt=SALT, compress=True)}


def _read(token: str, max_age=HOLD_FOR) -> dict:
    return signing.loads(token, salt=SALT, max_age=max_age)


def still_held(company, token: str) -> dict | None:
    """The held file a token names, if it is this company's and still kept; else None."""
    try:
        info = _read(token)
    except signing.BadSignature:  # forged, or older than HOLD_FOR (SignatureExpired)
        return None
    if info.get("company") != str(company.pk):
        return None
    if not default_storage.exists(f"{ROOT}/{info['key']}"):
        return None
    return {**info, "token": token}


def no_longer_held(token: str) -> ValidationError:
    try:
        name = _read(token, max_age=None).get("filename", "")
    except signing.BadSignature:
        name = ""
    if not name:
        message = _("A file chosen earlier is no longer kept: choose it again.")
    else:
        message = _("The file “%(name)s”, chosen earlier, is no longer kept: choose it again.") % {
            "name": name
        }
    return ValidationError(message, code="held_file_gone")


def held_upload(company, token: str) -> UploadedFile:
    """The held file, as an upload to attach; a ValidationError once it is gone."""
    info = still_held(company, token)
    if info is None:
        raise no_longer_held(token)
    stream = default_storage.open(f"{ROOT}/{info['key']}", "rb")
    return UploadedFile(
        stream, name=info["filename"], content_type=info["content_type"], size=info["size"]
    )


def release(tokens) -> None:
    """Once the save commits, the held files it attached are removed."""
    keys = []
    for token in tokens:
        with contextlib.suppress(signing.BadSignature):
            keys.append(_read(token, max_age=None)["key"])

    def remove() -> None:
        for key in keys:
            default_storage.delete(f"{ROOT}/{key}")

    transaction.on_commit(remove)


def remove_stale_held_files(now=None) -> list[str]:
    """Remove held files of forms never saved: older than any token can be, and an hour more."""
    cutoff = (now or timezone.now()) - HOLD_FOR - timedelta(hours=1)
    try:
        _dirs, names = default_storage.listdir(ROOT)
    except FileNotFoundError:
        return []
    removed = []
    for name in names:
        path = f"{ROOT}/{name}"
        try:
            if default_storage.get_modified_time(path) > cutoff:
                continue
        except (FileNotFoundError, NotImplementedError):
            continue
        default_storage.delete(path)
        removed.append(name)
    return removed


@receiver(hold_attachments, dispatch_uid="attachments.hold")
def hold_chosen(sender, company, files, held, **kwargs) -> list[dict]:
    """The files a form that came back should keep: those held before and still kept, then
    the ones just chosen."""
    kept = [info for info in (still_held(company, token) for token in held) if info]
    return kept + [hold(company, uploaded) for uploaded in files]


@receiver(attachments_submitted, dispatch_uid="attachments.store_submitted")
def store_submitted(sender, company, kind, record_id, files, held=(), **kwargs):
    """Attach the files chosen now and those held from an earlier submission of the form."""
    with contextlib.ExitStack() as opened:  # each held file is closed, whatever happens
        uploads = list(files) + [
            opened.enter_context(held_upload(company, token)) for token in held
        ]
        if uploads:
            do_attach_files(company, kind, record_id, uploads)
    release(held)
