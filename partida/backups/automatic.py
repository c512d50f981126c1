"""Automatic backups: every company, on a schedule, to the object store, verified, kept by rules.

The life of a stored backup (``StoredBackup``):

- **queued** by ``run_due_backups`` (the schedule) or ``do_request_backup`` (a customer's "back
  up now"). The database refuses a second queued-or-running backup of one company (a partial
  unique index), and queuing locks the company's row (``select_for_update(skip_locked=True)``),
  so any number of workers and ``partida backups run-due`` can schedule at once and a company
  is never queued twice.
- **running**: a worker claims it with one conditional UPDATE (queued → running, one more
  attempt), so two workers never run the same backup. It writes the file to a local temporary
  folder (atomic and verified), uploads it to ``backups/<company>/<time>-<id>-<attempt>.manager``,
  reads it back *from the store* and verifies it (every checksum, the whole-file digest, and the
  SHA-256 of the bytes against the local file's).
- **verified**: only then does it count (``stored_backups``). Retention runs after each one.
- **failed**, with one sentence saying why; the partial object is deleted, older backups stay.

While it runs, the worker renews its lease (``heartbeat_at``) from the progress callbacks,
through a database connection of its own (the backup reads one snapshot in a read-only
transaction). A worker that is killed leaves the backup ``running`` and invisible; once its
heartbeat is older than the lease, the next ``run_due_backups`` takes it over: it deletes the
partial object and runs it again. A worker that lost its lease notices at its next heartbeat
and stops without touching the backup, which now belongs to another.

Settings (``django.conf.settings`` first, then the environment, then the default):

- ``PARTIDA_BACKUP_EVERY_HOURS`` (24): how often each company is backed up;
- ``PARTIDA_BACKUP_RETRY_MINUTES`` (60): how long after a failed backup the next one is tried;
- ``PARTIDA_BACKUP_LEASE_SECONDS`` (600): a running backup without a heartbeat for this long is
  taken over; ``PARTIDA_BACKUP_HEARTBEAT_SECONDS`` (15): how often the heartbeat is written;
- ``PARTIDA_BACKUP_KEEP_DAILY`` (7), ``_WEEKLY`` (4), ``_MONTHLY`` (12): retention;
  ``PARTIDA_BACKUP_KEEP_FAILED_DAYS`` (30): how long failed backups stay listed for staff;
- ``PARTIDA_TEST_ONLY_BACKUP_PAUSE_SECONDS`` (0): for tests only, a pause between the upload and
  the read-back, so that a test can kill a worker in the middle of a backup.
"""

import datetime
import logging
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.sql import UpdateQuery
from django.db.models.sql.constants import ROW_COUNT
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from partida.archive.errors import ArchiveError
from partida.archive.reader import ArchiveReader
from partida.archive.writer import Progress
from partida.backups.export import backup_to_file, parts_from
from partida.backups.messages import archive_error_message
from partida.backups.models import StoredBackup
from partida.backups.storage import (
    backup_storage,
    delete_object,
    open_object,
    sha256_of,
    upload_file,
)
from partida.books.models import Company

log = logging.getLogger(__name__)

State = StoredBackup.State
ALL_PARTS = sorted(parts_from())
KEY_PREFIX = "backups"


# Settings


def _number(name: str, default: float) -> float:
    value: Any = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "").strip() or default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a number, not “{value}”.") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name} must not be negative ({value}).")
    return number


def backup_interval() -> datetime.timedelta:
    return datetime.timedelta(hours=_number("PARTIDA_BACKUP_EVERY_HOURS", 24))


def retry_delay() -> datetime.timedelta:
    return datetime.timedelta(minutes=_number("PARTIDA_BACKUP_RETRY_MINUTES", 60))


def lease_time() -> datetime.timedelta:
    return datetime.timedelta(seconds=_number("PARTIDA_BACKUP_LEASE_SECONDS", 600))


def heartbeat_every() -> float:
    return _number("PARTIDA_BACKUP_HEARTBEAT_SECONDS", 15)


def retention() -> dict[str, int]:
    return {
        "daily": int(_number("PARTIDA_BACKUP_KEEP_DAILY", 7)),
        "weekly": int(_number("PARTIDA_BACKUP_KEEP_WEEKLY", 4)),
        "monthly": int(_number("PARTIDA_BACKUP_KEEP_MONTHLY", 12)),
    }


def keep_failed() -> datetime.timedelta:
    return datetime.timedelta(days=_number("PARTIDA_BACKUP_KEEP_FAILED_DAYS", 30))


def test_only_pause() -> float:
    return _number("PARTIDA_TEST_ONLY_BACKUP_PAUSE_SECONDS", 0)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# The API for the portal


def stored_backups(company_id) -> QuerySet[StoredBackup]:
    """The verified backups of a company (which may since have been deleted), newest first."""
    return StoredBackup.objects.filter(company_id=company_id, state=State.VERIFIED).order_by(
        "-created_at", "-id"
    )


