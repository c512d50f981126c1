"""A content-addressed blob store on Django's default storage.

Every stored file is named by the SHA-256 of its bytes (``blobs/ab/abcdef...``), so the same file
attached twice, or attached and also sent by email, is stored once. The store works on any Django
storage: ``FileSystemStorage`` on the desktop, an S3-compatible store in the cloud.

Writing order keeps bytes safe: the bytes are stored first and the database row that refers to
them is created after, so a row never points at missing bytes. The price is that a rolled-back
transaction can leave a stored file nobody refers to (an orphan). Orphans are harmless and are
cleaned by ``discard_new_blobs`` (the caller knows the save failed) and, at a safe time, by
``delete_orphan_blobs`` (files older than a grace period that no row refers to).
"""

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import timedelta
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

CHUNK_SIZE = 1024 * 1024
BLOB_ROOT = "blobs"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def blob_path(sha256: str) -> str:
    """Where the bytes with this SHA-256 live in the storage: ``blobs/ab/abcdef...``."""
    if not SHA256_RE.match(sha256):
        raise ValueError(f"not a SHA-256 in lowercase hex: {sha256!r}")
    return f"{BLOB_ROOT}/{sha256[:2]}/{sha256}"


class _MovableFile(File):
    """A local temporary file the storage may move into place (one atomic rename on disk)."""

    def __init__(self, file, path: str):
        super().__init__(file, name=os.path.basename(path))
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


def _local_temp_dir() -> str | None:
    """A folder beside the blobs when the storage is on disk, so that saving is a rename."""
    try:
        folder = default_storage.path(f"{BLOB_ROOT}/tmp")
    except NotImplementedError:  # an object store: any local temporary folder will do
        return None
    os.makedirs(folder, exist_ok=True)
    return folder


def store_blob_reporting(
    fileobj: IO[bytes] | File, temp_dir: str | os.PathLike | None = None
) -> tuple[str, int, bool]:
    """Store the file's bytes; return ``(sha256, size, created)``.

    ``created`` is False when the same bytes were stored already (nothing was written). The
    bytes are written first to a temporary file in ``temp_dir`` (an import's work folder, which
    is removed whatever happens), else beside the blobs or in the system's temporary folder.
    """
    if hasattr(fileobj, "seek"):
        with contextlib.suppress(OSError, ValueError):  # a stream that cannot rewind
            fileobj.seek(0)
    digest = hashlib.sha256()
    size = 0
    handle, temp_path = tempfile.mkstemp(prefix="upload-", dir=temp_dir or _local_temp_dir())
    try:
        with os.fdopen(handle, "wb") as temp:
            if isinstance(fileobj, File):
                chunks = fileobj.chunks(CHUNK_SIZE)
            else:
                chunks = iter(lambda: fileobj.read(CHUNK_SIZE), b"")
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                temp.write(chunk)
        sha256 = digest.hexdigest()
        path = blob_path(sha256)
        if default_storage.exists(path) and default_storage.size(path) == size:
            return sha256, size, False
        if default_storage.exists(path):  # a damaged copy (a write cut short): replace it
            default_storage.delete(path)
        with open(temp_path, "rb") as temp:
            saved = default_storage.save(path, _MovableFile(temp, temp_path))
        if saved != path:
            # Another process stored the same bytes between our check and our save, and the
            # storage kept both under different names. The contents are equal: drop ours.
            default_storage.delete(saved)
            return sha256, size, False
        return sha256, size, True
    finally:
        if os.path.exists(temp_path):
            os.unlink(temp_path)


def store_blob(fileobj: IO[bytes] | File) -> tuple[str, int]:
    """Store the file's bytes once, whatever its name; return ``(sha256, size)``."""
    sha256, size, _created = store_blob_reporting(fileobj)
    return sha256, size


def open_blob(sha256: str) -> File:
    """The stored bytes, open for reading. Raises FileNotFoundError if they are missing."""
    path = blob_path(sha256)
    if not default_storage.exists(path):
        raise FileNotFoundError(path)
    return default_storage.open(path, "rb")


def blob_exists(sha256: str) -> bool:
    return default_storage.exists(blob_path(sha256))


def referenced_blobs(sha256s: Iterable[str]) -> set[str]:
    """Which of these blobs some attachment or emailed file still refers to."""
    from partida.attachments.models import Attachment
    from partida.mail.models import EmailAttachment

    wanted = sorted(set(sha256s))
    used: set[str] = set()
    for start in range(0, len(wanted), 500):  # stay under the database's parameter limit
        batch = wanted[start : start + 500]
        for model in (Attachment, EmailAttachment):
            used.update(model.objects.filter(sha256__in=batch).values_list("sha256", flat=True))
    return used


def delete_unused_blobs_now(sha256s: Iterable[str]) -> list[str]:
    """Delete the blobs among these that no row refers to; return the ones deleted."""
    wanted = {sha for sha in sha256s if sha and SHA256_RE.match(sha)}
    unused = sorted(wanted - referenced_blobs(wanted))
    for sha256 in unused:
        default_storage.delete(blob_path(sha256))
    return unused


def delete_unused_blobs(sha256s: Iterable[str]) -> None:
    """After the current transaction commits, delete the blobs no row refers to any more.

    Called after attachments, records or companies are deleted. Run on commit, so a deletion that
    is rolled back never loses bytes; outside a transaction it runs at once.
    """
    wanted = set(sha256s)
    if wanted:
        transaction.on_commit(lambda: delete_unused_blobs_now(wanted))


def discard_new_blobs(sha256s: Iterable[str]) -> None:
    """Undo blobs this process has just created for a save that failed.

    Call it once the failed save's rows are rolled back (after its atomic block or savepoint has
    exited), so they no longer count. Only blobs no row refers to are deleted, so another record
    that shares the bytes keeps them.
    """
    delete_unused_blobs_now(sha256s)


def all_blob_names() -> list[str]:
    """The SHA-256 of every stored blob."""
    names = []
    try:
        prefixes, _files = default_storage.listdir(BLOB_ROOT)
    except FileNotFoundError:
        return []
    for prefix in prefixes:
        if len(prefix) != 2:
            continue
        _dirs, files = default_storage.listdir(f"{BLOB_ROOT}/{prefix}")
        names.extend(name for name in files if SHA256_RE.match(name) and name[:2] == prefix)
    return names


def delete_orphan_blobs(grace: timedelta = timedelta(hours=1)) -> list[str]:
    """Delete stored blobs that no row refers to and that are older than ``grace``.

    The sweep for orphans left by saves that failed after their bytes were stored. The grace
    period leaves alone the blobs of saves still in progress. Returns the deleted SHA-256s.
    """
    cutoff = timezone.now() - grace
    deleted = []
    names = all_blob_names()
    unused = set(names) - referenced_blobs(names)
    for sha256 in sorted(unused):
        path = blob_path(sha256)
        try:
            if default_storage.get_modified_time(path) > cutoff:
                continue
        except (FileNotFoundError, NotImplementedError):
            continue
        default_storage.delete(path)
        deleted.append(sha256)
    delete_stale_temporary_files(cutoff)
    return deleted


def delete_stale_temporary_files(cutoff) -> None:
    """Temporary files beside the blobs (a save killed while writing one) older than cutoff."""
    try:
        folder = default_storage.path(f"{BLOB_ROOT}/tmp")
    except NotImplementedError:  # an object store keeps no temporary files
        return
    if not os.path.isdir(folder):
        return
    for entry in os.scandir(folder):
        if entry.is_file() and entry.stat().st_mtime < cutoff.timestamp():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
