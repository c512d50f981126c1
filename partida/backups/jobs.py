"""Backups and imports run as jobs beside the request, reporting progress as they go.

A large company takes longer than a browser waits for one response, so the screen starts a job
and polls it. On the desktop edition a job runs in a thread of the server process.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from partida.archive.errors import ArchiveError
from partida.archive.writer import Progress
from partida.backups.export import backup_to_file
from partida.backups.importer import do_import_company
from partida.backups.messages import archive_error_message
from partida.backups.models import Job
from partida.backups.progress import work
from partida.books.models import Company

log = logging.getLogger(__name__)
REPORT_EVERY_SECONDS = 0.3
KEEP_FINISHED_FILES = timedelta(days=1)


def work_folder(name: str) -> Path:
    folder = Path(settings.PARTIDA_HOME) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def progress_recorder(job: Job) -> Callable[[Progress], None]:
    last = [0.0]

    def record(progress: Progress) -> None:
        now = time.monotonic()
        if now - last[0] < REPORT_EVERY_SECONDS:
            return
        last[0] = now
        done, total = work(progress)
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    return record


def run_backup_job(job: Job) -> None:
    company = Company.objects.get(pk=job.company_id)
    path = work_folder("exports") / f"{job.pk}.manager"
    parts = set(job.options.get("parts", []))
    backup_to_file(company, path, parts, progress=progress_recorder(job))
    job.path = str(path)


def run_import_job(job: Job) -> None:
    try:
        company = do_import_company(
            job.path,
            new_name=job.options.get("new_name") or None,
            progress=progress_recorder(job),
        )
    finally:
        Path(job.path).unlink(missing_ok=True)
    job.company_id = company.pk


def unexpected_failure() -> str:
    return _(
        "Something went wrong and nothing was changed. Try again; if it keeps happening, "
        "tell support the time it happened."
    )


RUNNERS = {Job.Kind.BACKUP: run_backup_job, Job.Kind.IMPORT: run_import_job}


def run_job(job_id) -> None:
    """Run a job to its end, recording success or a message the user can act on."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
    try:
        RUNNERS[job.kind](job)
    except ArchiveError as error:
        finish(job, Job.State.FAILED, archive_error_message(error))
    except Exception:
        log.exception("%s job %s failed", job.kind, job.pk)
        finish(job, Job.State.FAILED, unexpected_failure())
    else:
        finish(job, Job.State.DONE, "")


def finish(job: Job, state: str, error: str) -> None:
    job.state, job.error, job.finished_at = state, error, timezone.now()
    job.save(update_fields=["state", "error", "finished_at", "path", "company_id"])


def start(job: Job) -> Job:
    """Run the job in a thread (or at once, where settings ask for it, as in tests)."""
    remove_old_files()
    if not getattr(settings, "PARTIDA_JOBS_IN_THREADS", True):
        run_job(job.pk)
        job.refresh_from_db()
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
    cutoff = timezone.now() - KEEP_FINISHED_FILES
    for job in Job.objects.filter(created_at__lt=cutoff).exclude(path=""):
        Path(job.path).unlink(missing_ok=True)
        job.delete()
