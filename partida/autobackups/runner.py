"""Running one automatic backup: claimed by one worker, written locally (atomic and verified),
uploaded, read back from the store and verified, under a lease renewed by heartbeats."""

import datetime
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.sql import UpdateQuery
from django.db.models.sql.constants import ROW_COUNT
from django.utils import timezone
from django.utils.translation import gettext as _

from partida.archive.errors import ArchiveError
from partida.archive.writer import Progress
from partida.autobackups.config import (
    KEY_PREFIX,
    automatic_backup_passphrase,
    heartbeat_every,
    test_only_pause,
    worker_name,
)
from partida.autobackups.models import StoredBackup
from partida.autobackups.retention import apply_retention
from partida.backups.export import backup_to_file
from partida.backups.messages import archive_error_message
from partida.backups.storage import (
    StoreMismatch,
    backup_storage,
    delete_object,
    open_object,
    sha256_of,
    upload_file,
    verify_stored,
)
from partida.books.models import Company

log = logging.getLogger(__name__)

State = StoredBackup.State


def open_stored_backup(backup: StoredBackup) -> IO[bytes]:
    """The backup's file, streaming from the store (a readable binary file; close it)."""
    if not backup.verified:
        raise FileNotFoundError(f"backup {backup.pk} is not a verified backup")
    return open_object(backup_storage(), backup.storage_key)


class LeaseLost(Exception):
    """Another worker has taken the backup over: this one must stop and leave it alone."""


class Lease:
    """The right to run one attempt of one backup, renewed by heartbeats.

    Heartbeats go through a database connection of the lease's own, in autocommit, because the
    backup itself reads one snapshot in a read-only transaction on the default connection.
    """

    def __init__(self, backup: StoredBackup) -> None:
        self.backup = backup
        self.every = heartbeat_every()
        self.last = time.monotonic()
        self._connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def _update(self, **values: Any) -> int:
        queryset = StoredBackup.objects.filter(
            pk=self.backup.pk, state=State.RUNNING, attempts=self.backup.attempts
        )
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(values)
        query.clear_select_clause()
        return query.get_compiler(connection=self._connection).execute_sql(ROW_COUNT) or 0

    def beat(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every:
            return
        self.last = now
        if not self._update(heartbeat_at=timezone.now()):
            raise LeaseLost(str(self.backup.pk))

    def progress(self, _progress: Progress | int | None = None) -> None:
        self.beat()

    def finish(self, **values: Any) -> None:
        """Record the end of the attempt; LeaseLost if it is no longer ours."""
        if not self._update(finished_at=timezone.now(), **values):
            raise LeaseLost(str(self.backup.pk))

    def close(self) -> None:
        self._connection.close()


def object_key(backup: StoredBackup) -> str:
    created = backup.created_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{KEY_PREFIX}/{backup.company_id}/{created}-{backup.pk}-{backup.attempts}.manager"


def claim(backup_id, worker: str) -> StoredBackup | None:
    """Take a queued backup for this worker: one conditional UPDATE, so only one wins."""
    backup = StoredBackup.objects.filter(pk=backup_id, state=State.QUEUED).first()
    if backup is None:
        return None
    attempts = backup.attempts + 1
    backup.attempts = attempts
    key = object_key(backup)
    company = Company.objects.filter(pk=backup.company_id).only("name").first()
    name = company.name if company is not None else backup.company_name
    claimed = StoredBackup.objects.filter(
        pk=backup.pk, state=State.QUEUED, attempts=attempts - 1
    ).update(
        state=State.RUNNING,
        attempts=attempts,
        heartbeat_at=timezone.now(),
        worker=worker[:100],
        storage_key=key,
        company_name=name,
        error="",
    )
    if not claimed:
        return None
    backup.refresh_from_db()
    return backup


def failure_reason(error: BaseException) -> str:
    """One sentence for staff: why the backup failed."""
    if isinstance(error, ArchiveError):
        return archive_error_message(error)
    if isinstance(error, StoreMismatch):
        return _(
            "The file read back from the object store differs from the one uploaded: "
            "the upload or the store lost bytes."
        )
    if isinstance(error, Company.DoesNotExist):
        return _("The company was deleted before its backup could be made.")
    if isinstance(error, FileNotFoundError):
        return _("A file the backup needs is missing from the store: %(name)s.") % {
            "name": os.path.basename(str(error.filename or error))
        }
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError | BotoCoreError):
        return _("The object store refused the backup: %(error)s.") % {
            "error": str(error).rstrip(".")
        }
    if isinstance(error, OSError):
        return _("The backup could not be written: %(error)s.") % {"error": error.strerror or error}
    return _("The backup failed unexpectedly (%(error)s).") % {
        "error": f"{type(error).__name__}: {error}".rstrip(".")
    }


def pause_for_tests(lease: Lease) -> None:
    """``PARTIDA_TEST_ONLY_BACKUP_PAUSE_SECONDS``: wait, alive, between upload and read-back."""
    seconds = test_only_pause()
    if not seconds:
        return
    log.warning("test-only pause of %s seconds before reading the backup back", seconds)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(min(0.2, end - time.monotonic()))
        lease.beat()


def run_stored_backup(backup_id, worker: str | None = None) -> StoredBackup | None:
    """Run one queued backup to its end, in this process. None when another worker has it."""
    backup = claim(backup_id, worker or worker_name())
    if backup is None:
        return None
    storage = backup_storage()
    key = backup.storage_key
    lease = Lease(backup)
    folder = tempfile.mkdtemp(prefix="partida-backup-")
    try:
        try:
            company = Company.objects.get(pk=backup.company_id)
            path = Path(folder) / "backup.manager"
            passphrase = automatic_backup_passphrase(backup.company_id)
            backup_to_file(
                company, path, set(backup.parts), progress=lease.progress, passphrase=passphrase
            )
            size = path.stat().st_size
            sha256 = sha256_of(path)
            lease.beat(force=True)
            upload_file(storage, key, path, lease.progress)
            lease.beat(force=True)
            path.unlink()
            pause_for_tests(lease)
            verify_stored(
                storage, key, size, sha256, lease.progress, encrypted=passphrase is not None
            )
            lease.finish(state=State.VERIFIED, size=size, sha256=sha256, heartbeat_at=None)
        except LeaseLost:
            log.warning("backup %s was taken over by another worker; this attempt stops", backup.pk)
            delete_quietly(storage, key)
            return None
        except Exception as error:
            if not isinstance(error, ArchiveError | FileNotFoundError | Company.DoesNotExist):
                log.exception("backup %s of %s failed", backup.pk, backup.company_name)
            delete_quietly(storage, key)
            try:
                lease.finish(state=State.FAILED, error=failure_reason(error), heartbeat_at=None)
            except LeaseLost:
                return None
        except BaseException:
            # Interrupted (the worker was told to stop at once): back to the queue, at once.
            delete_quietly(storage, key)
            StoredBackup.objects.filter(
                pk=backup.pk, state=State.RUNNING, attempts=backup.attempts
            ).update(state=State.QUEUED, heartbeat_at=None, task_id="")
            raise
    finally:
        lease.close()
        shutil.rmtree(folder, ignore_errors=True)
    backup.refresh_from_db()
    if backup.verified:
        try:
            apply_retention(backup.company_id)
        except Exception:
            log.exception("retention of the backups of %s failed", backup.company_name)
    return backup


def delete_quietly(storage, key: str) -> None:
    try:
        delete_object(storage, key)
    except Exception:
        log.exception("could not delete the partial backup %s", key)
