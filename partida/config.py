"""Where Partida keeps its data, and which edition runs: read before Django starts."""

import os
import secrets
from pathlib import Path

EDITIONS = ("desktop", "cloud")


def edition() -> str:
    value = os.environ.get("PARTIDA_EDITION", "desktop").strip().lower()
    if value not in EDITIONS:
        raise SystemExit(f"PARTIDA_EDITION must be 'desktop' or 'cloud', not {value!r}.")
    return value


def data_folder() -> Path:
    """The data folder: ``PARTIDA_HOME``, else a ``Partida`` folder in the user's documents."""
    configured = os.environ.get("PARTIDA_HOME")
    if configured:
        folder = Path(configured).expanduser()
    else:
        from platformdirs import user_documents_path

        folder = user_documents_path() / "Partida"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def desktop_secret_key(folder: Path) -> str:
    """A secret key made once per data folder and kept there, readable only by its owner."""
    path = folder / ".secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
