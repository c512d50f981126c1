"""Each report as a document, written to CSV or to PDF (fpdf2, DejaVu like the invoices).

A document is its title, columns and a stream of rows; the CSV writer and the PDF writer read
the same rows, so a file says what the screen says. CSV gets every row flat (the account or
the entry repeated on each line, so a spreadsheet can filter and sum); PDF shows each account
or entry once, as a heading, and leaves the repeated columns out.
"""

import csv
import datetime
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from partida.books import models as m
from partida.books.pdf_fonts import body_font
from partida.reports import ledger_reports as r
from partida.reports import receivables as rc
from partida.reports import tax_report as tx
from partida.reports.formatting import (
    csv_amount,
    csv_day,
    csv_separator,
    format_amount,
    format_day,
)

MAX_PDF_ROWS = 20_000  # about 500 pages: more is a job for the CSV file and a spreadsheet


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = "text"  # "text", "date" or "amount"
    width: float = 30  # in the PDF, millimetres on a landscape A4 page
    in_pdf: bool = True  # False: repeated on every CSV line, a heading in the PDF


@dataclass(frozen=True)
class Row:
    cells: tuple
    style: str = "row"  # "row", "heading" (PDF only: an account or an entry), "total"


@dataclass
class Document:
    title: str
    company: m.Company
    period: r.Period
    columns: list[Column]
    rows: Iterable[Row]
    subtitle: str = ""
    notes: list[str] = field(default_factory=list)
    as_of: datetime.date | None = None  # a report of one day (aged balances), not a period

    @property
    def filename_stem(self) -> str:
        if self.as_of:
            name = f"{self.title} {self.company.name} {self.as_of.isoformat()}"
        else:
            name = f"{self.title} {self.company.name} {self.period.date_from.isoformat()}"
            name += f" {self.period.date_to.isoformat()}"
        return re.sub(r'[\\/:*?"<>|]+', "-", name)

    @property
    def dates_text(self) -> str:
        if self.as_of:
            return _("As of %(day)s") % {"day": format_day(self.as_of)}
        return period_text(self.period)


def period_text(period: r.Period) -> str:
    return _("From %(start)s to %(end)s") % {
        "start": format_day(period.date_from),
        "end": format_day(period.date_to),
    }


# --- CSV -------------------------------------------------------------------------------------


