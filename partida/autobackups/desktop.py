"""Automatic backups on the desktop edition: every company, to a folder the person chooses.

The settings are one ``DesktopSchedule`` row (the "Automatic backups" screen). While ``partida
serve`` runs, a thread of its own (``AutomaticBackups``), with its own database connection,
backs up every company that is due: one whose newest verified backup in the chosen folder is
older than ``PARTIDA_BACKUP_EVERY_HOURS`` (24), checked at start (so a backup missed while the
program was closed runs at the next start) and then every ``PARTIDA_BACKUP_CHECK_SECONDS``
(60), or at once when the settings are saved. With "when Partida is closed", every company is
backed up as the server stops (Ctrl+C, SIGTERM), with a progress line on the terminal; if the
server was killed before it could, they run at its next start.

Each backup is a ``StoredBackup`` whose ``storage_key`` is the absolute path of its file:

1. a row in state *running* is created first (the database allows one in progress per company),
   naming a private file ``.partida-<key>.manager`` in the folder;
2. the backup is written there atomically and verified (``backup_to_file``: the bytes go to a
   ``.partial`` file that is read back and checked before it is renamed);
3. it is given its name, ``<company> (<YYYY-MM-DD HH.MM>).manager`` (`` 2``, `` 3``… when taken)
   with a hard link, which never replaces a file that is there (on a file system without hard
   links, a rename after checking the name is free);
4. its size and SHA-256 are recorded and it becomes *verified*; retention then runs.

A file is Partida's own only if a row records it and its size and SHA-256 still match: retention
hashes a file again before deleting it, and a file changed since is left alone (its row is
marked failed, so it is no longer counted). A file in the folder that no row records is never
touched, whatever its name. The newest verified backup is always kept (``backups_to_keep``).

A backup interrupted by a killed server leaves its row *running*; the next start (or, for a
server still running, once its heartbeat is older than the lease) marks it failed and removes
its private files.
"""

import contextlib
import datetime
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partida.archive.writer import Progress
from partida.autobackups.config import (
    backup_interval,
    heartbeat_every,
    keep_failed,
    lease_time,
    retry_delay,
)
from partida.autobackups.config import worker_name as process_name
from partida.autobackups.models import DesktopSchedule, StoredBackup, in_folder
from partida.autobackups.retention import backups_to_keep
from partida.autobackups.runner import Lease, LeaseLost, failure_reason
from partida.backups.export import EXTENSION, backup_to_file, safe_file_stem
from partida.backups.storage import sha256_of
from partida.backups.tunables import number_setting
from partida.books.models import Company

log = logging.getLogger(__name__)

State = StoredBackup.State
Every = DesktopSchedule.Every
PRIVATE_PREFIX = ".partida-"
#: How many names (`` 2``, `` 3``…) are tried before a backup gives up on finding a free one.
MAX_NAME_TRIES = 1000
FINISH_TRIES = 5

#: Set to make the backup thread look at once (the settings were just saved).
WAKE = threading.Event()


def is_desktop() -> bool:
    return getattr(settings, "EDITION", "desktop") != "cloud"


def check_every() -> float:
    return number_setting("PARTIDA_BACKUP_CHECK_SECONDS", 60)


def current_schedule() -> DesktopSchedule:
    """The installation's settings (not saved yet: the defaults, switched off)."""
    return DesktopSchedule.objects.filter(pk=1).first() or DesktopSchedule(pk=1)


# The folder


def folder_path(text: str) -> Path:
    return Path(os.path.abspath(os.path.expanduser(text.strip())))


def example_folder() -> str:
    from platformdirs import user_documents_dir

    return os.path.join(user_documents_dir(), _("Partida backups"))


