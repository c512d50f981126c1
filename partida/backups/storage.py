"""Where stored backups live: an S3-compatible object store, or a folder on the desktop.

The store is chosen, in this order:

1. ``settings.PARTIDA_S3``: the cloud edition's object store (django-storages' S3 options, read
   from the environment by the cloud settings);
2. ``PARTIDA_S3_BUCKET`` in the environment, with ``PARTIDA_S3_ENDPOINT_URL``,
   ``PARTIDA_S3_ACCESS_KEY_ID``, ``PARTIDA_S3_SECRET_ACCESS_KEY`` and optionally
   ``PARTIDA_S3_REGION``;
3. otherwise (the desktop edition) the data folder, where the keys ``backups/...`` land in its
   ``backups/`` folder.

Uploads are streamed from a local file, in parts of ``UPLOAD_PART_BYTES`` above that size
(multipart upload), from the calling thread, so that the caller can report progress as the bytes
go. Downloads stream from the store (``open_object``): a file is never held in memory whole.
"""

import functools
import hashlib
import io
import os
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage

UPLOAD_PART_BYTES = 16 * 1024 * 1024
READ_CHUNK = 1024 * 1024


def s3_options_from_environment(environ=None) -> dict | None:
    """django-storages' S3 options from ``PARTIDA_S3_*``, or None when no bucket is set."""
    environ = os.environ if environ is None else environ
    bucket = environ.get("PARTIDA_S3_BUCKET", "").strip()
    if not bucket:
        return None
    options = {
        "bucket_name": bucket,
        "endpoint_url": environ.get("PARTIDA_S3_ENDPOINT_URL", "").strip() or None,
        "access_key": environ.get("PARTIDA_S3_ACCESS_KEY_ID", "").strip() or None,
        "secret_key": environ.get("PARTIDA_S3_SECRET_ACCESS_KEY", "").strip() or None,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,
    }
    region = environ.get("PARTIDA_S3_REGION", "").strip()
    if region:
        options["region_name"] = region
    return options


def s3_options() -> dict | None:
    configured = getattr(settings, "PARTIDA_S3", None)
    if configured:
        return dict(configured)
    return s3_options_from_environment()


@functools.lru_cache(maxsize=4)
def _s3_storage(frozen_options: tuple) -> Storage:
    from boto3.s3.transfer import TransferConfig
    from storages.backends.s3 import S3Storage

    options = dict(frozen_options)
    if options.get("endpoint_url"):
        # S3-compatible servers on an address of their own want the bucket in the path.
        options.setdefault("addressing_style", "path")
    options.setdefault("signature_version", "s3v4")
    # One thread: the bytes are read in the caller's thread, which reports progress (and keeps
    # its lease) as they go; parts keep memory bounded whatever the size of the file.
    options["transfer_config"] = TransferConfig(
        use_threads=False,
        multipart_threshold=UPLOAD_PART_BYTES,
        multipart_chunksize=UPLOAD_PART_BYTES,
    )
    return S3Storage(**options)


def backup_storage() -> Storage:
    """The store of stored backups (see the module's description)."""
    options = s3_options()
    if options:
        if not options.get("bucket_name"):
            raise ImproperlyConfigured("PARTIDA_S3_BUCKET is not set: name the bucket to use.")
        return _s3_storage(tuple(sorted(options.items())))
    if getattr(settings, "EDITION", "desktop") == "cloud":
        raise ImproperlyConfigured(
            "PARTIDA_S3_BUCKET is not set: the cloud edition keeps backups in an object store."
        )
    return FileSystemStorage(location=settings.PARTIDA_HOME)


def is_object_store(storage: Storage) -> bool:
    return hasattr(storage, "bucket_name")


class _ReportingReader(io.RawIOBase):
    """A local file read for an upload, calling ``report(bytes_read)`` as it goes."""

    def __init__(self, f: IO[bytes], report: Callable[[int], None] | None) -> None:
        self._f = f
        self._report = report
        self.done = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def readinto(self, buffer) -> int:
        data = self._f.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.done = max(self.done, self._f.tell())
        if self._report is not None:
            self._report(self.done)
        return n


def upload_file(
    storage: Storage, key: str, path: str | os.PathLike, report: Callable[[int], None] | None
) -> None:
    """Put the local file at ``key``, streamed (in parts, on an object store)."""
    with open(path, "rb") as f:
        reader = _ReportingReader(f, report)
        saved = storage.save(key, File(reader, name=os.path.basename(key)))
    if saved != key:  # a folder store keeps both when the name exists: keys never repeat
        storage.delete(saved)
        raise FileExistsError(key)


class ObjectStream(io.RawIOBase):
    """A stored object, read as it streams from the store: a readable, non-seekable file."""

    def __init__(self, body, name: str, size: int | None) -> None:
        self._body = body
        self.name = name
        self.size = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._body.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


