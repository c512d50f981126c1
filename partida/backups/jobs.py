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
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from partida.archive.errors import ArchiveError
from partida.archive.writer import Progress
from partida.backups.export import backup_to_file
from partida.backups.importer import do_import_company
from partida.backups.job_files import job_files
from partida.backups.job_files import work_folder as work_folder  # where it used to be
from partida.backups.messages import archive_error_message
from partida.backups.models import Job
from partida.backups.progress import work
from partida.books.models import Company

log = logging.getLogger(__name__)
REPORT_EVERY_SECONDS = 0.3
KEEP_FINISHED_FILES = timedelta(days=1)


class ProgressRecorder:
    """Records a job's progress through a connection of its own.

    The backup itself reads inside one long read transaction; writing progress there would
    turn it into a write transaction that blocks everyone else, and nobody would see the
    progress before it ends. A second connection commits each report at once.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        self.last = 0.0
        table = self.connection.ops.quote_name(Job._meta.db_table)
        self.sql = f"UPDATE {table} SET done = %s, total = %s WHERE id = %s"
        self.key = Job._meta.pk.get_db_prep_value(job.pk, self.connection)

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last < REPORT_EVERY_SECONDS:
            return
        self.last = now
        done, total = work(progress)
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(self.sql, [done, total, self.key])
        except DatabaseError:
            # A busy database delays the bar, never the backup: the next report catches up.
            log.debug("progress of job %s not recorded", self.job.pk, exc_info=True)

    def close(self) -> None:
        self.connection.close()


@contextmanager
def progress_recorder(job: Job) -> Iterator[ProgressRecorder]:
    recorder = ProgressRecorder(job)
    try:
        yield recorder
    finally:
        recorder.close()


def run_backup_job(job: Job) -> None:
    """Write the backup (in the data folder, or locally and then to the object store)."""
    company = Company.objects.get(pk=job.company_id)
    parts = set(job.options.get("parts", []))
    files = job_files()
    folder = Path(tempfile.mkdtemp(prefix="partida-job-"))
    try:
        path = files.backup_path(job, folder)
        with progress_recorder(job) as progress:
            backup_to_file(company, path, parts, progress=progress)
        files.keep_backup(job, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_import_job(job: Job) -> None:
    """Import the uploaded file (from a local copy of it, in the cloud); then delete it."""
    files = job_files()
    try:
        with files.local_copy(job) as path, progress_recorder(job) as progress:
            company = do_import_company(
                path, new_name=job.options.get("new_name") or None, progress=progress
            )
    finally:
        files.delete(job)
    job.company_id = company.pk


def unexpected_failure() -> str:
    return _(
        "Something went wrong and nothing was changed. Try again; if it keeps happening, "
        "tell support the time it happened."
    )


RUNNERS = {Job.Kind.BACKUP: run_backup_job, Job.Kind.IMPORT: run_import_job}


def run_job(job_id) -> None:
    """Run a waiting job to its end, recording success or a message the user can act on.

    Taking the job is one conditional UPDATE (waiting → running): a job runs once, whoever
    else is asked to run it.
    """
    if not Job.objects.filter(pk=job_id, state=Job.State.WAITING).update(state=Job.State.RUNNING):
        log.warning("job %s is not waiting (gone, or taken by another process)", job_id)
        return
    job = Job.objects.get(pk=job_id)
    try:
        RUNNERS[job.kind](job)
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


def remove_old_files() -> None:
    """Forget jobs older than ``KEEP_FINISHED_FILES`` that have a file, deleting the file."""
    cutoff = timezone.now() - KEEP_FINISHED_FILES
    old = Job.objects.filter(created_at__lt=cutoff).exclude(path="")
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
