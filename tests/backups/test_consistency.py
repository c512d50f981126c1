"""A backup is one moment of the books, and it never blocks the people still working.

Runs on a real SQLite data folder in WAL mode and on a real PostgreSQL database, each in a
process of its own, as the desktop and cloud editions run.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backups.conftest import members
from tests.backups.test_cli import new_database, postgres  # noqa: F401 (fixture)

SCRIPT = Path(__file__).with_name("snapshot_while_writing.py")

pytestmark = pytest.mark.both_engines


def run(env_extra, backup):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(DJANGO_SETTINGS_MODULE="partida.settings", **env_extra)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(backup)], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def check(report, backup):
    assert report["writer_finished_during_backup"], "the backup blocked a writer"
    # The entry written during the backup is in the database but not in the backup.
    assert report["database_journal_entries"] == report["backup_journal_entries"] + 1
    rows = members(backup)["data/ledger_entries.jsonl"].decode().splitlines()
    assert len(rows) == report["backup_ledger_entries"]
    from decimal import Decimal

    assert sum(Decimal(json.loads(row)["amount"]) for row in rows) == 0


def test_sqlite_backup_is_one_moment_and_does_not_block_writers(tmp_path):
    backup = tmp_path / "b.manager"
    check(run({"PARTIDA_HOME": str(tmp_path / "home")}, backup), backup)


def test_postgresql_backup_is_one_moment_and_does_not_block_writers(tmp_path, postgres):  # noqa: F811
    url = new_database(postgres, "consistency")
    backup = tmp_path / "b.manager"
    check(run({"PARTIDA_HOME": str(tmp_path / "home"), "DATABASE_URL": url}, backup), backup)
