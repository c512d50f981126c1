"""The same books on either engine: a medium demo company's Summary on SQLite and PostgreSQL."""

import json

import pytest

from tests.backups.test_cli import new_database, partida, postgres  # noqa: F401 (fixture)

pytestmark = [pytest.mark.both_engines, pytest.mark.slow]


def summary(home, database_url=None):
    partida(
        home,
        "demo",
        "--name",
        "Medio S.L.",
        "--size",
        "medium",
        "--seed",
        "11",
        database_url=database_url,
    )
    result = partida(home, "summary", "Medio S.L.", "--json", database_url=database_url)
    data = json.loads(result.stdout)
    del data["company"]
    return data


def test_a_medium_demo_company_has_the_same_summary_on_sqlite_and_postgresql(tmp_path, postgres):  # noqa: F811
    on_sqlite = summary(tmp_path / "sqlite")
    on_postgresql = summary(tmp_path / "pg", new_database(postgres, "medium"))
    assert on_sqlite == on_postgresql
    assert on_sqlite["counts"]["books.receipt"] > 1000