def open_object(storage: Storage, key: str) -> IO[bytes]:
    """The object at ``key``, open for reading as a stream. FileNotFoundError if missing."""
    if is_object_store(storage):
        from botocore.exceptions import ClientError

        try:
            response = storage.bucket.Object(key).get()
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404 or error.response.get("Error", {}).get("Code") == "NoSuchKey":
                raise FileNotFoundError(key) from None
            raise
        raw = ObjectStream(response["Body"], os.path.basename(key), response["ContentLength"])
        return io.BufferedReader(raw, buffer_size=READ_CHUNK)
    return storage.open(key, "rb")


class RangedObject(io.RawIOBase):
    """An object in the store as a seekable file: each read is one ranged GET, so reading the
    start and the end of a large file (an encrypted backup's header, last chunk and manifest)
    fetches only those bytes."""

    def __init__(self, storage: Storage, key: str) -> None:
        self.client = storage.connection.meta.client
        self.bucket, self.key = storage.bucket_name, key
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception as error:
            if getattr(error, "response", {}).get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise FileNotFoundError(key) from None
            raise
        self.size = head["ContentLength"]
        self.position = 0
        self.fetched = 0  # bytes read from the store, for whoever wants to know

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer) -> int:
        if self.position >= self.size or not len(buffer):
            return 0
        last = min(self.size, self.position + len(buffer)) - 1
        answer = self.client.get_object(
            Bucket=self.bucket, Key=self.key, Range=f"bytes={self.position}-{last}"
        )
        data = answer["Body"].read()
        buffer[: len(data)] = data
        self.position += len(data)
        self.fetched += len(data)
        return len(data)


def open_seekable_object(storage: Storage, key: str) -> IO[bytes]:
    """The object as a seekable binary file (close it), read in parts of ``READ_CHUNK``."""
    if not is_object_store(storage):
        return storage.open(key, "rb")
    return io.BufferedReader(RangedObject(storage, key), buffer_size=READ_CHUNK)


def delete_object(storage: Storage, key: str) -> None:
    """Remove the object at ``key``; nothing happens when it is not there."""
    if key:
        storage.delete(key)


def object_keys(storage: Storage, prefix: str) -> list[str]:
    """Every key under ``prefix`` (a folder such as ``backups/<company>/``)."""
    if is_object_store(storage):
        return sorted(item.key for item in storage.bucket.objects.filter(Prefix=prefix))
    keys = []
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return []
    keys.extend(f"{prefix.rstrip('/')}/{name}" for name in files)
    for folder in folders:
        keys.extend(object_keys(storage, f"{prefix.rstrip('/')}/{folder}/"))
    return sorted(keys)


def sha256_of(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class StoreMismatch(Exception):
    """The object read back from the store is not the file that was uploaded."""


class _HashingStream:
    """Reads a stream through, keeping the SHA-256 and the count of what was read."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.digest.update(data)
        self.count += len(data)
        return data

    def seekable(self) -> bool:
        return False


def verify_stored(
    storage: Storage,
    key: str,
    size: int,
    sha256: str,
    progress: Callable[..., None],
    encrypted: bool = False,
) -> None:
    """Read the object back from the store and check it: the archive's own checksums, and the
    same bytes as the local file (``StoreMismatch`` if not). ``progress`` is called as it reads.

    An ``encrypted`` file was decrypted and checked whole when it was written
    (``write_atomically``): here its bytes are proven to be that file's. (Decrypting wants a
    file it can seek in; a stream from the store is read once, from start to end.)
    """
    from partida.archive.reader import ArchiveReader

    with open_object(storage, key) as stream:
        hashing = _HashingStream(stream)
        if not encrypted:
            ArchiveReader(hashing, progress=progress).verify()  # type: ignore[arg-type]
        while hashing.read(READ_CHUNK):  # anything after the archive counts too
            progress()
    if hashing.count != size or hashing.digest.hexdigest() != sha256:
        raise StoreMismatch()


def object_store_problem(storage: Storage) -> str | None:
    """Why the object store cannot keep files, in one sentence for the operator, or None.

    Writes a small object and deletes it: a missing bucket, keys that may not write, or an
    address nobody answers at are found at start-up, not at the first backup.
    """
    import uuid

    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

    bucket = storage.bucket_name
    client = storage.connection.meta.client
    key = f"partida-write-check/{uuid.uuid4()}"
    try:
        client.put_object(Bucket=bucket, Key=key, Body=b"Partida checks it may write here.")
        client.delete_object(Bucket=bucket, Key=key)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "NoSuchBucket":
            return (
                f"The object store has no bucket named “{bucket}” (PARTIDA_S3_BUCKET): "
                "create it, or name one that exists."
            )
        return (
            f"The object store refused to let these keys write to the bucket “{bucket}” "
            f"({code or error}): check PARTIDA_S3_ACCESS_KEY_ID and "
            "PARTIDA_S3_SECRET_ACCESS_KEY, and that they may write to that bucket."
        )
    except EndpointConnectionError:
        return (
            f"Nothing answers at the object store's address {client.meta.endpoint_url} "
            "(PARTIDA_S3_ENDPOINT_URL): check the address and that the store is running."
        )
    except BotoCoreError as error:
        return f"The object store could not be reached ({str(error).rstrip('.')})."
    return None
