"""Passphrases of encrypted backups, held in this process's memory only, for one job each.

A passphrase is never written to the database, a session or a file. The Backup dialog holds the
one typed for a backup until the job's thread takes it; Import company holds, once the person
has typed the passphrase of an uploaded file, only that file's key (``Passphrase.key_only()``:
it opens that file and no other), until the import ends or the upload is discarded. The
desktop edition runs its jobs in threads of the one server process, so that is enough; a
restart forgets them, and the screens then ask again. The cloud edition, whose jobs run in
other processes, does not offer encryption yet.
"""

import threading
import time

#: A passphrase nobody came back for (an abandoned preview) is forgotten after this long.
KEEP_SECONDS = 24 * 3600

_lock = threading.Lock()
_held: dict[str, tuple[float, object]] = {}


def _forget_stale(now: float) -> None:
    for key in [key for key, (since, _) in _held.items() if now - since > KEEP_SECONDS]:
        del _held[key]


def hold(job_id, secret: object) -> None:
    """Keep ``secret`` (a passphrase, or a ``Passphrase`` with only its file key) for the job."""
    now = time.monotonic()
    with _lock:
        _forget_stale(now)
        _held[str(job_id)] = (now, secret)


def held(job_id) -> object | None:
    with _lock:
        _forget_stale(time.monotonic())
        entry = _held.get(str(job_id))
    return entry[1] if entry else None


def release(job_id) -> object | None:
    """Forget the job's secret, returning it (None when there was none)."""
    with _lock:
        entry = _held.pop(str(job_id), None)
    return entry[1] if entry else None