def folder_problem(text: str) -> str | None:
    """Why backups cannot be written in the folder ``text``, in one sentence, or None."""
    text = text.strip()
    if not text:
        return _("Write the full path of the folder for the backups, such as %(example)s.") % {
            "example": example_folder()
        }
    if not os.path.isabs(os.path.expanduser(text)):
        return _(
            "“%(folder)s” is not a full path: write it from the start, such as %(example)s."
        ) % {"folder": text, "example": example_folder()}
    path = folder_path(text)
    if not path.exists():
        return _("There is no folder “%(folder)s”: create it first, or choose another one.") % {
            "folder": path
        }
    if not path.is_dir():
        return _("“%(folder)s” is a file, not a folder: choose a folder.") % {"folder": path}
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=f"{PRIVATE_PREFIX}write-check-"):
            pass
    except OSError as error:
        return _(
            "Partida may not write in “%(folder)s” (%(error)s): choose a folder you can write to."
        ) % {"folder": path, "error": error.strerror or error}
    return None


class FolderProblem(Exception):
    """The chosen folder cannot take the backup; the message is the sentence saying why."""


def folder_prefix(schedule: DesktopSchedule) -> str:
    return os.path.join(str(folder_path(schedule.folder)), "")


def backup_file_name(company_name: str, moment: datetime.datetime, number: int = 1) -> str:
    """``<company> (<YYYY-MM-DD HH.MM>).manager``, local time; `` 2``, `` 3``… after it."""
    stamp = timezone.localtime(moment).strftime("%Y-%m-%d %H.%M")
    extra = f" {number}" if number > 1 else ""
    return f"{safe_file_stem(company_name)} ({stamp}){extra}{EXTENSION}"


def give_name(private: Path, company_name: str, moment: datetime.datetime) -> Path:
    """Give the finished file at ``private`` its name in the folder, never replacing a file."""
    for number in range(1, MAX_NAME_TRIES + 1):
        target = private.parent / backup_file_name(company_name, moment, number)
        try:
            os.link(private, target)  # fails if the name is taken: nothing is replaced
        except FileExistsError:
            continue
        except OSError:
            # No hard links here (FAT, some network or synced drives): rename to a free name.
            if os.path.lexists(target):
                continue
            os.rename(private, target)
            return target
        private.unlink()
        return target
    raise FileExistsError(private.parent / backup_file_name(company_name, moment))


def private_files(private: Path) -> list[Path]:
    """The files a backup writing ``private`` may have left: it, and the writer's partial."""
    found = [private] if os.path.lexists(private) else []
    with contextlib.suppress(OSError):
        found += [
            private.parent / name
            for name in os.listdir(private.parent)
            if name.startswith(f".{private.name}.") and name.endswith(".partial")
        ]
    return found


def remove_private_files(key: str) -> None:
    if not key or not os.path.basename(key).startswith(PRIVATE_PREFIX):
        return  # only a backup's own private files, never a named backup
    for path in private_files(Path(key)):
        try:
            path.unlink()
        except OSError:
            log.warning("could not remove %s", path, exc_info=True)


# One backup


class DesktopLease(Lease):
    """The runner's lease; a busy database (an import being saved) delays a heartbeat, never
    the backup.

    Inside a transaction of the caller's (a test's), whose rows another connection cannot see
    and whose write lock it would wait for, the lease writes through that transaction instead.
    """

    def __init__(self, backup: StoredBackup) -> None:
        self.own_connection = not connection.in_atomic_block
        if self.own_connection:
            super().__init__(backup)
            return
        self.backup = backup
        self.every = heartbeat_every()
        self.last = time.monotonic()
        self._connection = connection

    def close(self) -> None:
        if self.own_connection:
            super().close()

    def progress(self, _progress: Progress | int | None = None) -> None:
        try:
            self.beat()
        except DatabaseError:
            log.debug("heartbeat of backup %s not recorded", self.backup.pk, exc_info=True)

    def finish(self, **values) -> None:
        for attempt in range(FINISH_TRIES):
            try:
                super().finish(**values)
                return
            except DatabaseError:
                if attempt == FINISH_TRIES - 1:
                    raise
                time.sleep(2)


def failure_sentence(error: BaseException) -> str:
    if isinstance(error, FolderProblem):
        return str(error)
    return failure_reason(error)