def csv_cell(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "amount":
        return csv_amount(value)
    if kind == "date":
        return csv_day(value)
    return str(value)


class Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(document: Document) -> Iterator[str]:
    """The document as CSV lines, one at a time (a whole year's ledger never sits in memory)."""
    writer = csv.writer(Echo(), delimiter=csv_separator(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([column.heading for column in document.columns])
    for row in document.rows:
        if row.style == "heading":
            continue
        yield writer.writerow(
            [csv_cell(value, c.kind) for value, c in zip(row.cells, document.columns, strict=True)]
        )


# --- PDF -------------------------------------------------------------------------------------


class TooLongForPdf(Exception):
    """The period has more rows than a PDF should hold."""

    def __init__(self, rows: int):
        super().__init__(rows)
        self.rows = rows


def pdf_cell(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "amount":
        return format_amount(value)
    if kind == "date":
        return format_day(value)
    return str(value)


def pdf_bytes(document: Document) -> bytes:
    """The document as a landscape A4 PDF, with its title, company and period on every page."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    columns = [(i, c) for i, c in enumerate(document.columns) if c.in_pdf]
    page_label = _("Page %(number)s of %(total)s")

    class ReportPdf(FPDF):
        def header(self):
            self.set_font(family, "B", 12)
            self.cell(0, 6, text(f"{document.title} · {document.company.name}"), **next_line)
            self.set_font(family, "", 9)
            subtitle = document.dates_text
            if document.subtitle:
                subtitle += " · " + document.subtitle
            self.cell(0, 5, text(subtitle), **next_line)
            self.ln(2)
            self.set_font(family, "B", 8)
            for _i, column in columns:
                align = "R" if column.kind == "amount" else "L"
                self.cell(column.width, 6, text(column.heading), border="B", align=align)
            self.ln()

        def footer(self):
            self.set_y(-10)
            self.set_font(family, "", 7)
            label = page_label % {"number": self.page_no(), "total": "{nb}"}
            self.cell(0, 5, text(label), align="R")

    next_line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    pdf = ReportPdf(orientation="L", format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(auto=True, margin=12)
    family, text = body_font(pdf)

    pdf.set_title(text(f"{document.title} · {document.company.name}"))
    pdf.set_author(text(document.company.name))
    pdf.set_creation_date(timezone.now())
    pdf.add_page()
    count = 0
    for row in document.rows:
        count += 1
        if count > MAX_PDF_ROWS:
            raise TooLongForPdf(count)
        if row.style == "heading":
            pdf.ln(1)
            pdf.set_font(family, "B", 8.5)
            pdf.cell(0, 6, text(row.cells[0]), **next_line)
            continue
        pdf.set_font(family, "B" if row.style == "total" else "", 8)
        border = "T" if row.style == "total" else 0
        for i, column in columns:
            shown = pdf_cell(row.cells[i], column.kind)
            width = column.width
            while shown and pdf.get_string_width(text(shown)) > width - 1:
                shown = shown[:-2] + "…"
            align = "R" if column.kind == "amount" else "L"
            pdf.cell(width, 5, text(shown), border=border, align=align)
        pdf.ln()
    for note in document.notes:
        pdf.ln(2)
        pdf.set_font(family, "", 8)
        pdf.multi_cell(0, 4, text(note), **next_line)
    return bytes(pdf.output())


# --- The reports as documents ----------------------------------------------------------------


def movement_columns() -> list[Column]:
    return [
        Column(_("Date"), "date", 22),
        Column(_("Transaction"), "text", 34),
        Column(_("Reference"), "text", 28),
        Column(_("Description"), "text", 105),
        Column(_("Debit"), "amount", 28),
        Column(_("Credit"), "amount", 28),
        Column(_("Balance"), "amount", 32),
    ]


def movement_rows(
    opening: Decimal, movements: Iterable[r.Movement], lead: tuple = ()
) -> Iterator[Row]:
    """An account's opening balance, movements and totals; ``lead`` cells (its code and name,
    in the general ledger's CSV) start each row."""
    yield Row((*lead, None, "", "", _("Opening balance"), None, None, opening))
    debit = credit = r.ZERO
    balance = opening
    for movement in movements:
        debit += movement.debit
        credit += movement.credit
        balance = movement.balance
        source = movement.source
        yield Row(
            (
                *lead,
                movement.date,
                source.kind_name,
                source.reference,
                source.description,
                movement.debit or None,
                movement.credit or None,
                movement.balance,
            )
        )
    yield Row(
        (*lead, None, "", "", _("Totals and closing balance"), debit, credit, balance), "total"
    )


def account_movements_document(account: m.Account, period: r.Period) -> Document:
    opening = r.balance_before(account.pk, period.date_from)
    return Document(
        title=_("Movements"),
        subtitle=str(account),
        company=account.company,
        period=period,
        columns=movement_columns(),
        rows=movement_rows(opening, r.stream_movements(account, period)),
    )


def general_ledger_rows(company: m.Company, period: r.Period) -> Iterator[Row]:
    """Each account that moved, its rows written as they are read (a year of the large demo
    company's general ledger is 530,000 rows)."""
    for account in r.moved_accounts(company, period):
        movements = r.stream_movements(account, period)
        first = next(movements, None)
        if first is None:
            continue
        opening = r.balance_before(account.pk, period.date_from)
        yield Row((f"{account.code} {account.name}",), "heading")
        yield from movement_rows(
            opening, itertools.chain([first], movements), lead=(account.code, account.name)
        )


def general_ledger_document(company: m.Company, period: r.Period) -> Document:
    return Document(
        title=_("General ledger"),
        company=company,
        period=period,
        columns=[
            Column(_("Account"), "text", 0, in_pdf=False),
            Column(_("Account name"), "text", 0, in_pdf=False),
            *movement_columns(),
        ],
        rows=general_ledger_rows(company, period),
    )


def trial_balance_rows(report: r.TrialBalance) -> Iterator[Row]:
    for line in report.lines:
        yield Row(
            (
                line.code,
                line.name,
                line.opening,
                line.debit,
                line.credit,
                line.closing_debit or None,
                line.closing_credit or None,
            )
        )
    yield Row(
        (
            "",
            _("Totals"),
            report.opening,
            report.debit,
            report.credit,
            report.closing_debit,
            report.closing_credit,
        ),
        "total",
    )


def trial_balance_columns() -> list[Column]:
    return [
        Column(_("Code"), "text", 20),
        Column(_("Account"), "text", 97),
        Column(_("Opening balance"), "amount", 32),
        Column(_("Debit"), "amount", 32),
        Column(_("Credit"), "amount", 32),
        Column(_("Debit balance"), "amount", 32),
        Column(_("Credit balance"), "amount", 32),
    ]


def trial_balance_document(company: m.Company, period: r.Period) -> Document:
    report = r.trial_balance(company, period)
    return Document(
        title=_("Trial balance"),
        company=company,
        period=period,
        columns=trial_balance_columns(),
        rows=list(trial_balance_rows(report)),
        notes=[
            _(
                "Opening balance: debit positive, credit negative. Debit and Credit: the "
                "period's postings. Debit balance and Credit balance: at the end of the period."
            )
        ],
    )


def entry_heading(entry: r.JournalEntry) -> str:
    source = entry.source
    parts = [
        _("No. %(number)s") % {"number": entry.number},
        format_day(source.date),
        f"{source.kind_name} {source.reference}".strip(),
    ]
    if source.description:
        parts.append(source.description)
    return " · ".join(parts)


def journal_rows(company: m.Company, period: r.Period) -> Iterator[Row]:
    debit = credit = r.ZERO
    for entry in r.all_journal_entries(company, period):
        source = entry.source
        lead = (entry.number, source.date, source.kind_name, source.reference, source.description)
        yield Row((entry_heading(entry),), "heading")
        for posting in entry.postings:
            debit += posting.debit
            credit += posting.credit
            yield Row(
                (*lead, posting.code, posting.name, posting.debit or None, posting.credit or None)
            )
    yield Row(("", None, "", "", "", "", _("Totals"), debit, credit), "total")


def journal_document(company: m.Company, period: r.Period) -> Document:
    return Document(
        title=_("Journal"),
        company=company,
        period=period,
        columns=[
            Column(_("No."), "text", 0, in_pdf=False),
            Column(_("Date"), "date", 0, in_pdf=False),
            Column(_("Transaction"), "text", 0, in_pdf=False),
            Column(_("Reference"), "text", 0, in_pdf=False),
            Column(_("Description"), "text", 0, in_pdf=False),
            Column(_("Account"), "text", 30),
            Column(_("Account name"), "text", 167),
            Column(_("Debit"), "amount", 40),
            Column(_("Credit"), "amount", 40),
        ],
        rows=journal_rows(company, period),
    )


def profit_and_loss_rows(report: r.ProfitAndLoss) -> Iterator[Row]:
    for heading, lines, total, previous, label in report.sections():
        yield Row((heading,), "heading")
        for line in lines:
            yield Row((line.code, line.name, line.amount, line.previous))
        yield Row(("", label, total, previous), "total")
    label = _("Net profit") if report.net_profit >= 0 else _("Net loss")
    yield Row(("", label, report.net_profit, report.previous_net_profit), "total")


def profit_and_loss_columns(report: r.ProfitAndLoss) -> list[Column]:
    return [
        Column(_("Code"), "text", 22),
        Column(_("Account"), "text", 155),
        Column(period_text(report.period), "amount", 50),
        Column(period_text(report.previous_period), "amount", 50),
    ]


def profit_and_loss_document(company: m.Company, period: r.Period) -> Document:
    report = r.profit_and_loss(company, period)
    return Document(
        title=_("Profit and loss"),
        company=company,
        period=period,
        columns=profit_and_loss_columns(report),
        rows=list(profit_and_loss_rows(report)),
    )


# --- Aged receivables and payables, statements, the IVA summary ------------------------------


def aged_rows(report: rc.AgedReport) -> Iterator[Row]:
    for line in report.lines:
        yield Row((line.name, *line.buckets, line.on_account or None, line.total))
    if report.unassigned:
        yield Row((unassigned_label(report), *[None] * 5, None, report.unassigned))
    yield Row((_("Totals"), *report.bucket_totals, report.on_account, report.total), "total")


def unassigned_label(report: rc.AgedReport) -> str:
    if report.is_receivables:
        return _("Entries that name no customer")
    return _("Entries that name no supplier")


def aged_title(report: rc.AgedReport) -> str:
    return _("Aged receivables") if report.is_receivables else _("Aged payables")


def aged_note(report: rc.AgedReport) -> str:
    if report.account is None:
        return _("This company has no receivable or payable account yet: nothing is owed.")
    return _(
        "Days past each invoice's due date (its date when it has none). On account: received "
        "or paid and not applied to an invoice. The total is the balance of account "
        "%(account)s on that day."
    ) % {"account": f"{report.account.code} {report.account.name}"}


def aged_document(side, company: m.Company, as_of: datetime.date) -> Document:
    report = rc.aged_report(side, company, as_of)
    party = _("Customer") if report.is_receivables else _("Supplier")
    return Document(
        title=aged_title(report),
        company=company,
        period=r.Period(as_of, as_of),
        as_of=as_of,
        columns=[
            Column(party, "text", 81),
            *[Column(str(title), "amount", 26) for title in rc.BUCKET_TITLES],
            Column(_("On account"), "amount", 28),
            Column(_("Total"), "amount", 28),
        ],
        rows=list(aged_rows(report)),
        notes=[aged_note(report)],
    )


def statement_rows(report: rc.Statement) -> Iterator[Row]:
    """Opening balance, each document with the running balance, totals and closing balance;
    a customer's invoices are debits, a supplier's credits (as on 430 and 400)."""
    yield Row((None, "", "", _("Opening balance"), None, None, report.opening))
    for row in report.rows:
        yield Row(
            (
                row.date,
                row.kind_name,
                row.number,
                row.description,
                row.debit or None,
                row.credit or None,
                row.balance,
            )
        )
    yield Row(
        (
            None,
            "",
            "",
            _("Totals and closing balance"),
            report.debit,
            report.credit,
            report.closing,
        ),
        "total",
    )


def statement_title(report: rc.Statement) -> str:
    return _("Customer statement") if report.is_customer else _("Supplier statement")


def statement_document(side, party, period: r.Period) -> Document:
    report = rc.statement(side, party, period)
    return Document(
        title=statement_title(report),
        subtitle=party.name,
        company=party.company,
        period=period,
        columns=[
            Column(_("Date"), "date", 22),
            Column(_("Document"), "text", 30),
            Column(_("Number"), "text", 32),
            Column(_("Description"), "text", 105),
            Column(_("Debit"), "amount", 28),
            Column(_("Credit"), "amount", 28),
            Column(_("Balance"), "amount", 32),
        ],
        rows=list(statement_rows(report)),
    )


def tax_rows(report: tx.TaxSummary) -> Iterator[Row]:
    for _key, title, lines, base, amount in report.sections():
        yield Row((str(title),), "heading")
        for line in lines:
            yield Row((str(title), line.name, line.base, line.tax))
        yield Row((str(title), _("Total"), base, amount), "total")
    yield Row(("", result_label(), None, report.result), "total")


def result_label() -> str:
    return _("Result of the return (output VAT − input VAT)")


def tax_document(company: m.Company, period: r.Period) -> Document:
    report = tx.tax_summary(company, period)
    return Document(
        title=_("IVA summary"),
        company=company,
        period=period,
        columns=[
            Column(_("Part"), "text", 0, in_pdf=False),
            Column(_("Tax"), "text", 157),
            Column(_("Base"), "amount", 60),
            Column(_("Amount"), "amount", 60),
        ],
        rows=list(tax_rows(report)),
        notes=[tax_note()],
    )


def tax_note() -> str:
    return _(
        "By the date of each document: issued invoices, credit notes (with the opposite "
        "sign), receipts and payments whose lines carry a tax. A positive result is to pay, "
        "a negative one to claim or carry forward."
    )


def csv_text(document: Document) -> str:
    """The whole CSV file as one string (the command line and the tests)."""
    out = io.StringIO()
    for line in csv_lines(document):
        out.write(line)
    return out.getvalue()
