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

The settings are in ``partida.autobackups.config``.
"""

import datetime
import logging
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from partida.autobackups.config import ALL_PARTS, backup_interval, lease_time, retry_delay
from partida.autobackups.models import StoredBackup
from partida.autobackups.runner import run_stored_backup
from partida.backups.storage import backup_storage, delete_object
from partida.books.models import Company

log = logging.getLogger(__name__)

State = StoredBackup.State


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
