"""The same books on either engine, and a medium company's backup exact across them.

A medium demo company (20,000 transactions) is made on SQLite and on PostgreSQL with the same
seed: equal Summaries. Its SQLite backup imports into PostgreSQL, whose backup imports back
into SQLite: every step has the same books, and the backups the same rows in the same order
with the same values, apart from the keys each import renamed.
"""

import json
import uuid

import pytest

from tests.backups.conftest import members, unshifted_rows
from tests.backups.test_cli import new_database, partida, postgres  # noqa: F401 (fixture)

pytestmark = [pytest.mark.both_engines, pytest.mark.slow]
NAME = "Medio S.L."


def books(home, database_url=None):
    result = partida(home, "summary", NAME, "--json", database_url=database_url)
    data = json.loads(result.stdout)
    del data["company"]
    return data


def same_rows(original, copy):
    """Every data member and file of ``copy`` is ``original``'s, keys renamed by one offset."""
    before, after = members(original), members(copy)
    old = json.loads(before["data/company.jsonl"])["id"]
    new = json.loads(after["data/company.jsonl"])["id"]
    offset = uuid.UUID(new).int - uuid.UUID(old).int
    assert before.keys() == after.keys()
    for name, content in before.items():
        if name.startswith("data/"):
            assert unshifted_rows(after[name], offset) == unshifted_rows(content, 0), name
        elif name.startswith("attachments/"):
            assert after[name] == content, name


def test_a_medium_company_is_the_same_on_sqlite_and_postgresql_and_across(tmp_path, postgres):  # noqa: F811
    sqlite_home, pg_home, back_home = tmp_path / "sqlite", tmp_path / "pg", tmp_path / "back"
    pg = new_database(postgres, "medium")
    for home, url in ((sqlite_home, None), (pg_home, pg)):
        partida(home, "demo", "--name", NAME, "--size", "medium", "--seed", "11", database_url=url)
    original = books(sqlite_home)
    assert original["counts"]["books.receipt"] > 1000
    assert books(pg_home, pg) == original

    from_sqlite = tmp_path / "from-sqlite.manager"
    partida(sqlite_home, "backup", NAME, "-o", str(from_sqlite))
    imported = new_database(postgres, "imported")
    partida(pg_home, "import", str(from_sqlite), database_url=imported)
    assert books(pg_home, imported) == original

    from_pg = tmp_path / "from-pg.manager"
    partida(pg_home, "backup", NAME, "-o", str(from_pg), database_url=imported)
    same_rows(from_sqlite, from_pg)

    partida(back_home, "import", str(from_pg))
    assert books(back_home) == original
    again = tmp_path / "again.manager"
    partida(back_home, "backup", NAME, "-o", str(again))
    same_rows(from_sqlite, again)
