"""Where the file of a backup or import job lives while the job needs it.

The desktop edition is one process: a job's file is in its data folder (``exports/`` for a
backup made by the Backup dialog, ``imports/`` for a file uploaded to Import company), and
``Job.path`` is the file's path on disk.

The cloud edition runs many stateless web processes and workers: a job's file is in the object
store (the one of the stored backups, ``partida.backups.storage.backup_storage``), under
``jobs/<job id>.manager``, and ``Job.path`` is that key. Any process can then stream it, and the
worker that runs the job need not be the web process that received the request.

``job_files()`` gives the store of this edition; both have the same methods:

- ``keep_backup(job, path)``: the finished backup at ``path`` (written in the job's work
  folder) becomes the job's file;
- ``keep_upload(job, path, movable=False)``: an uploaded file at ``path`` becomes the job's
  file (``movable``: the file may be moved there rather than copied);
- ``open(job)``: the job's file, streaming (a readable binary file; close it), with ``size``;
- ``local_copy(job)``: a context giving a path on this machine with the job's bytes;
- ``delete(job)``: remove the job's file; nothing happens when it is not there.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.storage import Storage

from partida.archive.encryption import is_encrypted
from partida.backups.models import Job
from partida.backups.storage import (
    backup_storage,
    delete_object,
    open_object,
    open_seekable_object,
    sha256_of,
    upload_file,
    verify_stored,
)

KEY_PREFIX = "jobs"
COPY_CHUNK = 1024 * 1024


def work_folder(name: str) -> Path:
    folder = Path(settings.PARTIDA_HOME) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class LocalJobFiles:
    """The desktop edition: files in the data folder, ``Job.path`` a path on disk."""

    in_object_store = False

    def keep_backup(self, job: Job, path: Path) -> None:
        target = work_folder("exports") / f"{job.pk}.manager"
        os.replace(path, target)  # the work folder is in the data folder: one rename
        job.path = str(target)

    def keep_upload(self, job: Job, path: str | os.PathLike, movable: bool = False) -> None:
        target = work_folder("imports") / f"{job.pk}.manager"
        if movable:
            try:
                # Django's temporary upload is in the data folder (FILE_UPLOAD_TEMP_DIR): one
                # rename instead of copying a file that may be gigabytes.
                os.replace(path, target)
                job.path = str(target)
                return
            except OSError:
                pass  # another file system: copy it
        with open(path, "rb") as source, open(target, "wb") as copy:
            shutil.copyfileobj(source, copy, COPY_CHUNK)
        job.path = str(target)

    def open(self, job: Job) -> IO[bytes]:
        if not job.path:
            raise FileNotFoundError(f"job {job.pk} has no file")
        return open(job.path, "rb")

    open_seekable = open

    def size(self, job: Job) -> int | None:
        return os.path.getsize(job.path)

    def exists(self, job: Job) -> bool:
        return bool(job.path) and Path(job.path).exists()

    @contextmanager
    def local_copy(self, job: Job) -> Iterator[Path]:
        yield Path(job.path)

    def delete(self, job: Job) -> None:
        if job.path:
            Path(job.path).unlink(missing_ok=True)


def is_encrypted_file(path: str | os.PathLike) -> bool:
    with open(path, "rb") as f:
        return is_encrypted(f.read(64))


def _quiet(*_args) -> None:
    """Where ``verify_stored`` reports progress while it reads a job's file back: nowhere."""


class StoredJobFiles:
    """The cloud edition: files in the object store under ``jobs/``, ``Job.path`` the key."""

    in_object_store = True

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    @staticmethod
    def key(job: Job) -> str:
        return f"{KEY_PREFIX}/{job.pk}.manager"

    def _upload(self, job: Job, path: Path) -> None:
        key = self.key(job)
        size, sha256 = os.path.getsize(path), sha256_of(path)
        try:
            upload_file(self.storage, key, path, None)
            # Read back from the store and checked, as the automatic backups are: only then
            # is the job's file there.
            verify_stored(
                self.storage, key, size, sha256, _quiet, encrypted=is_encrypted_file(path)
            )
        except BaseException:
            delete_object(self.storage, key)
            raise
        job.path = key

    def keep_backup(self, job: Job, path: Path) -> None:
        self._upload(job, path)

    def keep_upload(self, job: Job, path: str | os.PathLike, movable: bool = False) -> None:
        key = self.key(job)
        try:
            upload_file(self.storage, key, path, None)
        except BaseException:
            delete_object(self.storage, key)
            raise
        job.path = key

    def open(self, job: Job) -> IO[bytes]:
        if not job.path:
            raise FileNotFoundError(f"job {job.pk} has no file")
        return open_object(self.storage, job.path)

    def open_seekable(self, job: Job) -> IO[bytes]:
        """The job's file as a seekable file: only the parts read are fetched."""
        if not job.path:
            raise FileNotFoundError(f"job {job.pk} has no file")
        return open_seekable_object(self.storage, job.path)

    def size(self, job: Job) -> int | None:
        return self.storage.size(job.path)

    def exists(self, job: Job) -> bool:
        return bool(job.path) and self.storage.exists(job.path)

    @contextmanager
    def local_copy(self, job: Job) -> Iterator[Path]:
        folder = tempfile.mkdtemp(prefix="partida-job-")
        try:
            path = Path(folder) / "job.manager"
            with self.open(job) as stream, open(path, "wb") as copy:
                shutil.copyfileobj(stream, copy, COPY_CHUNK)
            yield path
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def delete(self, job: Job) -> None:
        delete_object(self.storage, job.path)


def job_files() -> LocalJobFiles | StoredJobFiles:
    """The store of job files of this edition (see the module's description)."""
    if settings.EDITION == "cloud":
        return StoredJobFiles(backup_storage())
    return LocalJobFiles()