def run_backup(
    company: Company,
    schedule: DesktopSchedule,
    report: Callable[[Progress], None] | None = None,
    now: datetime.datetime | None = None,
) -> StoredBackup | None:
    """Back the company up to the schedule's folder, now; None if one is in progress."""
    folder = folder_path(schedule.folder)
    now = now or timezone.now()
    key = uuid.uuid4()
    private = folder / f"{PRIVATE_PREFIX}{key}{EXTENSION}"
    try:
        backup = StoredBackup.objects.create(
            id=key,
            company_id=company.pk,
            company_name=company.name,
            created_at=now,
            heartbeat_at=now,
            trigger=StoredBackup.Trigger.SCHEDULE,
            state=State.RUNNING,
            parts=sorted(schedule.parts),
            storage_key=str(private),
            attempts=1,
            worker=process_name()[:100],
        )
    except IntegrityError:
        return None  # another backup of this company is in progress
    lease = DesktopLease(backup)

    def progress(done: Progress) -> None:
        lease.progress()
        if report is not None:
            report(done)

    named: Path | None = None
    try:
        problem = folder_problem(schedule.folder)
        if problem:
            raise FolderProblem(problem)
        encryption = {"passphrase": schedule.passphrase} if schedule.passphrase else {}
        backup_to_file(company, private, set(backup.parts), progress=progress, **encryption)
        lease.beat(force=True)
        named = give_name(private, company.name, now)
        size, sha256 = named.stat().st_size, sha256_of(named)
        lease.finish(
            state=State.VERIFIED,
            size=size,
            sha256=sha256,
            storage_key=str(named),
            heartbeat_at=None,
        )
    except LeaseLost:
        log.warning("backup %s was taken over; this attempt stops", backup.pk)
        discard_files(private, named)
        return None
    except Exception as error:
        if not isinstance(error, FolderProblem | Company.DoesNotExist):
            log.exception("automatic backup of %s failed", company.name)
        discard_files(private, named)
        try:
            lease.finish(
                state=State.FAILED,
                error=failure_sentence(error),
                storage_key="",
                heartbeat_at=None,
            )
        except (LeaseLost, DatabaseError):
            log.exception("could not record the failure of backup %s", backup.pk)
    except BaseException:
        # Interrupted (Ctrl+C while closing): nothing of it stays, and it says so.
        discard_files(private, named)
        StoredBackup.objects.filter(pk=backup.pk, state=State.RUNNING).update(
            state=State.FAILED, error=interrupted_sentence(), storage_key="", heartbeat_at=None
        )
        raise
    finally:
        lease.close()
    backup.refresh_from_db()
    if backup.verified:
        try:
            apply_folder_retention(company.pk, schedule)
        except Exception:
            log.exception("retention of the backups of %s failed", company.name)
    return backup


def discard_files(private: Path, named: Path | None) -> None:
    remove_private_files(str(private))
    if named is not None:
        with contextlib.suppress(OSError):
            named.unlink()


def interrupted_sentence() -> str:
    return _(
        "The backup was interrupted: Partida stopped before it was finished. The next one "
        "runs as usual."
    )


# Interrupted backups


def process_alive(worker: str) -> bool:
    """Whether the process named ``host:pid`` may still be running (True when unsure)."""
    host, _colon, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def recover_interrupted(now: datetime.datetime | None = None) -> list[StoredBackup]:
    """Mark failed the folder backups left running by a server that died (its process is gone,
    or its heartbeat is older than the lease), removing their private files."""
    now = now or timezone.now()
    found = []
    running = StoredBackup.objects.filter(in_folder(), state__in=StoredBackup.IN_PROGRESS)
    for backup in running:
        beaten = backup.heartbeat_at or backup.created_at
        if process_alive(backup.worker) and beaten > now - lease_time():
            continue
        taken = StoredBackup.objects.filter(
            pk=backup.pk, state=backup.state, heartbeat_at=backup.heartbeat_at
        ).update(state=State.FAILED, error=interrupted_sentence(), heartbeat_at=None)
        if taken:
            remove_private_files(backup.storage_key)
            found.append(backup)
    return found


