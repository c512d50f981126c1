"""Aged receivables and payables, statements and the IVA summary: what an accountant checks
them by is that they agree with the ledger. The aged total is the balance of 430 (400) on its
day; a party's statement closes at its line of the aged report; the IVA quotas are the
movements of 477 and 472. On a hand-made company with every case (tests/reports/books.py),
and on the demo company, whatever the demo holds.
"""

import datetime
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from partida.books import models as m
from partida.books.invoices import PURCHASES, SALES
from partida.reports import receivables as rc
from partida.reports import tax_report as tx
from partida.reports.ledger_reports import Period
from tests.reports.books import AS_OF, QUARTER_2, make_books
from tests.reports.conftest import YEAR

Q2 = Period(*QUARTER_2)


@pytest.fixture
def books(db):
    return make_books()


def ledger_balance(company, code: str, as_of: datetime.date) -> D:
    """Debit positive, straight from the ledger rows (not the daily totals)."""
    return m.LedgerEntry.objects.filter(
        company=company, account__code=code, date__lte=as_of
    ).aggregate(total=Sum("amount"))["total"] or D("0.00")


def ledger_movement(company, account_ids, period: Period, kinds=None) -> D:
    rows = m.LedgerEntry.objects.filter(
        company=company,
        account_id__in=account_ids,
        date__gte=period.date_from,
        date__lte=period.date_to,
    )
    if kinds:
        rows = rows.filter(source_kind__in=kinds)
    return rows.aggregate(total=Sum("amount"))["total"] or D("0.00")


def by_name(report: rc.AgedReport) -> dict:
    return {line.name: line for line in report.lines}


def test_aged_receivables_split_by_days_past_due_and_add_up_to_430(books):
    report = rc.aged_report(SALES, books.company, AS_OF)
    ana, bruno = by_name(report)["Ana Gómez"], by_name(report)["Bruno Sanz"]
    # F1: 1,210 less 500 received, due in February: over 90 days. F2 and F4 are not yet due;
    # what was received and credited after the day is not counted.
    assert ana.buckets == [D("640.00"), 0, 0, 0, D("710.00")]
    assert ana.on_account == 0
    # F3: 242 less its credit note of 60.50, 41 days past due; 300 received on account.
    assert bruno.buckets == [0, 0, D("181.50"), 0, 0]
    assert bruno.on_account == D("-300.00")
    assert report.unassigned == D("1000.00")  # the opening entry names no customer
    assert report.total == D("2231.50") == ledger_balance(books.company, "430", AS_OF)
    assert report.total == report.account_balance


def test_a_later_day_counts_the_receipt_and_the_credit_note_dated_after_the_first(books):
    later = datetime.date(2026, 7, 31)
    report = rc.aged_report(SALES, books.company, later)
    ana = by_name(report)["Ana Gómez"]
    # F2 is paid on 5 July; the credit note of 12.10 on F1 lowers what is over 90 days; F4 is
    # 16 days past due.
    assert ana.buckets == [0, D("530.00"), 0, 0, D("697.90")]
    assert report.total == ledger_balance(books.company, "430", later)
    before_anything = rc.aged_report(SALES, books.company, datetime.date(2025, 12, 31))
    assert before_anything.lines == [] and before_anything.total == 0


def test_aged_payables_add_up_to_400(books):
    report = rc.aged_report(PURCHASES, books.company, AS_OF)
    lima, sol = by_name(report)["Asesoría Lima"], by_name(report)["Papelería Sol"]
    # P1: 1,000 + 210 IVA − 150 IRPF = 1,060, 600 paid; due 10 May, 51 days past due.
    assert lima.buckets == [0, 0, D("460.00"), 0, 0]
    # P2 has no due date: due on its date, 1 June. Its credit note takes 20.80 off.
    assert sol.buckets == [0, D("62.40"), 0, 0, 0]
    assert report.unassigned == D("400.00")
    assert report.total == D("922.40") == -ledger_balance(books.company, "400", AS_OF)


@pytest.mark.parametrize("side", [SALES, PURCHASES], ids=["customers", "suppliers"])
def test_each_statement_closes_at_the_partys_line_of_the_aged_report(books, side):
    report = rc.aged_report(side, books.company, AS_OF)
    for line in report.lines:
        party = rc.party_model(side).objects.get(pk=line.party_id)
        for start in (datetime.date(2026, 1, 1), Q2.date_from, datetime.date(2026, 6, 20)):
            statement = rc.statement(side, party, Period(start, AS_OF))
            assert statement.closing == line.total, (party.name, start)
            balances = [statement.opening] + [row.balance for row in statement.rows]
            for before, row, after in zip(balances[:-1], statement.rows, balances[1:], strict=True):
                assert after == before + row.charged - row.settled


def test_a_customer_statement_shows_each_document_with_its_running_balance(books):
    statement = rc.statement(SALES, books.bruno, Q2)
    assert statement.opening == 0
    assert [(row.kind, row.debit, row.credit, row.balance) for row in statement.rows] == [
        ("invoice", D("242.00"), 0, D("242.00")),
        ("credit_note", 0, D("60.50"), D("181.50")),
        ("receipt", 0, D("300.00"), D("-118.50")),
    ]
    ana = rc.statement(SALES, books.ana, Period(datetime.date(2026, 6, 1), AS_OF))
    assert ana.opening == D("710.00")  # F1 less what was received in March
    supplier = rc.statement(PURCHASES, books.lima, Q2)
    # A supplier's invoice is a credit and a payment a debit, as on 400.
    assert [(row.debit, row.credit) for row in supplier.rows] == [
        (0, D("1060.00")),
        (D("600.00"), 0),
    ]


