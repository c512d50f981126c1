"""``partida worker`` and ``partida backups run-due|list``: the automatic backups for operators.

``partida worker`` runs the background jobs from the database queue (django-tasks-db: a job is
claimed with ``SELECT ... FOR UPDATE SKIP LOCKED``, so two workers never take the same one) and,
every ``PARTIDA_WORKER_SCHEDULE_SECONDS`` (60), queues the backups that are due. Run as many
workers as you like against one database and one object store.
"""

import argparse
import datetime
import logging
import random
import time

from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from partida.autobackups.config import worker_name
from partida.autobackups.models import StoredBackup
from partida.autobackups.retention import backups_of
from partida.autobackups.runner import run_stored_backup
from partida.autobackups.schedule import run_due_backups
from partida.backups.jobs import do_housekeeping
from partida.backups.tunables import number_setting
from partida.books.numbers import format_count
from partida.cli import CliError, find_company, print_json, print_table, subcommand

log = logging.getLogger(__name__)


#: How often a worker cleans up after jobs whose worker died (a lease lasts 10 minutes).
HOUSEKEEPING_EVERY_SECONDS = 60


def schedule_every() -> float:
    return number_setting("PARTIDA_WORKER_SCHEDULE_SECONDS", 60)


def prune_finished_jobs(now: datetime.datetime) -> int:
    """Forget jobs that ended more than ``PARTIDA_WORKER_KEEP_FINISHED_JOBS_DAYS`` (7) ago."""
    from django_tasks_db.models import DBTaskResult

    keep = datetime.timedelta(days=number_setting("PARTIDA_WORKER_KEEP_FINISHED_JOBS_DAYS", 7))
    deleted, _per_model = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - keep).delete()
    )
    return deleted


def claim_task(worker_id: str):
    """The next ready job of any queue, claimed for this worker; None when there is none."""
    from django.db.utils import OperationalError
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    tasks = DBTaskResult.objects.ready()
    try:
        with exclusive_transaction(tasks.db):
            result = tasks.get_locked()
            if result is not None:
                result.claim(worker_id)
            return result
    except OperationalError as error:
        if is_locked_database_exception(error):  # SQLite, busy: try again later
            return None
        raise


def run_worker(*, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None) -> int:
    """Run jobs and the schedule until stopped (SIGINT/SIGTERM: after the current job).

    ``batch``: queue what is due, run every job there is, and stop when the queue is empty.
    Returns the number of jobs run.
    """
    from django_tasks_db.management.commands.db_worker import Worker

    worker_id = worker_name()
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id[:64],
        excluded_queue_names=[],
    )
    worker.configure_signals()
    every = schedule_every()
    next_schedule = next_housekeeping = time.monotonic()
    ran = 0
    while worker.running:
        close_old_connections()
        if time.monotonic() >= next_schedule:
            try:
                now = timezone.now()
                queued = run_due_backups(now)
                prune_finished_jobs(now)
                if queued:
                    # The worker's own line on the terminal: in the person's language.
                    log.warning(
                        ngettext(
                            "Queued %(count)s backup.", "Queued %(count)s backups.", len(queued)
                        )
                        % {"count": format_count(len(queued))}
                    )
            except Exception:
                log.exception("queuing the backups that are due failed")
            # A little jitter keeps many workers from scheduling at the same instant.
            next_schedule = time.monotonic() + every * random.uniform(0.9, 1.1)
        if time.monotonic() >= next_housekeeping:
            try:
                do_housekeeping()  # jobs of workers that died: marked interrupted
            except Exception:
                log.exception("housekeeping failed")
            next_housekeeping = time.monotonic() + HOUSEKEEPING_EVERY_SECONDS
        result = claim_task(worker_id[:64])
        if result is not None:
            worker.run_task(result)
            ran += 1
            if max_tasks is not None and ran >= max_tasks:
                break
            continue
        if batch:
            break
        close_old_connections()
        time.sleep(interval)
    worker.reset_signals()
    return ran


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help=gettext("Seconds to wait when there is no job (1)."),
    )
    parser.add_argument(
        "--batch",
        action="store_true",
        help=gettext("Queue what is due, run every job there is, then stop."),
    )
    parser.add_argument(
        "--max-tasks", type=int, default=None, help=gettext("Stop after this many jobs.")
    )


