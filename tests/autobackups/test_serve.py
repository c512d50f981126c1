"""A real ``partida serve`` makes the automatic backups: those due at its start, and those "when
Partida is closed" as it stops (SIGTERM, as a desktop session ending sends), with progress on
its terminal."""

import json
import os
import signal
import sqlite3
import time

import pytest

from tests.backups.test_cli import partida
from tests.serving import Server

pytestmark = pytest.mark.slow


def set_schedule(home, folder, every: str, **extra) -> None:
    """The settings as the screen saves them, written into the data folder's database."""
    values = {
        "id": 1,
        "enabled": 1,
        "every": every,
        "folder": str(folder),
        "parts": json.dumps(["attachments", "emails", "history"]),
        "passphrase": "",
        "keep_daily": 7,
        "keep_weekly": 4,
        "keep_monthly": 12,
        "saved_at": "2026-01-01 00:00:00",
        "enabled_at": "2026-01-01 00:00:00",
        "serving_since": None,
        **extra,
    }
    with sqlite3.connect(home / "partida.sqlite3") as db:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        db.execute(
            f"INSERT INTO autobackups_desktopschedule ({columns}) VALUES ({marks})",
            [*values.values()],
        )


def backups_in(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".manager"))


def test_backups_when_closing_run_as_the_server_is_told_to_stop(tmp_path):
    home, folder = tmp_path / "home", tmp_path / "Drive"
    folder.mkdir()
    partida(home, "demo", "--name", "Mi Tienda S.L.", "--seed", "1")
    set_schedule(home, folder, "closing")
    server = Server(home)
    time.sleep(1)
    assert backups_in(folder) == []  # nothing while it runs
    server.process.send_signal(signal.SIGTERM)
    out, err = server.process.communicate(timeout=120)
    assert server.process.returncode == 0, err
    (name,) = backups_in(folder)
    assert name.startswith("Mi Tienda S.L. (")
    assert "Copia automática de «Mi Tienda S.L.»" in out, out
    assert "Haciendo copia de «Mi Tienda S.L.»" in err, err  # the progress line
    assert partida(home, "verify", str(folder / name)).returncode == 0


def test_a_daily_backup_missed_while_closed_runs_as_the_server_starts(tmp_path):
    home, folder = tmp_path / "home", tmp_path / "Drive"
    folder.mkdir()
    partida(home, "demo", "--name", "Mi Tienda S.L.", "--seed", "1")
    set_schedule(home, folder, "daily")
    server = Server(home)
    try:
        end = time.monotonic() + 60
        while not backups_in(folder) and time.monotonic() < end:
            time.sleep(0.2)
        (name,) = backups_in(folder)
    finally:
        server.stop()
    assert partida(home, "verify", str(folder / name)).returncode == 0