def test_the_iva_summary_s_quotas_are_the_movements_of_477_and_472(books):
    company = books.company
    summary = tx.tax_summary(company, Q2)
    output = {line.name: (line.base, line.tax) for line in summary.output_vat}
    # F2, F3 less its credit note, F4 and the counter sale of 50.
    assert output == {
        "IVA 21 %": (D("700.00"), D("147.00")),
        "IVA 10 %": (D("100.00"), D("10.00")),
    }
    assert {line.name: line.tax for line in summary.input_vat} == {
        "IVA 21 %": D("231.00"),
        "IVA 4 %": D("2.40"),  # 80 less the credit note of 20
    }
    assert summary.output_tax == -ledger_movement(company, [books.accounts["477"].pk], Q2)
    assert summary.input_tax == ledger_movement(company, [books.accounts["472"].pk], Q2)
    assert summary.result == summary.output_tax - summary.input_tax == D("-76.40")
    # IRPF withheld from us by Ana (473), and by us: on P1's whole base and on a payment's line.
    (by_customers,) = summary.withheld_from_us
    assert (by_customers.base, by_customers.tax) == (D("500.00"), D("75.00"))
    assert by_customers.tax == ledger_movement(company, [books.accounts["473"].pk], Q2)
    (by_us,) = summary.withheld_by_us
    assert (by_us.base, by_us.tax) == (D("1100.00"), D("165.00"))
    assert by_us.tax == -ledger_movement(company, [books.accounts["4751"].pk], Q2)


def test_the_iva_summary_counts_each_document_by_its_date(books):
    q1 = tx.tax_summary(books.company, tx.quarter_of(datetime.date(2026, 2, 14)))
    assert q1.period == Period(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert [(line.base, line.tax) for line in q1.output_vat] == [(D("1000.00"), D("210.00"))]
    assert q1.input_vat == [] and q1.result == D("210.00")
    q3 = tx.tax_summary(books.company, tx.quarter_of(datetime.date(2026, 8, 1)))
    assert q3.output_tax == D("-2.10")  # July's credit note of 10 + IVA on F1


# --- On the demo company, whatever it holds -------------------------------------------------


def direct_postings(company, account_ids, period: Period) -> D:
    """What lines typed straight onto the accounts, with no tax code, posted in the period
    (the demo's own IVA lines and its payments of the return): the IVA summary leaves them
    out, as it should."""
    total = D("0.00")
    sources = [
        (m.SalesInvoiceLine, "invoice", -1),
        (m.ReceiptLine, "receipt", -1),
        (m.PurchaseInvoiceLine, "invoice", 1),
        (m.PaymentLine, "payment", 1),
    ]
    for model, parent, sign in sources:
        lines = model.objects.filter(
            company=company,
            account_id__in=account_ids,
            tax_code__isnull=True,
            **{f"{parent}__date__gte": period.date_from, f"{parent}__date__lte": period.date_to},
        ).select_related(parent)
        for line in lines:
            document = getattr(line, parent)
            if getattr(document, "draft", False):
                continue
            reversed_sign = -1 if getattr(document, "corrects_id", None) else 1
            base = line.amount - line.tax_amount if document.amounts_include_tax else line.amount
            total += sign * reversed_sign * base
    return total


@pytest.mark.parametrize("as_of", [datetime.date(2025, 3, 31), YEAR.date_to])
def test_the_demo_s_aged_balances_are_its_430_and_400(demo, as_of):
    receivables = rc.aged_report(SALES, demo, as_of)
    assert receivables.total == ledger_balance(demo, "430", as_of)
    payables = rc.aged_report(PURCHASES, demo, as_of)
    assert payables.total == -ledger_balance(demo, "400", as_of)
    assert receivables.lines, "the demo has customers who owe something"


def test_the_demo_s_statements_add_up_to_its_aged_receivables(demo):
    report = rc.aged_report(SALES, demo, YEAR.date_to)
    for line in report.lines[:5]:
        party = m.Customer.objects.get(pk=line.party_id)
        assert rc.statement(SALES, party, YEAR).closing == line.total


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_the_demo_s_iva_quotas_are_what_its_documents_posted_to_the_tax_accounts(demo, quarter):
    period = tx.quarter_of(datetime.date(2025, 3 * quarter, 1))
    summary = tx.tax_summary(demo, period)
    codes = m.TaxCode.objects.filter(company=demo, kind=m.TaxKind.VAT)
    documents = ["sales_invoice", "receipt", "purchase_invoice", "payment"]
    for tax, accounts in (
        (-summary.output_tax, {code.sales_account_id for code in codes}),
        (summary.input_tax, {code.purchase_account_id for code in codes}),
    ):
        posted = ledger_movement(demo, accounts, period, documents)
        assert tax == posted - direct_postings(demo, accounts, period)
