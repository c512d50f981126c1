"""Closing a year, archiving accounts and taxes, and a company's default taxes.

Plain functions over ``partida.books.actions``: what the Close the year screen shows before
anything is posted, the checks before archiving, and the default taxes for a company that has
none (one restored from a backup older than taxes).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partida.books import actions
from partida.books import models as m
from partida.books.chart import default_chart, default_tax_codes

ZERO = m.ZERO


# --- Closing a year --------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """The fiscal year is the calendar year."""
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


@dataclass(frozen=True)
class ClosingLine:
    account: m.Account
    debit: Decimal
    credit: Decimal


@dataclass
class YearClosing:
    """What closing ``year`` would post, as the screen shows it before the user confirms."""

    year: int
    income: Decimal = ZERO
    expenses: Decimal = ZERO
    lines: list[ClosingLine] = field(default_factory=list)
    closing_entry: m.JournalEntry | None = None  # the year's closing entry, if it is closed

    @property
    def result(self) -> Decimal:
        return self.income - self.expenses

    @property
    def last_day(self) -> datetime.date:
        return year_bounds(self.year)[1]

    @property
    def total(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)


def closing_entry_of(company: m.Company, year: int) -> m.JournalEntry | None:
    return m.JournalEntry.objects.filter(
        company=company, closes_year=True, date=year_bounds(year)[1]
    ).first()


def year_closing(company: m.Company, year: int) -> YearClosing:
    """The year's income, expenses and result, and the lines of its closing entry: each income
    and expense account back to zero, the difference to the results account (129)."""
    balances = actions.year_results(company, *year_bounds(year))
    accounts = m.Account.objects.in_bulk([account_id for account_id, _b in balances])
    closing = YearClosing(year=year, closing_entry=closing_entry_of(company, year))
    for account_id, balance in balances:
        account = accounts[account_id]
        if account.kind == m.AccountKind.INCOME:
            closing.income -= balance
        else:
            closing.expenses += balance
        closing.lines.append(ClosingLine(account, *debit_and_credit(-balance)))
    results = m.Account.objects.filter(
        company=company, role=m.AccountRole.RETAINED_EARNINGS
    ).first()
    if closing.lines and results is not None:  # without one, closing says what to do
        # A profit is credited to the results account, a loss debited.
        closing.lines.append(ClosingLine(results, *debit_and_credit(-closing.result)))
    return closing


def debit_and_credit(amount: Decimal) -> tuple[Decimal, Decimal]:
    """A ledger amount (positive for a debit) as a journal line's debit and credit."""
    return (amount, ZERO) if amount > 0 else (ZERO, -amount)


def years_with_movements(company: m.Company) -> list[int]:
    """The years that have anything in the ledger, the latest first."""
    years = (
        m.LedgerEntry.objects.filter(company=company)
        .annotate(year=ExtractYear("date"))
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)


def year_to_close(company: m.Company, today: datetime.date) -> int:
    """The year the screen suggests: the latest year before this one that is not closed and
    has movements, else last year."""
    for year in years_with_movements(company):
        if year < today.year and closing_entry_of(company, year) is None:
            return year
    return today.year - 1


def do_close_calendar_year(company: m.Company, year: int) -> m.JournalEntry:
    """Close ``year`` (1 January to 31 December); see ``actions.do_close_year``."""
    return actions.do_close_year(company, *year_bounds(year))


def closed_year(entry: m.JournalEntry) -> int | None:
    """The year a closing entry closes, or None for any other journal entry."""
    return entry.date.year if getattr(entry, "closes_year", False) else None


# --- Archiving -------------------------------------------------------------------------------


def check_can_archive(record: m.Account | m.TaxCode) -> None:
    """The program posts to bank and role accounts by itself, and a tax still offered posts to
    its accounts: those stay in use."""
    if not isinstance(record, m.Account):
        return
    if record.role == m.AccountRole.BANK or m.BankAccount.objects.filter(account=record).exists():
        raise ValidationError(
            _(
                "This is the account of a bank or cash account, so it cannot be archived: "
                "delete that bank or cash account instead, if it has no transactions."
            ),
            code="bank_account",
        )
    if record.role:
        raise ValidationError(
            _(
                "The program posts to this account by itself (its role is “%(role)s”), so it "
                "cannot be archived: give the role to another account first."
            ),
            code="role",
            params={"role": m.AccountRole(record.role).label},
        )
    tax = (
        m.TaxCode.objects.filter(company_id=record.company_id, archived=False)
        .filter(Q(sales_account=record) | Q(purchase_account=record))
        .first()
    )
    if tax is not None:
        raise ValidationError(
            _(
                "The tax “%(tax)s” posts to this account: give that tax another account, or "
                "archive it, before archiving the account."
            ),
            code="tax_account",
            params={"tax": tax.name},
        )


def do_archive(company: m.Company, record: m.Account | m.TaxCode, archived: bool):
    """Archive an account or a tax (it keeps its movements and is no longer offered), or bring
    it back; refused, changing nothing, for an account the program still posts to."""
    if archived:
        check_can_archive(record)
    return actions.do_set_archived(company, record, archived)


def archived_mark(record) -> str:
    """How a list marks an archived record (an account is feminine in Spanish, a tax not)."""
    if not getattr(record, "archived", False):
        return ""
    if isinstance(record, m.TaxCode):
        return pgettext("a tax", "archived")
    return pgettext("an account", "archived")


def list_mark(record) -> str:
    """A word a list shows beside a record: archived, or the closing of a year."""
    if closed_year(record) is not None:
        return _("closing of the year")
    return archived_mark(record)


# --- Default taxes ---------------------------------------------------------------------------


@transaction.atomic
def do_add_default_taxes(company: m.Company) -> list[m.TaxCode]:
    """Give a company without taxes the default ones of its chart's language (IVA 21 %, 10 %,
    4 %, exempt and IRPF −15 % in Spanish), adding the accounts they post to that it lacks
    (472, 477, 473 and 4751 in Spanish). History shows each account and tax added."""
    if m.TaxCode.objects.filter(company=company).exists():
        raise ValidationError(
            _("This company has taxes already: add any other one with New tax."),
            code="has_taxes",
        )
    language = company.chart_language
    chart = {code: (kind, name) for code, kind, _role, name in default_chart(language)}
    accounts = {account.code: account for account in m.Account.objects.filter(company=company)}
    created = []
    for name, rate, kind, sales_code, purchase_code in default_tax_codes(language):
        for code in (sales_code, purchase_code):
            if code not in accounts:
                account_kind, account_name = chart[code]
                accounts[code] = actions.do_save_record(
                    company, m.Account(code=code, name=account_name, kind=account_kind)
                )
        tax = m.TaxCode(
            name=name,
            rate=rate,
            kind=kind,
            sales_account=accounts[sales_code],
            purchase_account=accounts[purchase_code],
        )
        created.append(actions.do_save_record(company, tax))
    return created
