"""``partida report``: the reports for scripts (JSON, decimal strings) and for people (tables in
their language); a company restored from its backup reports exactly what the original does."""

import json
from decimal import Decimal

import pytest
from django.utils import translation

from partida.backups.export import backup_to_file, parts_from
from partida.backups.importer import do_import_company
from partida.books import models as m
from partida.books.summary import summarize
from partida.cli import main
from partida.reports import ledger_reports as r
from tests.reports.conftest import SPRING

REPORTS = ["trial-balance", "general-ledger", "journal", "profit-and-loss"]
PERIOD = ["--from", SPRING.date_from.isoformat(), "--to", SPRING.date_to.isoformat()]


@pytest.fixture
def run(db, capsys, monkeypatch):
    """``partida ARGS...`` in this process, in ``language``: (exit status, stdout, stderr)."""

    def run_cli(*args: str, language: str = "en") -> tuple[int, str, str]:
        monkeypatch.setenv("LANGUAGE", language)
        capsys.readouterr()
        try:
            status = main(list(args))
        finally:
            translation.deactivate()
        out, err = capsys.readouterr()
        return status, out, err

    return run_cli


def report_json(run, name: str, company) -> dict:
    status, out, err = run("report", name, str(company.pk), "--json", *PERIOD)
    assert status == 0, err
    return json.loads(out)


def test_the_trial_balance_as_json_has_decimal_strings_that_add_up(run, demo):
    data = report_json(run, "trial-balance", demo)
    assert data["report"] == "trial-balance"
    assert (data["date_from"], data["date_to"]) == (PERIOD[1], PERIOD[3])
    totals = data["totals"]
    assert totals["debit"] == totals["credit"] == str(r.trial_balance(demo, SPRING).debit)
    assert sum(Decimal(a["debit"]) for a in data["accounts"]) == Decimal(totals["debit"])
    assert all(isinstance(a["closing"], str) and "." in a["closing"] for a in data["accounts"])


def test_the_json_reports_agree_with_the_ledger_and_the_summary(run, demo):
    ledger = report_json(run, "general-ledger", demo)
    rows = m.LedgerEntry.objects.filter(
        company=demo, date__gte=SPRING.date_from, date__lte=SPRING.date_to
    )
    assert sum(len(a["movements"]) for a in ledger["accounts"]) == rows.count()
    assert ledger["totals"]["debit"] == ledger["totals"]["credit"]
    for account in ledger["accounts"]:
        last = account["movements"][-1]["balance"]
        assert last == account["closing"]
    journal = report_json(run, "journal", demo)
    debit = sum(Decimal(p["debit"]) for e in journal["entries"] for p in e["postings"])
    assert str(debit) == journal["totals"]["debit"] == ledger["totals"]["debit"]
    profit = report_json(run, "profit-and-loss", demo)
    summary = summarize(demo, SPRING.date_from, SPRING.date_to)
    assert profit["totals"]["net_profit"] == str(summary.net_profit)
    assert profit["previous_period"]["date_to"] == "2025-03-09"


def test_a_restored_company_reports_exactly_what_the_original_does(run, demo, tmp_path):
    path = tmp_path / "copia.manager"
    backup_to_file(demo, path, parts_from())
    restored = do_import_company(path)
    assert restored.pk != demo.pk
    for name in REPORTS:
        original, copy = report_json(run, name, demo), report_json(run, name, restored)
        assert copy.pop("company")["id"] == str(restored.pk)
        original.pop("company")
        assert copy == original, name


def test_the_trial_balance_is_printed_in_spanish(run, demo):
    status, out, _err = run("report", "trial-balance", str(demo.pk), *PERIOD, language="es")
    assert status == 0
    assert out.startswith("Sumas y saldos · Informes Demo S.L.\nDel 10/03/2025 al 20/06/2025")
    assert "Código" in out and "Saldo inicial" in out and "Debe" in out and "Haber" in out
    debit = r.trial_balance(demo, SPRING).debit
    spanish = f"{debit:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert spanish in out.splitlines()[-1]  # "Totales ... 123.456,78"


def test_the_journal_and_the_ledger_are_printed_entry_by_entry(run, demo):
    status, out, _err = run("report", "journal", str(demo.pk), *PERIOD, language="es")
    assert status == 0 and "Asiento 1 · " in out and "Sumas del periodo: debe " in out
    status, out, _err = run("report", "general-ledger", str(demo.pk), *PERIOD, language="es")
    assert status == 0 and "Saldo inicial" in out and "Sumas y saldo final" in out


def test_a_period_that_ends_before_it_starts_is_refused(run, demo):
    status, _out, err = run(
        "report", "journal", str(demo.pk), "--from", "2025-05-01", "--to", "2025-04-01"
    )
    assert status == 1 and "--from must not be later than --to." in err