# Which companies are due


def due_companies(schedule: DesktopSchedule, now: datetime.datetime) -> list[Company]:
    """Companies with no verified backup in the folder within the interval, none in progress,
    and no failure within the retry delay since the settings were last saved (an interrupted
    backup is not a failure of the folder: it is made again at once)."""
    if not schedule.enabled or schedule.every != Every.DAILY or not schedule.folder:
        return []
    # A backup that was interrupted never finished: the next one need not wait.
    failed = Q(state=State.FAILED, finished_at__isnull=False, created_at__gt=now - retry_delay())
    if schedule.saved_at:
        failed &= Q(created_at__gte=schedule.saved_at)
    recent = (
        Q(state__in=StoredBackup.IN_PROGRESS)
        | Q(
            state=State.VERIFIED,
            created_at__gt=now - backup_interval(),
            storage_key__startswith=folder_prefix(schedule),
        )
        | failed
    )
    busy = StoredBackup.objects.filter(recent).values("company_id")
    return list(Company.objects.exclude(pk__in=busy).order_by("created_at", "id"))


# Retention


def changed_sentence() -> str:
    return _(
        "The file was changed after Partida wrote it, so Partida left it alone and no longer "
        "counts it as a backup."
    )


def missing_sentence() -> str:
    return _("The file is no longer in its folder.")


def still_ours(backup: StoredBackup) -> bool:
    """Whether the file is the one the backup wrote: the same size and SHA-256."""
    path = Path(backup.storage_key)
    try:
        return path.stat().st_size == backup.size and sha256_of(path) == backup.sha256
    except OSError:
        return False


def apply_folder_retention(
    company_id, schedule: DesktopSchedule, today: datetime.date | None = None
) -> list[StoredBackup]:
    """Delete the company's folder backups the schedule's rules do not keep; returns them.

    Only files a verified row records, whose size and SHA-256 (hashed again now) still match,
    are deleted; a changed one is left in place and its row marked failed. A file gone from a
    folder that is still there marks its row failed; one on a folder that is not reachable
    (an unplugged drive) is left as it is. Failed rows older than
    ``PARTIDA_BACKUP_KEEP_FAILED_DAYS`` are forgotten (their files, if any, are not touched).
    """
    today = today or timezone.now().astimezone(datetime.UTC).date()
    verified = StoredBackup.objects.filter(in_folder(), company_id=company_id, state=State.VERIFIED)
    present = []
    for backup in verified:
        path = Path(backup.storage_key)
        if path.is_file():
            present.append(backup)
        elif path.parent.is_dir():
            mark_failed(backup, missing_sentence())
    rules = {
        "daily": schedule.keep_daily,
        "weekly": schedule.keep_weekly,
        "monthly": schedule.keep_monthly,
    }
    kept = {backup.pk for backup in backups_to_keep(present, today, **rules)}
    deleted = []
    for backup in present:
        if backup.pk in kept:
            continue
        if not still_ours(backup):
            mark_failed(backup, changed_sentence())
            continue
        Path(backup.storage_key).unlink(missing_ok=True)
        StoredBackup.objects.filter(pk=backup.pk).delete()
        deleted.append(backup)
    StoredBackup.objects.filter(
        in_folder(),
        company_id=company_id,
        state=State.FAILED,
        created_at__lt=timezone.now() - keep_failed(),
    ).delete()
    return deleted


def mark_failed(backup: StoredBackup, reason: str) -> None:
    StoredBackup.objects.filter(pk=backup.pk, state=State.VERIFIED).update(
        state=State.FAILED, error=reason
    )


# Running them


