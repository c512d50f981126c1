"""A closed year still shows its result; and the new reports on screen, as files and on the
command line, in Spanish, agreeing with the ledger."""

import datetime
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation

from partida.books import actions
from partida.books import models as m
from partida.books.summary import summarize
from partida.cli import main
from partida.reports import documents
from partida.reports import ledger_reports as r
from partida.reports import receivables as rc
from tests.reports.books import AS_OF, QUARTER_2, make_books
from tests.reports.test_receivables_and_tax import ledger_balance, ledger_movement

YEAR_2026 = r.Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


@pytest.fixture
def books(db):
    return make_books()


def test_closing_a_year_keeps_its_profit_and_loss_and_empties_income_and_expenses(books):
    company = books.company
    before = summarize(company, YEAR_2026.date_from, YEAR_2026.date_to)
    report_before = r.profit_and_loss(company, YEAR_2026).as_json()
    assert before.net_profit != 0
    actions.do_close_year(company, YEAR_2026.date_from, YEAR_2026.date_to)
    after = summarize(company, YEAR_2026.date_from, YEAR_2026.date_to)
    assert (after.income, after.expenses, after.net_profit) == (
        before.income,
        before.expenses,
        before.net_profit,
    )
    assert after.profit_and_loss_accounts == before.profit_and_loss_accounts
    assert r.profit_and_loss(company, YEAR_2026).as_json() == report_before
    assert (after.assets, after.liabilities, after.equity) == (
        before.assets,
        before.liabilities,
        before.equity,
    )
    # The closing moved the result to 129, and the balance sheet shows it there.
    results = {line.code: line.balance for line in after.balance_sheet_accounts}
    assert results["129"] == before.net_profit
    trial = r.trial_balance(company, YEAR_2026)
    for line in trial.lines:
        if line.kind in (m.AccountKind.INCOME, m.AccountKind.EXPENSE):
            assert line.closing_debit == line.closing_credit == 0, line.code
    assert trial.debit == trial.credit
    # The year after starts with nothing in income and expenses.
    next_year = summarize(company, datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert next_year.net_profit == 0 and next_year.equity == before.equity


def run_cli(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    try:
        status = main(list(args))
    finally:
        translation.deactivate()
    return status, capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "code", "sign"), [("aged-receivables", "430", 1), ("aged-payables", "400", -1)]
)
def test_the_aged_reports_as_json_total_the_account(books, capsys, monkeypatch, name, code, sign):
    monkeypatch.setenv("LANGUAGE", "en")
    company = books.company
    status, out = run_cli(
        capsys, "report", name, str(company.pk), "--to", AS_OF.isoformat(), "--json"
    )
    assert status == 0
    data = json.loads(out)
    assert data["report"] == name and data["as_of"] == AS_OF.isoformat()
    assert D(data["totals"]["total"]) == sign * ledger_balance(company, code, AS_OF)
    parties = sum(D(party["total"]) for party in data["parties"])
    assert parties + D(data["unassigned"]) == D(data["totals"]["total"])
    assert all(isinstance(party["over_90"], str) for party in data["parties"])


def test_the_iva_summary_as_json_and_in_spanish(books, capsys, monkeypatch):
    company = books.company
    monkeypatch.setenv("LANGUAGE", "en")
    period = ["--from", QUARTER_2[0].isoformat(), "--to", QUARTER_2[1].isoformat()]
    status, out = run_cli(capsys, "report", "tax", str(company.pk), *period, "--json")
    data = json.loads(out)
    q2 = r.Period(*QUARTER_2)
    assert D(data["output_vat"]["amount"]) == -ledger_movement(
        company, [books.accounts["477"].pk], q2
    )
    assert D(data["input_vat"]["amount"]) == ledger_movement(
        company, [books.accounts["472"].pk], q2
    )
    assert data["result"] == "-76.40"
    assert {line["rate"] for line in data["output_vat"]["lines"]} == {"21", "10"}
    monkeypatch.setenv("LANGUAGE", "es")
    status, out = run_cli(capsys, "report", "tax", str(company.pk), *period)
    assert status == 0
    assert out.startswith("Resumen de IVA · Taller Sur S.L.\nDel 01/04/2026 al 30/06/2026")
    assert "IVA devengado, en ventas" in out and "IVA deducible, en compras" in out
    assert "Resultado de la liquidación" in out and "-76,40" in out
    status, out = run_cli(
        capsys, "report", "aged-receivables", str(company.pk), "--to", "2026-06-30"
    )
    assert "A fecha 30/06/2026" in out and "No vencido" in out and "Más de 90 días" in out
    assert "2.231,50" in out.splitlines()[-3]  # the totals line, before the note


