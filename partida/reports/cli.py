"""``partida report trial-balance|general-ledger|journal|profit-and-loss|aged-receivables|
aged-payables|tax COMPANY``.

The same reports as the screens, for the period ``--from``/``--to`` (by default the Summary's
period; for the aged balances ``--to`` is the day, by default today; for the IVA summary the
quarter of today), as a table in the terminal's language or as JSON (amounts as decimal
strings).
"""

import argparse
import datetime

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext

from partida.books.views import default_period
from partida.cli import CliError, find_company, parse_date, print_json, print_table, subcommand
from partida.reports import documents
from partida.reports import ledger_reports as r
from partida.reports import receivables as rc
from partida.reports import tax_report as tx
from partida.reports.formatting import format_amount, format_day

REPORT_NAMES = (
    "trial-balance",
    "general-ledger",
    "journal",
    "profit-and-loss",
    "aged-receivables",
    "aged-payables",
    "tax",
)


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "report",
        metavar=pgettext("command-line argument", "report"),
        choices=REPORT_NAMES,
        help=gettext("Which report: %(names)s.") % {"names": ", ".join(REPORT_NAMES)},
    )
    parser.add_argument(
        "company",
        metavar=pgettext("command-line argument", "company"),
        help=gettext("The company's exact name, or its key."),
    )
    parser.add_argument("--from", dest="date_from", help=gettext("First day, as YYYY-MM-DD."))
    parser.add_argument("--to", dest="date_to", help=gettext("Last day, as YYYY-MM-DD."))
    parser.add_argument("--json", action="store_true", help=gettext("Print JSON."))


def default_report_period(name: str, company, day: datetime.date | None) -> tuple:
    """The period of report ``name`` when none is given: the year up to the day for the aged
    balances, the quarter for the IVA summary (of the day given, else of today), else the
    Summary's period."""
    today = timezone.localdate()
    if name.startswith("aged-"):
        day = day or today
        return day.replace(month=1, day=1), day
    if name == "tax":
        quarter = tx.quarter_of(day or today)
        return quarter.date_from, quarter.date_to
    return default_period(company, today)


def report_period(company, date_from, date_to, name: str = "") -> r.Period:
    """The period asked for; what is not given comes from the report's default period."""
    default_from, default_to = default_report_period(name, company, date_to)
    period = r.Period(date_from or default_from, date_to or default_to)
    if period.date_from > period.date_to:
        raise CliError(gettext("--from must not be later than --to."))
    return period


def company_json(company) -> dict:
    return {"id": str(company.pk), "name": company.name, "base_currency": company.base_currency}


def trial_balance_json(company, period: r.Period) -> dict:
    return r.trial_balance(company, period).as_json()


def general_ledger_json(company, period: r.Period) -> dict:
    sections = [section.as_json() for section in r.general_ledger_sections(company, period)]
    debit, credit = r.period_totals(company, period)
    return {
        **period.as_json(),
        "accounts": sections,
        "totals": {"debit": str(debit), "credit": str(credit)},
    }


def journal_json(company, period: r.Period) -> dict:
    entries = [entry.as_json() for entry in r.all_journal_entries(company, period)]
    debit, credit = r.period_totals(company, period)
    return {
        **period.as_json(),
        "entries": entries,
        "totals": {"debit": str(debit), "credit": str(credit)},
    }


def profit_and_loss_json(company, period: r.Period) -> dict:
    return r.profit_and_loss(company, period).as_json()


def aged_receivables_json(company, period: r.Period) -> dict:
    return rc.aged_report(rc.SALES, company, period.date_to).as_json()


def aged_payables_json(company, period: r.Period) -> dict:
    return rc.aged_report(rc.PURCHASES, company, period.date_to).as_json()


def tax_json(company, period: r.Period) -> dict:
    return tx.tax_summary(company, period).as_json()


REPORT_JSON = {
    "trial-balance": trial_balance_json,
    "general-ledger": general_ledger_json,
    "journal": journal_json,
    "profit-and-loss": profit_and_loss_json,
    "aged-receivables": aged_receivables_json,
    "aged-payables": aged_payables_json,
    "tax": tax_json,
}


def report_json(name: str, company, period: r.Period) -> dict:
    """The report ``name`` as JSON: what ``partida report NAME COMPANY --json`` prints."""
    return {"report": name, "company": company_json(company), **REPORT_JSON[name](company, period)}


def amount(value) -> str:
    return format_amount(value) if value else ""


def print_trial_balance(company, period: r.Period) -> None:
    report = r.trial_balance(company, period)
    rows = [
        [
            gettext("Code"),
            gettext("Account"),
            gettext("Opening balance"),
            gettext("Debit"),
            gettext("Credit"),
            gettext("Debit balance"),
            gettext("Credit balance"),
        ]
    ]
    for line in report.lines:
        rows.append(
            [
                line.code,
                line.name,
                format_amount(line.opening),
                format_amount(line.debit),
                format_amount(line.credit),
                amount(line.closing_debit),
                amount(line.closing_credit),
            ]
        )
    rows.append(
        [
            "",
            gettext("Totals"),
            format_amount(report.opening),
            format_amount(report.debit),
            format_amount(report.credit),
            format_amount(report.closing_debit),
            format_amount(report.closing_credit),
        ]
    )
    print_table(rows, right={2, 3, 4, 5, 6})