@subcommand(
    "worker",
    gettext_lazy("Run the background jobs and the automatic backups (cloud edition)."),
    add_worker_arguments,
)
def worker(args: argparse.Namespace) -> int:
    if args.interval < 0 or (args.max_tasks is not None and args.max_tasks < 1):
        raise CliError(gettext("--interval must not be negative and --max-tasks at least 1."))
    logging.getLogger("partida").setLevel(logging.INFO)
    print(gettext("Worker %(name)s started (Ctrl+C stops it).") % {"name": worker_name()})
    ran = run_worker(interval=args.interval, batch=args.batch, max_tasks=args.max_tasks)
    print(
        ngettext("Worker stopped after %(count)d job.", "Worker stopped after %(count)d jobs.", ran)
        % {"count": ran}
    )
    return 0


def backup_row(backup: StoredBackup) -> dict:
    return {
        "id": str(backup.pk),
        "company_id": str(backup.company_id),
        "company": backup.company_name,
        "created_at": backup.created_at.isoformat(),
        "state": backup.state,
        "size": backup.size,
        "parts": backup.parts,
        "attempts": backup.attempts,
        "storage_key": backup.storage_key,
        "error": backup.error,
    }


def print_backup(backup: StoredBackup) -> None:
    if backup.state == StoredBackup.State.VERIFIED:
        print(
            gettext("%(company)s: verified, %(size)s bytes (%(key)s)")
            % {
                "company": backup.company_name,
                "size": format_count(backup.size),
                "key": backup.storage_key,
            }
        )
    elif backup.state == StoredBackup.State.FAILED:
        print(
            gettext("%(company)s: failed: %(error)s")
            % {"company": backup.company_name, "error": backup.error}
        )
    else:
        print(
            gettext("%(company)s: %(state)s")
            % {"company": backup.company_name, "state": backup.get_state_display()}
        )


def run_due(args: argparse.Namespace) -> int:
    queued = run_due_backups(timezone.now(), enqueue=False)
    if not queued:
        print(gettext("No backup is due."))
        return 0
    failed = 0
    for backup in queued:
        done = run_stored_backup(backup.pk)
        if done is None:
            print(gettext("%(company)s: taken by a worker") % {"company": backup.company_name})
            continue
        print_backup(done)
        failed += done.state == StoredBackup.State.FAILED
    return 1 if failed else 0


def company_key(text: str):
    """A company by name or key; a key also names a company deleted since its backups."""
    import uuid

    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return find_company(text).pk


def list_backups(args: argparse.Namespace) -> int:
    key = company_key(args.company)
    rows = backups_of(key)
    if args.json:
        print_json([backup_row(backup) for backup in rows])
        return 0
    if not rows:
        print(gettext("This company has no stored backups yet."))
        return 0
    header = [
        gettext("Created (UTC)"),
        gettext("State"),
        gettext("Size"),
        gettext("Backup"),
        gettext("Reason"),
    ]
    print_table(
        [header]
        + [
            [
                backup.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                backup.get_state_display(),
                format_count(backup.size),
                str(backup.pk),
                backup.error,
            ]
            for backup in rows
        ],
        right={2},
    )
    return 0


def add_backups_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="backups_action", metavar="ACTION")
    due = actions.add_parser(
        "run-due",
        help=gettext("Run every backup that is due now, once, here (without a worker)."),
    )
    due.set_defaults(backups_run=run_due)
    listing = actions.add_parser("list", help=gettext("List a company's stored backups."))
    listing.add_argument(
        "company",
        metavar=pgettext("command-line argument", "company"),
        help=gettext("The company's name or key."),
    )
    listing.add_argument("--json", action="store_true", help=gettext("Print JSON."))
    listing.set_defaults(backups_run=list_backups)


@subcommand(
    "backups",
    gettext_lazy("Automatic backups: run-due, list (cloud edition)."),
    add_backups_arguments,
)
def backups(args: argparse.Namespace) -> int:
    run = getattr(args, "backups_run", None)
    if run is None:
        raise CliError(gettext("Say what to do: partida backups run-due, or partida backups list."))
    return run(args)
