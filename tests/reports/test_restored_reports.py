"""Every report of a restored company equals the original's, on SQLite, on PostgreSQL and
across: the figures an accountant checks a restore by.

A small demo company (tax codes, numbered invoices paid in part by receipts, credit notes, a
closed year) is backed up on SQLite and imported there and into PostgreSQL; each report's JSON
(`partida report NAME COMPANY --json`) for a whole period is the same in the three, once the
keys an import gives anew are left out.
"""

import json

import pytest

from partida.reports.cli import REPORT_NAMES
from tests.backups.test_cli import new_database, partida, postgres  # noqa: F401 (fixture)

pytestmark = [pytest.mark.both_engines, pytest.mark.slow]
NAME = "Informes S.L."
PERIOD = ("--from", "2000-01-01", "--to", "2099-12-31")
#: Keys that name rows: an import gives every row a new one.
ROW_KEYS = {"id", "account_id", "source_id", "company_id", "customer_id", "supplier_id", "key"}


def without_row_keys(value):
    if isinstance(value, dict):
        return {k: without_row_keys(v) for k, v in value.items() if k not in ROW_KEYS}
    if isinstance(value, list):
        return [without_row_keys(item) for item in value]
    return value


def reports(home, company, database_url=None) -> dict:
    """Each report's JSON, the company's own name left out (a copy may have another)."""
    figures = {}
    for name in REPORT_NAMES:
        result = partida(
            home, "report", name, company, *PERIOD, "--json", database_url=database_url
        )
        figures[name] = without_row_keys(json.loads(result.stdout))
        assert figures[name].pop("company")["name"] == company
    return figures


def test_every_report_of_a_restored_company_equals_the_original_s(tmp_path, postgres):  # noqa: F811
    home = tmp_path / "sqlite"
    partida(home, "demo", "--name", NAME, "--size", "small", "--seed", "4")
    backup = tmp_path / "informes.manager"
    partida(home, "backup", NAME, "-o", str(backup))
    original = reports(home, NAME)
    assert original["trial-balance"], "the demo's trial balance is not empty"

    partida(home, "import", str(backup), "--name", "Copia")
    assert reports(home, "Copia") == original

    pg_home, pg = tmp_path / "pg", new_database(postgres, "restored_reports")
    partida(pg_home, "import", str(backup), database_url=pg)
    assert reports(pg_home, NAME, pg) == original