def open_stored_backup(backup: StoredBackup) -> IO[bytes]:
    """The backup's file, streaming from the store (a readable binary file; close it)."""
    if not backup.verified:
        raise FileNotFoundError(f"backup {backup.pk} is not a verified backup")
    return open_object(backup_storage(), backup.storage_key)


def do_request_backup(company: Company) -> StoredBackup:
    """Queue a complete backup of the company now; the one in progress if there is one."""
    backup = queue_backup(company.pk, StoredBackup.Trigger.REQUEST, force=True)
    if backup is None:
        raise Company.DoesNotExist("The company was deleted before its backup could start.")
    return backup


def in_progress(company_id) -> StoredBackup | None:
    return StoredBackup.objects.filter(
        company_id=company_id, state__in=StoredBackup.IN_PROGRESS
    ).first()


# The queue


@task()
def run_backup_task(backup_id: str) -> str:
    """The background job of one stored backup: its state once the job is over."""
    backup = run_stored_backup(backup_id)
    return backup.state if backup is not None else "taken"


def dispatch(backup: StoredBackup) -> None:
    """Hand the backup to the workers, once the row that says so is committed."""

    def enqueue() -> None:
        result = run_backup_task.enqueue(str(backup.pk))
        StoredBackup.objects.filter(pk=backup.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)


def recent_backups(now: datetime.datetime) -> QuerySet[StoredBackup]:
    """Backups that make a new one unnecessary: in progress, verified within the interval, or
    failed within the retry delay."""
    return StoredBackup.objects.filter(
        Q(state__in=StoredBackup.IN_PROGRESS)
        | Q(state=State.VERIFIED, created_at__gt=now - backup_interval())
        | Q(state=State.FAILED, created_at__gt=now - retry_delay())
    )


def due_company_ids(now: datetime.datetime) -> list[uuid.UUID]:
    recent = recent_backups(now).filter(company_id=OuterRef("pk"))
    return list(
        Company.objects.filter(~Exists(recent))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )


def queue_backup(
    company_id, trigger: str, now: datetime.datetime | None = None, force: bool = False
) -> StoredBackup | None:
    """Queue a complete backup of the company, unless one is in progress (or, without
    ``force``, it is not due). None when another process holds the company or nothing is due;
    with ``force``, the backup in progress when there is one."""
    now = now or timezone.now()
    with transaction.atomic():
        # The schedule skips a company another process is queuing; a request waits for it.
        company = (
            Company.objects.select_for_update(skip_locked=not force).filter(pk=company_id).first()
        )
        if company is None:
            return None  # deleted, or another process is queuing its backup right now
        current = in_progress(company_id)
        if current is not None:
            return current if force else None
        if not force and recent_backups(now).filter(company_id=company_id).exists():
            return None
        try:
            with transaction.atomic():
                backup = StoredBackup.objects.create(
                    company_id=company.pk,
                    company_name=company.name,
                    created_at=now,
                    heartbeat_at=now,
                    trigger=trigger,
                    parts=ALL_PARTS,
                )
        except IntegrityError:  # queued by another process in the meantime
            return in_progress(company_id) if force else None
        if force:
            dispatch(backup)
        return backup


def stale_backups(now: datetime.datetime) -> list[StoredBackup]:
    """Backups in progress whose worker has not been heard of for longer than the lease, and
    queued backups that no waiting job will pick up."""
    from django_tasks_db.models import DBTaskResult

    cutoff = now - lease_time()
    candidates = StoredBackup.objects.filter(state__in=StoredBackup.IN_PROGRESS).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    )
    stale = []
    for backup in candidates:
        if backup.state == State.QUEUED and backup.task_id:
            waiting = DBTaskResult.objects.ready().filter(id=backup.task_id).exists()
            if waiting:
                continue
        stale.append(backup)
    return stale


def take_over(backup: StoredBackup, now: datetime.datetime) -> bool:
    """Put a stale backup back in the queue, removing what its worker left in the store.

    One conditional UPDATE: of several processes trying, exactly one succeeds.
    """
    taken = StoredBackup.objects.filter(
        pk=backup.pk,
        state=backup.state,
        attempts=backup.attempts,
        heartbeat_at=backup.heartbeat_at,
    ).update(state=State.QUEUED, heartbeat_at=now, worker="", task_id="")
    if not taken:
        return False
    if backup.storage_key:
        try:
            delete_object(backup_storage(), backup.storage_key)
        except Exception:
            log.exception("could not delete the partial backup %s", backup.storage_key)
    log.warning(
        "taking over backup %s of %s (attempt %s, last heard of at %s)",
        backup.pk,
        backup.company_name,
        backup.attempts,
        backup.heartbeat_at,
    )
    return True


