"""Backups and imports run as jobs beside the request, reporting progress as they go.

A large company takes longer than a browser waits for one response, so the screen starts a job
and polls it. On the desktop edition a job runs in a thread of the server process, its file in
the data folder. In the cloud edition a job is a background task (django-tasks, the database
queue) that any ``partida worker`` runs, its file in the object store (see
``partida.backups.job_files``): any web process can show its progress and stream its file, and
none of them has to live until it ends. ``PARTIDA_JOBS_IN_THREADS = False`` (the tests) runs a
job at once, within the request, in either edition.
"""

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    close_old_connections,
    connection,
    connections,
    transaction,
)
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from partida.archive.errors import ArchiveError
from partida.archive.writer import Progress
from partida.attachments.held import remove_stale_held_files
from partida.attachments.store import delete_orphan_blobs
from partida.backups import passphrases
from partida.backups.export import backup_to_file
from partida.backups.from_manager import do_import_manager_file
from partida.backups.importer import Cancelled, do_import_company
from partida.backups.job_files import job_files
from partida.backups.messages import archive_error_message
from partida.backups.models import Job
from partida.backups.progress import work
from partida.backups.tunables import lease_time
from partida.backups.work_folders import (
    WorkFolder,
    WorkInProgress,
    any_work_alive,
    is_alive,
    read_progress,
    recover_interrupted_work,
    request_cancel,
)
from partida.books.models import Company

log = logging.getLogger(__name__)
REPORT_EVERY_SECONDS = 0.3
#: A backup made by the Backup dialog stays downloadable this long, unless it is downloaded.
KEEP_BACKUP_FILES = timedelta(hours=2)
#: An uploaded file waiting for its import to be confirmed stays this long.
KEEP_UPLOADS = timedelta(days=1)


class FolderChannel:
    """The desktop edition: progress and cancel requests in the job's work folder, which no
    database lock can hold up."""

    def __init__(self, job: Job, work: WorkFolder) -> None:
        self.work = work

    def report(self, phase: str, done: int, total: int) -> None:
        self.work.report(phase, done, total)

    def cancelled(self) -> bool:
        return self.work.cancel_requested()

    def close(self) -> None:
        pass


