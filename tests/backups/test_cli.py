"""The backup engine from the command line, on SQLite, on PostgreSQL and across them.

Each command runs as its own process with its own data folder, as a user or a script would
run it; the PostgreSQL cluster is a real one started for this module.
"""

import json
import os
import subprocess
import sys

import pytest

from partida.devtools.postgres import start_cluster
from tests.backups.conftest import members, unshifted_rows

pytestmark = pytest.mark.both_engines


def partida(home, *args, database_url=None, check=True):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(PARTIDA_HOME=str(home), LANGUAGE="en")
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-m", "partida", *args], env=env, capture_output=True, text=True
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def postgres():
    cluster = start_cluster(stop_at_exit=False)
    yield cluster
    cluster.stop()


def new_database(cluster, name):
    import psycopg

    with psycopg.connect(cluster.url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return cluster.database_url(name)


def books(home, company, database_url=None):
    data = json.loads(partida(home, "summary", company, "--json", database_url=database_url).stdout)
    del data["company"]
    return data


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("sqlite-home")
    partida(home, "demo", "--name", "Demo S.L.", "--size", "small", "--seed", "7")
    backup = home / "demo.manager"
    partida(home, "backup", "Demo S.L.", "-o", str(backup))
    return home, backup


def test_backup_writes_the_default_name_in_the_current_folder(demo, tmp_path):
    home, _backup = demo
    env = {**os.environ, "PARTIDA_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "partida", "backup", "Demo S.L.", "--no-history"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    (written,) = tmp_path.glob("*.manager")
    assert written.name.startswith("Demo S.L. (") and written.name.endswith(").manager")
    assert "data/history.jsonl" not in members(written)


def test_inspect_and_verify(demo):
    home, backup = demo
    described = json.loads(partida(home, "inspect", str(backup), "--json").stdout)
    assert described["company"]["name"] == "Demo S.L."
    assert described["parts"] == {"attachments": True, "emails": True, "history": True}
    assert described["tables"]["receipts"] > 0
    verified = partida(home, "verify", str(backup))
    assert verified.stdout.strip().endswith("with the books, attachments, emails and history.")


def test_verify_names_the_parts_a_backup_without_attachments_holds(demo, tmp_path):
    home, _backup = demo
    partial = tmp_path / "partial.manager"
    partida(home, "backup", "Demo S.L.", "-o", str(partial), "--no-attachments", "--no-history")
    verified = partida(home, "verify", str(partial))
    assert verified.stdout.strip().endswith("with the books and emails.")
    assert "complete" not in verified.stdout


def test_verify_and_import_refuse_a_damaged_file_with_one_sentence(demo, tmp_path):
    home, backup = demo
    damaged = tmp_path / "damaged.manager"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x40
    damaged.write_bytes(bytes(data))
    for command in ("verify", "import"):
        result = partida(home, command, str(damaged), check=False)
        assert result.returncode == 1
        message = result.stderr.splitlines()[-1]  # after any progress lines
        assert "damaged" in message and message.endswith(".")
    companies = json.loads(partida(home, "companies", "--json").stdout)
    assert [c["name"] for c in companies] == ["Demo S.L."]


def test_import_round_trip_is_exact(demo, tmp_path):
    home, backup = demo
    assert partida(home, "import", str(backup), "--name", "Copia").stdout.strip() == "Copia"
    assert books(home, "Copia") == books(home, "Demo S.L.")


def test_round_trip_across_engines(demo, postgres, tmp_path):
    """SQLite -> PostgreSQL -> SQLite: equal books, and the same rows in the same order."""
    home, backup = demo
    pg_home, pg = tmp_path / "pg-home", new_database(postgres, "across")
    partida(pg_home, "import", str(backup), database_url=pg)
    assert books(pg_home, "Demo S.L.", pg) == books(home, "Demo S.L.")

    from_pg = tmp_path / "from-pg.manager"
    partida(pg_home, "backup", "Demo S.L.", "-o", str(from_pg), database_url=pg)
    back_home = tmp_path / "sqlite-again"
    partida(back_home, "import", str(from_pg))
    assert books(back_home, "Demo S.L.") == books(home, "Demo S.L.")

    original, via_pg = members(backup), members(from_pg)
    company_line = json.loads(original["data/company.jsonl"])
    pg_company = json.loads(via_pg["data/company.jsonl"])
    import uuid

    offset = uuid.UUID(pg_company["id"]).int - uuid.UUID(company_line["id"]).int
    for name, content in original.items():
        if name.startswith("data/"):
            assert unshifted_rows(via_pg[name], offset) == unshifted_rows(content, 0), name
        elif name.startswith("attachments/"):
            assert via_pg[name] == content
