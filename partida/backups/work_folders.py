"""A folder of its own for each backup or import at work on this machine.

Everything an import or a backup makes before it is complete lives in its work folder
(``<data folder>/work/<key>/``): the import's staging database, the temporary files of the
attachments it stores, the partial backup file, its progress and a request to cancel it. What it
makes outside the folder before it is complete, the attachment files it stores, is written in
the folder's journal first. Once the work ends, however it ends, the folder is removed.

A process that dies (SIGKILL, a power cut) cannot clean up, so every work folder has a lock:
the process at work holds an exclusive ``flock`` on ``<folder>/lock`` for as long as it runs, and
the operating system lets go of it when the process dies, however it dies. Any later process can
therefore tell work in progress from work that was interrupted without trusting a clock, and
``recover_interrupted_work`` undoes what the journal of an interrupted one lists.

Progress lives here too, not in the database: on SQLite an import holds the database's only
write lock while it saves the new company, and progress written to the database would wait
behind it (it once waited 20 seconds for every report, and an import took ten minutes).
"""

import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

ROOT = "work"
LOCK = "lock"
PROGRESS = "progress.json"
CANCEL = "cancel"
JOURNAL = "journal"
REPORT_EVERY_SECONDS = 0.25


class WorkInProgress(Exception):
    """Another process is already at work in that folder."""


def work_root() -> Path:
    return Path(settings.PARTIDA_HOME) / ROOT


def folder_of(key) -> Path:
    return work_root() / str(key)


class WorkFolder:
    """The work folder of one job (or of one command), locked by this process while it works.

    Use it as a context manager: the folder is made and locked on entry, and removed on exit.
    """

    def __init__(self, key=None) -> None:
        self.key = str(key or uuid.uuid4())
        self.path = folder_of(self.key)
        self._lock_fd: int | None = None
        self._last_report = 0.0

    # Life cycle

    def __enter__(self) -> "WorkFolder":
        self.open()
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def open(self) -> None:
        while True:
            self.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise WorkInProgress(self.key) from None
            # A recovery may have removed the folder between our open and our lock: then the
            # lock we hold is on a file nobody else can see, and we start again.
            try:
                same = os.stat(self.path / LOCK).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._lock_fd = fd
                return
            os.close(fd)

    def close(self) -> None:
        """Remove the folder, then let go of the lock (so nobody finds it unlocked first)."""
        if self._lock_fd is None:
            return
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self._lock_fd)
        self._lock_fd = None

    # What the work writes here

    def file(self, name: str) -> Path:
        return self.path / name

    def note(self, kind: str, value: str) -> None:
        """Write in the journal something made outside the folder, before making it."""
        with open(self.path / JOURNAL, "a", encoding="utf-8") as journal:
            journal.write(f"{kind} {value}\n")

    def report(self, phase: str, done: int, total: int, force: bool = False) -> None:
        """Keep the progress for the screens (at most four times a second)."""
        now = time.monotonic()
        if not force and now - self._last_report < REPORT_EVERY_SECONDS:
            return
        self._last_report = now
        write_json_atomically(self.path / PROGRESS, {"phase": phase, "done": done, "total": total})

    def cancel_requested(self) -> bool:
        return (self.path / CANCEL).exists()

    def pause_for_tests(self, moment: str) -> None:
        """**Tests only**: with ``PARTIDA_TEST_ONLY_PAUSE_AT=<moment>``, stop here for a minute
        (or until a cancel is requested), after leaving a ``paused`` file in the folder, so that
        a test can kill or cancel the work at exactly that moment. Never set it in production."""
        if os.environ.get("PARTIDA_TEST_ONLY_PAUSE_AT") != moment:
            return
        (self.path / "paused").write_text(moment)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not self.cancel_requested():
            time.sleep(0.05)


def write_json_atomically(path: Path, value: dict) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(value))
    os.replace(temporary, path)


def read_progress(key) -> dict | None:
    """The last progress a job reported (``phase``, ``done``, ``total``), if it is at work."""
    try:
        return json.loads((folder_of(key) / PROGRESS).read_text())
    except (FileNotFoundError, ValueError):
        return None


def request_cancel(key) -> bool:
    """Ask the work in that folder to stop; False when no such work is going on."""
    folder = folder_of(key)
    if not is_alive(key):
        return False
    (folder / CANCEL).touch()
    return True


def is_alive(key) -> bool:
    """Whether a process is at work in that folder (it holds the folder's lock)."""
    try:
        fd = os.open(folder_of(key) / LOCK, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def any_work_alive() -> bool:
    root = work_root()
    return root.is_dir() and any(is_alive(folder.name) for folder in root.iterdir())


def journal_entries(folder: Path) -> list[tuple[str, str]]:
    try:
        lines = (folder / JOURNAL).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [tuple(line.split(" ", 1)) for line in lines if " " in line]  # type: ignore[misc]


def undo_journal(folder: Path) -> None:
    """Remove what an interrupted work made outside its folder, as its journal lists."""
    from partida.attachments.store import delete_unused_blobs_now

    entries = journal_entries(folder)
    delete_unused_blobs_now(value for kind, value in entries if kind == "blob")
    for kind, value in entries:
        if kind == "partial":  # the folder and name prefix of a backup's partial file
            prefix = Path(value)
            for partial in prefix.parent.glob(f"{prefix.name}*.partial"):
                partial.unlink(missing_ok=True)


def recover_interrupted_work() -> list[str]:
    """Clean up after every work whose process died; return the keys of those works.

    Live work (its lock held by a process) is left alone.
    """
    root = work_root()
    if not root.is_dir():
        return []
    recovered = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir():
            continue
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # at work right now
            undo_journal(folder)
            shutil.rmtree(folder, ignore_errors=True)
            recovered.append(folder.name)
        except Exception:
            log.exception("could not clean up the interrupted work in %s", folder)
        finally:
            os.close(fd)
    return recovered