class DatabaseChannel:
    """The cloud edition: progress, a lease and cancel requests in the job's row, through a
    connection of its own, so that any web process sees them and the import's transaction
    never holds them up (PostgreSQL locks rows, not the database).
    """

    def __init__(self, job: Job, work: WorkFolder) -> None:
        self.job = job
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        self.last = 0.0
        self.cancel = False
        table = self.connection.ops.quote_name(Job._meta.db_table)
        self.sql = (
            f"UPDATE {table} SET phase = %s, done = %s, total = %s, heartbeat_at = %s "
            f"WHERE id = %s RETURNING cancel_requested"
        )
        self.key = Job._meta.pk.get_db_prep_value(job.pk, self.connection)

    def report(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < REPORT_EVERY_SECONDS:
            return
        self.last = now
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(self.sql, [phase, done, total, timezone.now(), self.key])
                row = cursor.fetchone()
            self.cancel = bool(row and row[0])
        except DatabaseError:
            # A busy database delays the bar, never the job: the next report catches up.
            log.debug("progress of job %s not recorded", self.job.pk, exc_info=True)

    def cancelled(self) -> bool:
        return self.cancel

    def close(self) -> None:
        self.connection.close()


def channel_for(job: Job, work: WorkFolder) -> FolderChannel | DatabaseChannel:
    if settings.EDITION == "cloud":
        return DatabaseChannel(job, work)
    return FolderChannel(job, work)


def backup_progress(channel, work_folder: WorkFolder) -> Callable[[Progress], None]:
    """The writer's progress, reported as the ``writing`` phase; a cancel stops the writer."""
    last = [0.0]

    def report(progress: Progress) -> None:
        channel.report("writing", *work(progress))
        if progress.rows_done:
            work_folder.pause_for_tests("writing")
        now = time.monotonic()
        if now - last[0] >= REPORT_EVERY_SECONDS:
            last[0] = now
            if channel.cancelled():
                raise Cancelled()

    return report


def run_backup_job(job: Job, work_folder: WorkFolder, channel) -> None:
    """Write the backup in the work folder; it then becomes the job's file (in the data folder,
    or in the object store)."""
    company = Company.objects.get(pk=job.company_id)
    parts = set(job.options.get("parts", []))
    path = work_folder.file("backup.manager")
    # An encrypted backup's passphrase was handed over in memory by the dialog (never stored).
    passphrase = passphrases.release(job.pk) if job.options.get("encrypted") else None
    if job.options.get("encrypted") and not passphrase:
        raise PassphraseForgotten()
    backup_to_file(
        company,
        path,
        parts,
        progress=backup_progress(channel, work_folder),
        passphrase=passphrase,
    )
    job_files().keep_backup(job, path)


def run_import_job(job: Job, work_folder: WorkFolder, channel) -> None:
    """Import the uploaded file (from a local copy of it, in the cloud); then delete it."""
    files = job_files()
    try:
        with files.local_copy(job) as path:
            if job.options.get("source") == "manager":
                channel.report("checking", 0, 1)
                job.company_id = do_import_manager_file(
                    path, new_name=job.options.get("new_name") or None, backup_file=job.file_name
                ).pk
                return
            company = do_import_company(
                path,
                new_name=job.options.get("new_name") or None,
                progress=channel.report,
                work=work_folder,
                cancelled=channel.cancelled,
                backup_file=job.file_name,
                passphrase=passphrases.held(job.pk),  # an encrypted file's key, in memory
            )
    finally:
        passphrases.release(job.pk)
        files.delete(job)
    job.company_id = company.pk


class PassphraseForgotten(ArchiveError):
    """An encrypted backup's job whose passphrase this process does not hold (it restarted)."""

    code = "encrypted"

    def template(self) -> str:
        return _(
            "The backup was not made because Partida restarted before it began and a "
            "passphrase is never kept: make the backup again."
        )


def unexpected_failure() -> str:
    return _(
        "Something went wrong and nothing was changed. Try again; if it keeps happening, "
        "tell support the time it happened."
    )


RUNNERS = {Job.Kind.BACKUP: run_backup_job, Job.Kind.IMPORT: run_import_job}


def run_job(job_id) -> None:
    """Run a waiting job to its end, recording success or a message the user can act on.

    The job's work folder is made and locked before the job is marked running, so a running
    job whose folder is not locked is one whose process died. Taking the job is one
    conditional UPDATE (waiting → running): a job runs once, whoever else is asked to run it.
    """
    try:
        work_folder = WorkFolder(job_id)
        work_folder.open()
    except WorkInProgress:
        log.warning("job %s is already at work in another process", job_id)
        return
    try:
        taken = Job.objects.filter(pk=job_id, state=Job.State.WAITING).update(
            state=Job.State.RUNNING, heartbeat_at=timezone.now()
        )
        if not taken:
            log.warning("job %s is not waiting (gone, or taken by another process)", job_id)
            return
        job = Job.objects.get(pk=job_id)
        channel = channel_for(job, work_folder)
        try:
            run_with_outcome(job, work_folder, channel)
        finally:
            channel.close()
    finally:
        work_folder.close()


def run_with_outcome(job: Job, work_folder: WorkFolder, channel) -> None:
    try:
        RUNNERS[job.kind](job, work_folder, channel)
    except Cancelled:
        log.info("%s job %s cancelled", job.kind, job.pk)
        job_files().delete(job)
        finish(job, Job.State.CANCELLED, "")
    except ArchiveError as error:
        log.warning(
            "%s job %s refused the file: %s (%s)", job.kind, job.pk, error.code, error.detail
        )
        finish(job, Job.State.FAILED, archive_error_message(error))
    except Exception:
        log.exception("%s job %s failed", job.kind, job.pk)
        finish(job, Job.State.FAILED, unexpected_failure())
    else:
        finish(job, Job.State.DONE, "")


def finish(job: Job, state: str, error: str) -> None:
    job.state, job.error, job.finished_at = state, error, timezone.now()
    job.save(update_fields=["state", "error", "finished_at", "path", "company_id"])


def do_cancel_job(job: Job) -> None:
    """Ask a job to stop. A job not started yet stops at once; a running one within a moment
    (it stops at its next progress report and undoes what it did)."""
    stopped = Job.objects.filter(pk=job.pk, state=Job.State.WAITING).update(
        state=Job.State.CANCELLED, finished_at=timezone.now()
    )
    if stopped:
        passphrases.release(job.pk)
        job_files().delete(job)
        return
    if settings.EDITION == "cloud":
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    else:
        request_cancel(job.pk)


def interrupted_message(job: Job) -> str:
    if job.kind == Job.Kind.IMPORT:
        return _(
            "The import was interrupted: Partida stopped before it finished. Nothing was "
            "changed; choose the file again to try again."
        )
    return _(
        "The backup was interrupted: Partida stopped before it finished. Nothing was kept; "
        "make the backup again."
    )


def is_interrupted(job: Job, now) -> bool:
    """A running job nobody is running any more: on the desktop, no process holds its work
    folder's lock; in the cloud, its worker stopped renewing its lease."""
    if settings.EDITION != "cloud":
        return not is_alive(job.pk)
    seen = job.heartbeat_at or job.created_at
    return seen < now - lease_time()


def do_recover_interrupted_jobs() -> list[Job]:
    """After a process died: undo what its work left (partial files, staged attachment files),
    and mark its jobs interrupted, with a sentence the screen shows. Live work is left alone."""
    recover_interrupted_work()
    now = timezone.now()
    recovered = []
    for job in Job.objects.filter(state=Job.State.RUNNING):
        if not is_interrupted(job, now):
            continue
        if not Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
            state=Job.State.FAILED, error=interrupted_message(job), finished_at=now
        ):
            continue  # it finished meanwhile
        passphrases.release(job.pk)  # a sealed key in the cloud's row must not outlive the job
        try:
            job_files().delete(job)
        except Exception:
            log.exception("could not delete the file of the interrupted job %s", job.pk)
        recovered.append(job)
    return recovered


