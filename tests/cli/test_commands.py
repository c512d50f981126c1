"""partida companies, summary and demo, run in this process; errors and progress lines."""

import io
import json
import uuid
from decimal import Decimal

import pytest

from partida.books import actions
from partida.books import models as m
from partida.books.numbers import format_count, format_number
from partida.cli import ProgressLine, main
from partida.demo.generate import do_create_demo_company
from partida.history.models import HistoryEntry


def one_sentence(text: str) -> bool:
    text = text.strip()
    return "\n" not in text and text.endswith(".") and len(text) > 10


def test_companies_lists_key_name_currency_and_creation(run):
    status, out, _ = run("companies", "--json")
    assert (status, json.loads(out)) == (0, [])
    status, out, _ = run("companies")
    assert status == 0 and "no companies" in out.lower()

    acme = actions.do_create_company("Acme Trading", base_currency="usd", chart_language="en")
    demo = do_create_demo_company("Demo Ibérica S.L.", "small", seed=5)
    status, out, _ = run("companies", "--json")
    assert status == 0
    rows = json.loads(out)
    assert [row["name"] for row in rows] == ["Acme Trading", "Demo Ibérica S.L."]
    assert rows[0] == {
        "id": str(acme.pk),
        "name": "Acme Trading",
        "base_currency": "USD",
        "created": acme.created_at.isoformat(),
        "origin": "created",
        "origin_at": acme.origin.at.isoformat(),
        "backup_file": None,
    }
    assert rows[1]["created"] == "2024-10-01T09:00:00+00:00"  # the demo company's founding
    # The demo generator records no origin: it was added here, when the demo says.
    assert (rows[1]["origin"], rows[1]["origin_at"]) == ("created", rows[1]["created"])

    status, out, _ = run("companies")
    assert status == 0
    assert str(demo.pk) in out and "Demo Ibérica S.L." in out and "EUR" in out


def test_summary_json_has_the_books_and_every_kind_of_row(run):
    company = do_create_demo_company("Resumen S.L.", "small", seed=8)
    status, out, err = run("summary", "Resumen S.L.", "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["company"] == {
        "id": str(company.pk),
        "name": "Resumen S.L.",
        "base_currency": "EUR",
    }
    balance, profit = data["balance_sheet"], data["profit_and_loss"]
    assert set(balance) == {"assets", "liabilities", "equity"}
    assert set(profit) == {"income", "expenses", "net_profit"}
    amounts = {key: Decimal(value) for key, value in {**balance, **profit}.items()}
    assert all(isinstance(value, str) for value in {**balance, **profit}.values())
    assert amounts["assets"] == amounts["liabilities"] + amounts["equity"]
    assert amounts["net_profit"] == amounts["income"] - amounts["expenses"]
    counts = data["counts"]
    assert counts["books.receipt"] == m.Receipt.objects.filter(company=company).count() > 0
    assert counts["history.historyentry"] == HistoryEntry.objects.filter(company=company).count()
    assert counts["mail.email"] == 40
    assert counts["attachments.attachment"] == 20
    assert counts["books.ledgerentry"] > 600
    assert "books.company" not in counts  # the company itself is not a row it owns
    # Another company's rows are not counted.
    actions.do_create_company("Otra S.L.")
    _, again, _ = run("summary", str(company.pk), "--json")
    assert json.loads(again)["counts"] == counts


def test_summary_for_a_period_and_as_a_table(run):
    company = do_create_demo_company("Periodo S.L.", "small", seed=8)
    _, whole, _ = run("summary", "Periodo S.L.", "--json")
    _, january, _ = run(
        "summary", "Periodo S.L.", "--json", "--from", "2025-01-01", "--to", "2025-01-31"
    )
    whole, january = json.loads(whole), json.loads(january)
    assert (january["date_from"], january["date_to"]) == ("2025-01-01", "2025-01-31")
    assert Decimal("0") < Decimal(january["profit_and_loss"]["income"])
    assert Decimal(january["profit_and_loss"]["income"]) < Decimal(
        whole["profit_and_loss"]["income"]
    )
    status, table, _ = run("summary", str(company.pk))
    assert status == 0
    assert "Periodo S.L." in table and str(company.pk) in table
    # The table writes amounts and counts as its language does, and names the kinds of row.
    for label, value in [
        ("Assets", format_number(Decimal(whole["balance_sheet"]["assets"]), 2, "en")),
        ("Net profit", format_number(Decimal(whole["profit_and_loss"]["net_profit"]), 2, "en")),
        ("Sales invoices", format_count(whole["counts"]["books.salesinvoice"], "en")),
    ]:
        rows = [line.strip().rsplit(None, 1) for line in table.splitlines() if line.strip()]
        assert [label, value] in [[row[0].strip(), row[-1]] for row in rows]


@pytest.mark.parametrize(
    "args",
    [
        ["summary", "Nadie S.L."],
        ["summary", str(uuid.UUID(int=7))],
        ["summary", "Acme", "--from", "2025-02-30"],
        ["summary", "Acme", "--from", "2025-03-01", "--to", "2025-02-01"],
        ["demo", "--name", "   "],
    ],
)
def test_bad_input_gets_one_sentence_and_status_1(run, args):
    actions.do_create_company("Acme")
    status, out, err = run(*args)
    assert status == 1
    assert out == ""
    assert one_sentence(err), err
    assert m.Company.objects.count() == 1


def test_two_companies_with_one_name_are_told_apart_by_key(run):
    first = actions.do_create_company("Gemelas S.L.")
    second = actions.do_create_company("Gemelas S.L.")
    status, _, err = run("summary", "Gemelas S.L.")
    assert status == 1 and one_sentence(err)
    assert str(first.pk) in err and str(second.pk) in err
    status, out, _ = run("summary", str(second.pk), "--json")
    assert status == 0 and json.loads(out)["company"]["id"] == str(second.pk)


def test_demo_prints_progress_and_the_new_company(run):
    status, out, err = run("demo", "--name", "Progreso S.L.", "--size", "small", "--seed", "4")
    assert status == 0
    company = m.Company.objects.get(name="Progreso S.L.")
    assert out.strip() == f"Created the demo company “Progreso S.L.” with the key {company.pk}."
    lines = err.splitlines()
    assert "Transactions: 0/300 (0%)" in lines and "Transactions: 300/300 (100%)" in lines
    assert lines[-1] == "Files and emails: 60/60 (100%)"


def test_without_a_command_the_help_is_shown(run):
    status, out, _ = run()
    assert status == 2
    for command in ("serve", "demo", "companies", "summary"):
        assert command in out


def test_serve_has_no_host_option(run):
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--host", "0.0.0.0"])
    assert stopped.value.code == 2


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_updates_one_line_on_a_terminal_and_prints_lines_otherwise():
    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        line = ProgressLine(stream)
        for done in range(0, 1001, 50):
            line("Transactions", done, 1000)
    assert terminal.getvalue().count("\n") == 1
    assert terminal.getvalue().endswith("\r\x1b[KTransactions: 1,000/1,000 (100%)\n")
    assert log.getvalue().splitlines() == [
        f"Transactions: {done:,}/1,000 ({done // 10}%)" for done in range(0, 1001, 100)
    ]


def test_progress_counts_are_written_as_the_language_writes_them():
    from django.utils import translation

    log = io.StringIO()
    with translation.override("es"):
        ProgressLine(log)("Archivos", 2500, 2500)
    assert log.getvalue() == "Archivos: 2.500/2.500 (100%)\n"