def run_due_backups(
    now: datetime.datetime | None = None, stopping: threading.Event | None = None
) -> list[StoredBackup]:
    """Run every backup that is due now, one after the other; returns those that ran."""
    schedule = current_schedule()
    done = []
    for company in due_companies(schedule, now or timezone.now()):
        if stopping is not None and stopping.is_set():
            break
        backup = run_backup(company, schedule, now=now)
        if backup is not None:
            done.append(backup)
            say_done(backup)
    return done


def run_every_company(schedule: DesktopSchedule, terminal: bool = False) -> list[StoredBackup]:
    """Back every company up now (the backups made when Partida is closed)."""
    done = []
    for company in Company.objects.order_by("name", "created_at"):
        report = None
        if terminal:
            from partida.backups.progress import work
            from partida.cli import ProgressLine

            line = ProgressLine()
            stage = _("Backing up “%(company)s”") % {"company": company.name}

            def report(progress: Progress, line=line, stage=stage) -> None:
                line(stage, *work(progress))

        backup = run_backup(company, schedule, report)
        if backup is not None:
            done.append(backup)
            say_done(backup)
    return done


def say_done(backup: StoredBackup) -> None:
    """One line on the server's terminal for each automatic backup."""
    if backup.verified:
        line = _("Automatic backup of “%(company)s”: %(file)s") % {
            "company": backup.company_name,
            "file": backup.storage_key,
        }
    else:
        line = _("The automatic backup of “%(company)s” failed: %(reason)s") % {
            "company": backup.company_name,
            "reason": backup.error,
        }
    print(line, flush=True)


def note_serving(schedule: DesktopSchedule, since: datetime.datetime | None) -> None:
    DesktopSchedule.objects.filter(pk=schedule.pk).update(serving_since=since)


class AutomaticBackups:
    """The backups of a running ``partida serve``: a thread that runs what is due, and the
    backups made when it stops."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.language = translation.get_language()
        self.thread = threading.Thread(target=self.loop, name="partida-backups", daemon=True)

    def start(self) -> "AutomaticBackups":
        self.thread.start()
        return self

    def loop(self) -> None:
        translation.activate(self.language or settings.LANGUAGE_CODE)
        first = True
        while not self.stopping.is_set():
            try:
                close_old_connections()
                if first:
                    recover_interrupted()
                    self.catch_up_closing()
                    first = False
                schedule = current_schedule()
                closing = schedule.enabled and schedule.every == Every.CLOSING
                if closing and schedule.serving_since is None:
                    note_serving(schedule, timezone.now())
                run_due_backups(stopping=self.stopping)
            except Exception:
                log.exception("automatic backups failed")
            finally:
                connection.close()
            WAKE.wait(check_every())
            WAKE.clear()

    def catch_up_closing(self) -> None:
        """The backups "when Partida is closed" that a killed server never made: now."""
        schedule = current_schedule()
        if schedule.enabled and schedule.every == Every.CLOSING and schedule.serving_since:
            run_every_company(schedule)
        if schedule.pk and schedule.enabled and schedule.every == Every.CLOSING:
            note_serving(schedule, timezone.now())

    def close(self) -> None:
        """The server is stopping: let a backup in progress finish, then make the backups of
        "when Partida is closed", with progress on the terminal."""
        self.stopping.set()
        WAKE.set()
        if self.thread.is_alive():
            running = StoredBackup.objects.filter(
                in_folder(), state=State.RUNNING, worker=process_name()[:100]
            ).exists()
            if running:
                print(_("Waiting for the automatic backup in progress to finish…"), flush=True)
            self.thread.join()
        try:
            schedule = current_schedule()
            if schedule.enabled and schedule.every == Every.CLOSING:
                print(_("Making the automatic backups before closing…"), flush=True)
                run_every_company(schedule, terminal=True)
                note_serving(schedule, None)
        finally:
            connection.close()


class NoBackups:
    def close(self) -> None:
        pass


def start_while_serving() -> AutomaticBackups | NoBackups:
    """The desktop server's automatic backups (the cloud edition's workers run its own)."""
    if not is_desktop():
        return NoBackups()
    return AutomaticBackups().start()
