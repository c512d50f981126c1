"""``partida close-year COMPANY YEAR``: close a year as the Close the year screen does."""

import argparse

from django.utils.translation import gettext, gettext_lazy, pgettext

from partida.books import closing
from partida.books.numbers import format_day, format_money
from partida.cli import CliError, find_company, print_json, subcommand


def add_close_year_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "company",
        metavar=pgettext("command-line argument", "company"),
        help=gettext("The company's exact name, or its key."),
    )
    parser.add_argument(
        "year",
        metavar=pgettext("command-line argument", "year"),
        help=gettext("The year to close, such as 2025 (1 January to 31 December)."),
    )
    parser.add_argument("--json", action="store_true", help=gettext("Print JSON."))


def parse_year(text: str) -> int:
    if not text.strip().isdigit() or not 1900 <= int(text) <= 9998:
        raise CliError(
            gettext("“%(text)s” is not a year: write it with four digits, such as 2025.")
            % {"text": text}
        )
    return int(text)


@subcommand(
    "close-year",
    gettext_lazy(
        "Close a year: post its closing entry (income and expenses to the results account) "
        "and lock the books up to its last day."
    ),
    add_close_year_arguments,
)
def close_year(args: argparse.Namespace) -> int:
    year = parse_year(args.year)
    company = find_company(args.company)
    preview = closing.year_closing(company, year)
    entry = closing.do_close_calendar_year(company, year)
    total = sum((line.debit for line in entry.lines.all()), closing.ZERO)
    if args.json:
        print_json(
            {
                "company": {"id": str(company.pk), "name": company.name},
                "year": year,
                "entry": {"id": str(entry.pk), "date": entry.date.isoformat()},
                "total": str(total),
                "income": str(preview.income),
                "expenses": str(preview.expenses),
                "result": str(preview.result),
                "lock_date": entry.date.isoformat(),
            }
        )
        return 0
    currency = company.base_currency
    print(
        gettext("The year %(year)s of %(company)s is closed.")
        % {"year": year, "company": company.name}
    )
    print(
        gettext("Closing entry of %(date)s: %(total)s.")
        % {"date": format_day(entry.date), "total": format_money(total, currency)}
    )
    label = gettext("Net profit") if preview.result >= 0 else gettext("Net loss")
    print(f"{label}: {format_money(preview.result, currency)}")
    print(gettext("The books are locked up to %(date)s.") % {"date": format_day(entry.date)})
    return 0