def movement_table(section: r.LedgerSection) -> list[list[str]]:
    rows = [
        [
            gettext("Date"),
            gettext("Transaction"),
            gettext("Description"),
            gettext("Debit"),
            gettext("Credit"),
            gettext("Balance"),
        ],
        ["", "", gettext("Opening balance"), "", "", format_amount(section.opening)],
    ]
    for movement in section.movements:
        source = movement.source
        rows.append(
            [
                format_day(movement.date),
                f"{source.kind_name} {source.reference}".strip(),
                source.description,
                amount(movement.debit),
                amount(movement.credit),
                format_amount(movement.balance),
            ]
        )
    rows.append(
        [
            "",
            "",
            gettext("Totals and closing balance"),
            format_amount(section.debit),
            format_amount(section.credit),
            format_amount(section.closing),
        ]
    )
    return rows


def print_general_ledger(company, period: r.Period) -> None:
    for section in r.general_ledger_sections(company, period):
        print(f"{section.account.code} {section.account.name}")
        print_table(movement_table(section), right={3, 4, 5})
        print()


def print_journal(company, period: r.Period) -> None:
    for entry in r.all_journal_entries(company, period):
        source = entry.source
        heading = [
            gettext("No. %(number)s") % {"number": entry.number},
            format_day(source.date),
            f"{source.kind_name} {source.reference}".strip(),
        ]
        if source.description:
            heading.append(source.description)
        print(" · ".join(heading))
        print_table(
            [["  " + p.code, p.name, amount(p.debit), amount(p.credit)] for p in entry.postings],
            right={2, 3},
        )
    debit, credit = r.period_totals(company, period)
    print()
    print(
        gettext("Totals of the period: debits %(debit)s, credits %(credit)s.")
        % {"debit": format_amount(debit), "credit": format_amount(credit)}
    )


def print_profit_and_loss(company, period: r.Period) -> None:
    report = r.profit_and_loss(company, period)

    def span(p: r.Period) -> str:
        return f"{format_day(p.date_from)} – {format_day(p.date_to)}"

    rows = [["", span(report.period), span(report.previous_period)]]
    for heading, lines, total, previous, label in (
        (
            gettext("Income"),
            report.income,
            report.total_income,
            report.previous_income,
            gettext("Total income"),
        ),
        (
            gettext("Expenses"),
            report.expenses,
            report.total_expenses,
            report.previous_expenses,
            gettext("Total expenses"),
        ),
    ):
        rows.append([heading, "", ""])
        for line in lines:
            rows.append(
                [
                    f"  {line.code} {line.name}",
                    format_amount(line.amount),
                    format_amount(line.previous),
                ]
            )
        rows.append([label, format_amount(total), format_amount(previous)])
    label = gettext("Net profit") if report.net_profit >= 0 else gettext("Net loss")
    rows.append(
        [label, format_amount(report.net_profit), format_amount(report.previous_net_profit)]
    )
    print_table(rows, right={1, 2})


def print_aged(side, company, period: r.Period) -> None:
    document = documents.aged_document(side, company, period.date_to)
    print_document(document)


def print_document(document: documents.Document) -> None:
    """A document's rows as a table: what its PDF shows, headings and notes included."""
    columns = [column for column in document.columns if column.in_pdf]
    shown = [i for i, column in enumerate(document.columns) if column.in_pdf]
    rows = [[column.heading for column in columns]]
    for row in document.rows:
        if row.style == "heading":
            rows.append([row.cells[0]] + [""] * (len(columns) - 1))
            continue
        rows.append([documents.pdf_cell(row.cells[i], document.columns[i].kind) for i in shown])
    print_table(rows, right={i for i, column in enumerate(columns) if column.kind == "amount"})
    for note in document.notes:
        print()
        print(note)


def print_tax(company, period: r.Period) -> None:
    print_document(documents.tax_document(company, period))


REPORT_PRINTERS = {
    "trial-balance": (gettext_lazy("Trial balance"), print_trial_balance),
    "general-ledger": (gettext_lazy("General ledger"), print_general_ledger),
    "journal": (gettext_lazy("Journal"), print_journal),
    "profit-and-loss": (gettext_lazy("Profit and loss"), print_profit_and_loss),
    "aged-receivables": (
        gettext_lazy("Aged receivables"),
        lambda company, period: print_aged(rc.SALES, company, period),
    ),
    "aged-payables": (
        gettext_lazy("Aged payables"),
        lambda company, period: print_aged(rc.PURCHASES, company, period),
    ),
    "tax": (gettext_lazy("IVA summary"), print_tax),
}


@subcommand(
    "report",
    gettext_lazy(
        "Print a report of a company's books: the trial balance, the general ledger, the "
        "journal, the profit and loss, the aged receivables or payables, or the IVA summary."
    ),
    add_report_arguments,
)
def report(args: argparse.Namespace) -> int:
    date_from = parse_date(args.date_from, "--from")
    date_to = parse_date(args.date_to, "--to")
    company = find_company(args.company)
    period = report_period(company, date_from, date_to, args.report)
    if args.json:
        print_json(report_json(args.report, company, period))
        return 0
    title, printer = REPORT_PRINTERS[args.report]
    print(f"{title} · {company.name}")
    if args.report.startswith("aged-"):
        print(gettext("As of %(day)s") % {"day": format_day(period.date_to)})
    else:
        print(
            gettext("From %(start)s to %(end)s")
            % {"start": format_day(period.date_from), "end": format_day(period.date_to)}
        )
    print()
    printer(company, period)
    return 0
