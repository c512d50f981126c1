"""Passphrases of encrypted backups, for one job each, from the screen to the job that needs it.

The Backup dialog holds the passphrase typed for a backup until the job takes it; Import company
holds, once the person has typed the passphrase of an uploaded file, only that file's key
(``Passphrase.key_only()``: it opens that file and no other), until the import ends or the
upload is discarded.

- The desktop edition runs its jobs in threads of the one server process: the secret stays in
  this process's memory, never in the database, a session or a file; a restart forgets it, and
  the screens then ask again.
- The cloud edition runs its jobs in worker processes: the secret travels in the job's row,
  sealed (``partida.mail.secrets``: Fernet under the service's secret key), and is removed from
  it as soon as the job takes it (a backup) or ends (an import). A job that never runs is
  deleted with its row by the housekeeping.
"""

import base64
import threading
import time

import orjson
from django.conf import settings

from partida.archive.encryption import Passphrase
from partida.backups.models import Job
from partida.mail.secrets import decrypt, encrypt

#: A passphrase nobody came back for (an abandoned preview) is forgotten after this long.
KEEP_SECONDS = 24 * 3600
#: Where the cloud edition keeps a job's sealed secret, in ``Job.options``.
SEALED = "sealed_secret"

_lock = threading.Lock()
_held: dict[str, tuple[float, object]] = {}


def _in_the_jobs_row() -> bool:
    return settings.EDITION == "cloud"


def _forget_stale(now: float) -> None:
    for key in [key for key, (since, _) in _held.items() if now - since > KEEP_SECONDS]:
        del _held[key]


def _sealed(secret: object) -> str:
    if isinstance(secret, Passphrase):
        keys = {
            base64.b64encode(header).decode(): base64.b64encode(key).decode()
            for header, key in secret.file_keys().items()
        }
        return encrypt(orjson.dumps({"file_keys": keys}).decode())
    return encrypt(orjson.dumps({"passphrase": secret}).decode())


def _unsealed(sealed: str) -> object | None:
    text = decrypt(sealed)
    if not text:
        return None  # the service's secret key changed since: the screen asks again
    value = orjson.loads(text)
    if "passphrase" in value:
        return value["passphrase"]
    return Passphrase.with_file_keys(
        {base64.b64decode(h): base64.b64decode(k) for h, k in value["file_keys"].items()}
    )


def _job_options(job_id) -> dict | None:
    options = Job.objects.filter(pk=job_id).values_list("options", flat=True).first()
    return None if options is None else dict(options)


def hold(job_id, secret: object) -> None:
    """Keep ``secret`` (a passphrase, or a ``Passphrase`` with only its file key) for the job."""
    if _in_the_jobs_row():
        options = _job_options(job_id)
        if options is not None:
            Job.objects.filter(pk=job_id).update(options=options | {SEALED: _sealed(secret)})
        return
    now = time.monotonic()
    with _lock:
        _forget_stale(now)
        _held[str(job_id)] = (now, secret)


def held(job_id) -> object | None:
    if _in_the_jobs_row():
        sealed = (_job_options(job_id) or {}).get(SEALED)
        return _unsealed(sealed) if sealed else None
    with _lock:
        _forget_stale(time.monotonic())
        entry = _held.get(str(job_id))
    return entry[1] if entry else None


def release(job_id) -> object | None:
    """Forget the job's secret, returning it (None when there was none)."""
    if _in_the_jobs_row():
        secret = held(job_id)
        options = _job_options(job_id)
        if options is not None and SEALED in options:
            del options[SEALED]
            Job.objects.filter(pk=job_id).update(options=options)
        return secret
    with _lock:
        entry = _held.pop(str(job_id), None)
    return entry[1] if entry else None