def run_due_backups(
    now: datetime.datetime | None = None, enqueue: bool = True
) -> list[StoredBackup]:
    """Queue a backup of every company that is due, and take over stale ones.

    With ``enqueue`` (the workers), each goes to the task queue; without (``partida backups
    run-due``), the caller runs them. Returns the backups queued or taken over by this call.
    """
    now = now or timezone.now()
    queued = []
    for backup in stale_backups(now):
        if take_over(backup, now):
            backup.refresh_from_db()
            queued.append(backup)
    for company_id in due_company_ids(now):
        backup = queue_backup(company_id, StoredBackup.Trigger.SCHEDULE, now)
        if backup is not None:
            queued.append(backup)
    if enqueue:
        for backup in queued:
            dispatch(backup)
    return queued


# Running one backup


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


def verify_stored(storage, key: str, size: int, sha256: str, lease: Lease) -> None:
    """Read the object back from the store and check it: the archive's own checksums, and the
    same bytes as the local file."""
    import hashlib

    digest = hashlib.sha256()
    count = 0

    class Hashing:
        def __init__(self, stream: IO[bytes]) -> None:
            self.stream = stream

        def read(self, n: int = -1) -> bytes:
            nonlocal count
            data = self.stream.read(n)
            digest.update(data)
            count += len(data)
            return data

        def seekable(self) -> bool:
            return False

    with open_object(storage, key) as stream:
        hashing = Hashing(stream)
        ArchiveReader(hashing, progress=lease.progress).verify()  # type: ignore[arg-type]
        while hashing.read(1024 * 1024):  # anything after the archive counts too
            lease.progress()
    if count != size or digest.hexdigest() != sha256:
        raise StoreMismatch()


class StoreMismatch(Exception):
    """The object read back from the store is not the file that was uploaded."""


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
            backup_to_file(company, path, set(backup.parts), progress=lease.progress)
            size = path.stat().st_size
            sha256 = sha256_of(path)
            lease.beat(force=True)
            upload_file(storage, key, path, lease.progress)
            lease.beat(force=True)
            path.unlink()
            pause_for_tests(lease)
            verify_stored(storage, key, size, sha256, lease)
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


# Retention


@dataclass(frozen=True)
class _Rule:
    count: int
    bucket: Callable[[datetime.date], Any]


def _day(created: datetime.datetime) -> datetime.date:
    if timezone.is_aware(created):
        created = created.astimezone(datetime.UTC)
    return created.date()


def backups_to_keep(
    backups: Iterable[Any],
    today: datetime.date,
    daily: int = 7,
    weekly: int = 4,
    monthly: int = 12,
) -> list[Any]:
    """Which of a company's verified backups to keep, newest first.

    Anything with ``created_at`` (and ``id``) will do. Kept: the newest backup of each of the
    last ``daily`` days that have one, of each of the last ``weekly`` ISO weeks, and of each of
    the last ``monthly`` months (days in UTC); always the newest backup of all; and any backup
    dated after ``today`` (a clock ahead is no reason to delete).
    """
    ordered = sorted(backups, key=lambda b: (b.created_at, str(b.id)), reverse=True)
    if not ordered:
        return []
    keep = {id(ordered[0])}
    rules = [
        _Rule(daily, lambda day: day),
        _Rule(weekly, lambda day: day.isocalendar()[:2]),
        _Rule(monthly, lambda day: (day.year, day.month)),
    ]
    for backup in ordered:
        if _day(backup.created_at) > today:
            keep.add(id(backup))
    for rule in rules:
        seen: set[Any] = set()
        for backup in ordered:
            day = _day(backup.created_at)
            if day > today:
                continue
            bucket = rule.bucket(day)
            if bucket in seen:
                continue
            if len(seen) >= rule.count:
                break
            seen.add(bucket)
            keep.add(id(backup))
    return [backup for backup in ordered if id(backup) in keep]


def apply_retention(company_id, today: datetime.date | None = None) -> list[StoredBackup]:
    """Delete the company's verified backups the rules do not keep (object first, then row),
    and failed ones older than ``PARTIDA_BACKUP_KEEP_FAILED_DAYS``. Returns those deleted."""
    today = today or timezone.now().astimezone(datetime.UTC).date()
    verified = list(stored_backups(company_id))
    kept = {backup.pk for backup in backups_to_keep(verified, today, **retention())}
    doomed = [backup for backup in verified if backup.pk not in kept]
    cutoff = timezone.now() - keep_failed()
    doomed += list(
        StoredBackup.objects.filter(
            company_id=company_id, state=State.FAILED, created_at__lt=cutoff
        )
    )
    if not doomed:
        return []
    storage = backup_storage()
    for backup in doomed:
        delete_object(storage, backup.storage_key)
        StoredBackup.objects.filter(pk=backup.pk).delete()
    return doomed


def backups_of(company_id) -> Sequence[StoredBackup]:
    """Every stored backup of a company, whatever its state, newest first (for staff)."""
    return list(StoredBackup.objects.filter(company_id=company_id).order_by("-created_at", "-id"))