def url(name: str, company, **kwargs) -> str:
    return reverse(name, kwargs={"company_id": company.pk, **kwargs})


def test_the_aged_receivables_screen_links_each_customer_to_their_statement(client, books):
    company = books.company
    page = client.get(
        url("reports:aged_receivables", company) + "?to=2026-06-30", HTTP_ACCEPT_LANGUAGE="es"
    )
    html = page.content.decode()
    assert "Antigüedad de saldos de clientes" in html and "No vencido" in html
    statement = url("reports:customer_statement", company)
    link = f"{statement}?party={books.bruno.pk}&amp;from=2026-01-01&amp;to=2026-06-30"
    assert link in html
    assert "2.231,50" in html  # the total, 430's balance
    shown = client.get(link.replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="es")
    assert shown.context["report"].closing == D("-118.50")
    assert "Extracto de cliente: Bruno Sanz" in shown.content.decode()


def test_the_new_reports_download_as_csv_and_pdf(client, books):
    company = books.company
    csv = client.get(
        url("reports:aged_payables", company) + "?to=2026-06-30&format=csv",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Proveedor;No vencido;1–30 días;")
    assert text.splitlines()[-1] == "Totales;0,00;62,40;460,00;0,00;0,00;0,00;922,40"
    assert "2026-06-30" in csv["Content-Disposition"]
    tax = client.get(
        url("reports:tax_summary", company) + "?from=2026-04-01&to=2026-06-30&format=csv",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    lines = b"".join(tax.streaming_content).decode("utf-8-sig").splitlines()
    assert "IVA devengado, en ventas;IVA 21 %;700,00;147,00" in lines
    for address in (
        url("reports:tax_summary", company) + "?format=pdf",
        url("reports:aged_receivables", company) + "?format=pdf",
        url("reports:supplier_statement", company) + f"?party={books.lima.pk}&format=pdf",
    ):
        assert client.get(address).content.startswith(b"%PDF"), address


def test_the_iva_summary_opens_on_the_current_quarter_and_the_index_lists_the_reports(
    client, books
):
    company = books.company
    page = client.get(url("reports:tax_summary", company), HTTP_ACCEPT_LANGUAGE="es")
    today = datetime.date.today()
    period = page.context["period"]
    assert period.date_from <= today <= period.date_to and period.days <= 92
    index = client.get(url("reports:index", company), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for title in (
        "Antigüedad de saldos de clientes",
        "Antigüedad de saldos de proveedores",
        "Extracto de cliente",
        "Extracto de proveedor",
        "Resumen de IVA",
    ):
        assert title in index
    chooser = client.get(url("reports:customer_statement", company), HTTP_ACCEPT_LANGUAGE="es")
    assert "Elige un cliente para ver su extracto." in chooser.content.decode()


def test_a_statement_document_says_the_same_as_the_screen(books):
    with translation.override("es"):
        document = documents.statement_document(rc.SALES, books.bruno, r.Period(*QUARTER_2))
        text = documents.csv_text(document).splitlines()
    assert text[-1] == ";;;Sumas y saldo final;242,00;360,50;-118,50"