@task()
def run_job_task(job_id: str) -> str:
    """The background task of one job (cloud edition): the job's state once it is over."""
    run_job(job_id)
    return Job.objects.filter(pk=job_id).values_list("state", flat=True).first() or "gone"


def start(job: Job) -> Job:
    """Run the job: in a thread (desktop), by a worker (cloud), or at once, within the
    request, where settings ask for it (``PARTIDA_JOBS_IN_THREADS = False``, as in tests)."""
    remove_old_files()
    if not getattr(settings, "PARTIDA_JOBS_IN_THREADS", True):
        run_job(job.pk)
        job.refresh_from_db()
        return job
    if settings.EDITION == "cloud":
        # Once the job's row is committed, so that the worker finds it.
        transaction.on_commit(lambda: run_job_task.enqueue(str(job.pk)))
        return job

    def target() -> None:
        try:
            run_job(job.pk)
        finally:
            connection.close()

    close_old_connections()
    threading.Thread(target=target, name=f"partida-{job.kind}-{job.pk}", daemon=True).start()
    return job


def do_housekeeping() -> None:
    """What every start (and, while running, every few minutes) does: clean up after work that
    was interrupted, and remove job files kept long enough. On the desktop, also the
    attachment files older than an hour that no row refers to (left by a save killed midway),
    unless some work is going on: an import's files have no rows until it commits. In both
    editions, the files held for forms that came back with an error and were never saved."""
    do_recover_interrupted_jobs()
    remove_old_files()
    remove_stale_uploads()
    remove_stale_held_files()
    if settings.EDITION != "cloud" and not any_work_alive():
        delete_orphan_blobs()


#: An upload still in the temporary folder after this long belongs to a request that died.
STALE_UPLOAD = timedelta(hours=6)


def remove_stale_uploads() -> None:
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    if not folder.is_dir():
        return
    cutoff = (timezone.now() - STALE_UPLOAD).timestamp()
    for entry in os.scandir(folder):
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            Path(entry.path).unlink(missing_ok=True)


def job_progress(job: Job) -> tuple[str, int]:
    """(phase, whole percent) of a job, wherever this edition keeps its progress."""
    if job.state == Job.State.RUNNING and settings.EDITION != "cloud":
        reported = read_progress(job.pk)
        if reported and reported.get("total"):
            percent = min(99, int(reported["done"] * 100 / reported["total"]))
            return str(reported.get("phase", "")), percent
    return job.phase, job.percent


def remove_old_files() -> None:
    """Delete the files of finished backups after ``KEEP_BACKUP_FILES`` and of uploads never
    imported after ``KEEP_UPLOADS``, and forget those jobs."""
    now = timezone.now()
    old = Job.objects.exclude(path="").filter(
        Q(kind=Job.Kind.BACKUP, created_at__lt=now - KEEP_BACKUP_FILES)
        | Q(kind=Job.Kind.IMPORT, created_at__lt=now - KEEP_UPLOADS)
    )
    old = old.exclude(state=Job.State.RUNNING)
    if not old.exists():
        return
    files = job_files()
    for job in old:
        try:
            files.delete(job)
        except Exception:
            log.exception("could not delete the file of job %s", job.pk)
            continue
        job.delete()
