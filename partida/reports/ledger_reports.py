"""The reports an accountant asks for, read from the general ledger as it is.

Account movements (the mayor of one account), the trial balance (sumas y saldos), the general
ledger (libro mayor), the journal (libro diario) and the profit and loss with the previous
period beside it. Plain functions over the ORM; the screens, the files and the command line
only present what these return.

Why it answers fast on a company with half a million ledger rows:

- Balances at a date (the opening balance, the balance a page starts from) are sums of the
  accounts' daily totals (``AccountDay``), never of the ledger.
- Pages hold whole days. A page's rows are read by account and date, and the balance a page
  starts from is the balance before its first day, so no page sums or skips the rows of the
  pages before it.
- Within a day, rows are ordered by what they show (kind, reference, description, amount), not
  by their keys: a company restored from its backup has other keys, and its reports are the
  same, row for row.

Sums of ledger amounts are taken in whole cents in SQL (as the daily totals are), so they are
exact on SQLite too.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, Case, Count, F, Sum, Value, When
from django.db.models.functions import Cast, Round
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from partida.books import models as m
from partida.books.kinds import RECORD_KINDS, TRANSACTION_KINDS
from partida.books.summary import from_cents, summarize

ZERO = Decimal("0.00")
PAGE_ROWS = 50  # rows on a screen's page (whole days, so a page may hold a few more)
CHUNK_ROWS = 5000  # rows read at a time when a whole period goes to a file
IN_CHUNK = 900  # keys per IN (...) list: under SQLite's oldest limit of 999 parameters

CENTS = Cast(Round(F("amount") * 100), BigIntegerField())
DEBIT_CENTS = Sum(Case(When(amount__gt=0, then=CENTS), default=Value(0)))
CREDIT_CENTS = Sum(Case(When(amount__lt=0, then=-CENTS), default=Value(0)))

# Who a transaction is with, shown when it has no description of its own.
COUNTERPARTY = {
    "receipt": "customer__name",
    "payment": "supplier__name",
    "sales_invoice": "customer__name",
    "purchase_invoice": "supplier__name",
}
# Within a day: entries first (an opening entry opens the day), then invoices, then money.
DAY_ORDER = ("journal_entry", "sales_invoice", "purchase_invoice", "receipt", "payment")
KIND_ORDER = {kind: i for i, kind in enumerate(DAY_ORDER)}


# --- Periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    date_from: datetime.date
    date_to: datetime.date

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one. A period of whole months (a
        year, a quarter) is followed back by the same months, so 2025 compares with 2024, not
        with the 365 days before it."""
        if self.date_from.day == 1 and (self.date_to + datetime.timedelta(days=1)).day == 1:
            months = (
                (self.date_to.year - self.date_from.year) * 12
                + self.date_to.month
                - self.date_from.month
                + 1
            )
            start = add_months(self.date_from, -months)
            return Period(start, self.date_from - datetime.timedelta(days=1))
        end = self.date_from - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end)

    def as_json(self) -> dict:
        return {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


# --- Balances from the daily totals ----------------------------------------------------------


def balance_before(account_id, day: datetime.date) -> Decimal:
    """The account's balance (debit positive) at the start of ``day``."""
    cents = m.AccountDay.objects.filter(account_id=account_id, date__lt=day).aggregate(
        total=Sum("cents")
    )["total"]
    return from_cents(cents)


def balances_before(company: m.Company, day: datetime.date) -> dict:
    """Every account's balance (debit positive) at the start of ``day``, by account key."""
    rows = (
        m.AccountDay.objects.filter(company=company, date__lt=day)
        .values("account_id")
        .annotate(total=Sum("cents"))
        .values_list("account_id", "total")
        .order_by()
    )
    return {account_id: from_cents(total) for account_id, total in rows}


# --- Pages of whole days ---------------------------------------------------------------------


def day_pages(day_counts: list[tuple[datetime.date, int]], page_rows: int) -> list[tuple]:
    """Consecutive days cut into pages of about ``page_rows`` rows: ``(first day, last day)``
    of each. A day is never split, so a page may hold more when one day has many rows."""
    pages, first, rows = [], None, 0
    for day, count in day_counts:
        if first is None:
            first = day
        rows += count
        last = day
        if rows >= page_rows:
            pages.append((first, last))
            first, rows = None, 0
    if first is not None:
        pages.append((first, last))
    return pages


# --- Transactions behind ledger rows ---------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """The transaction a ledger row came from, as the reports show it."""

    kind: str
    id: object
    date: datetime.date
    reference: str
    description: str  # its own, else who it is with

    @property
    def kind_name(self) -> str:
        return capfirst(RECORD_KINDS[self.kind]._meta.verbose_name)

    def sort_key(self) -> tuple:
        return (self.date, KIND_ORDER[self.kind], self.reference, self.description)


def chunks(items: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sources(keys: dict[str, set]) -> dict:
    """The transactions ``{kind: {key, ...}}``, by key."""
    found = {}
    for kind, ids in keys.items():
        fields = ["id", "date", "reference", "description"]
        if kind in COUNTERPARTY:
            fields.append(COUNTERPARTY[kind])
        model = RECORD_KINDS[kind]
        for some in chunks(list(ids)):
            # By key alone: with the company too, SQLite may scan all the company's rows.
            for row in model.objects.filter(pk__in=some).values_list(*fields):
                key, date, reference, description = row[:4]
                other = row[4] if len(row) > 4 else ""
                found[key] = Source(kind, key, date, reference, description or other or "")
    return found


# --- Account movements -----------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    date: datetime.date
    source: Source
    debit: Decimal
    credit: Decimal
    balance: Decimal  # after this row, debit positive

    def as_json(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "kind": self.source.kind,
            "reference": self.source.reference,
            "description": self.source.description,
            "debit": str(self.debit),
            "credit": str(self.credit),
            "balance": str(self.balance),
        }


def rows_per_day(account_ids) -> tuple[dict, dict]:
    """How many ledger rows each account has (all dates), and how many a day on average.

    Read from the account index and the daily totals only, without touching a ledger row:
    enough to cut a period into pages of about the right size."""
    ids = list(account_ids)
    rows, days = {}, {}
    for some in chunks(ids):
        rows.update(
            m.LedgerEntry.objects.filter(account_id__in=some)
            .values("account_id")
            .annotate(n=Count("account_id"))
            .values_list("account_id", "n")
            .order_by()
        )
        days.update(
            m.AccountDay.objects.filter(account_id__in=some)
            .values("account_id")
            .annotate(n=Count("account_id"))
            .values_list("account_id", "n")
            .order_by()
        )
    density = {key: rows.get(key, 0) / days[key] if days.get(key) else 0.0 for key in ids}
    return rows, density


def even_pages(days: list[datetime.date], per_day: float, page_rows: int) -> list[tuple]:
    """``(first day, last day)`` of pages of about ``page_rows`` rows, at ``per_day`` rows a
    day; a day is never split."""
    step = max(1, round(page_rows / per_day)) if per_day else max(1, len(days))
    return [(days[i], days[min(i + step, len(days)) - 1]) for i in range(0, len(days), step)]


def moved_days(account_id, period: Period) -> list[datetime.date]:
    return list(
        m.AccountDay.objects.filter(
            account_id=account_id, date__gte=period.date_from, date__lte=period.date_to
        )
        .values_list("date", flat=True)
        .order_by("date")
    )


LEDGER_ROW = ("date", "amount", "source_kind", "source_id")


def ledger_rows(company: m.Company, account_id, first, last, account_rows: int) -> list[tuple]:
    """The account's ledger rows from ``first`` to ``last``, read through whichever index
    touches fewer rows: the company's rows of those days (a busy account's page is a day or
    two), or every row of the account (a quiet account's page is months)."""
    of_days = m.LedgerEntry.objects.filter(company=company, date__gte=first, date__lte=last)
    if of_days.count() <= account_rows:
        return [
            row[1:]
            for row in of_days.values_list("account_id", *LEDGER_ROW).order_by()
            if row[0] == account_id
        ]
    return list(
        m.LedgerEntry.objects.filter(account_id=account_id, date__gte=first, date__lte=last)
        .values_list(*LEDGER_ROW)
        .order_by()
    )


def movements_of(company: m.Company, rows: list[tuple], balance: Decimal) -> list[Movement]:
    """Ledger rows ``(date, amount, kind, key)`` in order, with the running balance starting at
    ``balance``. Within a day, by what they show: the order survives a backup and restore."""
    keys: dict[str, set] = {}
    for _date, _amount, kind, key in rows:
        keys.setdefault(kind, set()).add(key)
    found = sources(keys)
    rows = sorted(rows, key=lambda r: (found[r[3]].sort_key(), -r[1], str(r[3])))
    movements = []
    for date, amount, _kind, key in rows:
        balance += amount
        movements.append(Movement(date, found[key], max(amount, ZERO), max(-amount, ZERO), balance))
    return movements


@dataclass
class AccountMovements:
    account: m.Account
    period: Period
    opening: Decimal  # balance at the start of the period, debit positive
    closing: Decimal  # at its end
    page: int  # 1-based; the pages are of whole days
    pages: int
    page_opening: Decimal = ZERO  # the balance this page starts from
    movements: list[Movement] = field(default_factory=list)

    @property
    def starts_period(self) -> bool:
        return self.page == 1

    @property
    def ends_period(self) -> bool:
        return self.page == self.pages

    @property
    def first_day(self) -> datetime.date:
        """The day the page's first balance is at: the period's start on the first page."""
        if self.page == 1 or not self.movements:
            return self.period.date_from
        return self.movements[0].date

    @property
    def debit(self) -> Decimal:  # of this page
        return sum((row.debit for row in self.movements), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((row.credit for row in self.movements), ZERO)

    @property
    def page_closing(self) -> Decimal:
        return self.movements[-1].balance if self.movements else self.page_opening


def after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=1)


def account_movements(
    account: m.Account, period: Period, page: int = 1, page_rows: int = PAGE_ROWS
) -> AccountMovements:
    """One page of the account's movements in the period: the days it moved come from its
    daily totals, the balances too; only the page's own rows are read from the ledger."""
    rows, density = rows_per_day([account.pk])
    pages = even_pages(moved_days(account.pk, period), density[account.pk], page_rows)
    opening = balance_before(account.pk, period.date_from)
    page = min(max(page, 1), max(len(pages), 1))
    result = AccountMovements(
        account=account,
        period=period,
        opening=opening,
        closing=balance_before(account.pk, after(period.date_to)),
        page=page,
        pages=max(len(pages), 1),
        page_opening=opening,
    )
    if pages:
        first, last = pages[page - 1]
        result.page_opening = balance_before(account.pk, first) if page > 1 else opening
        read = ledger_rows(account.company, account.pk, first, last, rows.get(account.pk, 0))
        result.movements = movements_of(account.company, read, result.page_opening)
    return result


def all_movements(account: m.Account, period: Period) -> list[Movement]:
    """Every movement of the account in the period, as a list."""
    return list(stream_movements(account, period))


#: Days of ledger rows read at a time by ``stream_movements``: a busy account's month is a few
#: thousand rows, so a year of it never sits in memory at once.
STREAM_DAYS = 31


def stream_movements(account: m.Account, period: Period) -> Iterator[Movement]:
    """Every movement of the account in the period, read a few weeks of moved days at a time
    (for the CSV and PDF files of a long period, whose rows are written as they come)."""
    days = list(
        m.AccountDay.objects.filter(
            account_id=account.pk, date__gte=period.date_from, date__lte=period.date_to
        )
        .values_list("date", flat=True)
        .order_by("date")
    )
    balance = balance_before(account.pk, period.date_from)
    for window in chunks(days, STREAM_DAYS):
        read = list(
            m.LedgerEntry.objects.filter(
                account_id=account.pk, date__gte=window[0], date__lte=window[-1]
            )
            .values_list(*LEDGER_ROW)
            .order_by()
        )
        movements = movements_of(account.company, read, balance)
        if movements:
            balance = movements[-1].balance
        yield from movements


def moved_accounts(company: m.Company, period: Period):
    """The company's accounts that moved in the period, by code."""
    moved = m.AccountDay.objects.filter(
        company=company, date__gte=period.date_from, date__lte=period.date_to
    ).values("account_id")
    return m.Account.objects.filter(pk__in=moved).order_by("code")


# --- Trial balance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialBalanceLine:
    account_id: object
    code: str
    name: str
    kind: str
    opening: Decimal  # debit positive
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    @property
    def closing_debit(self) -> Decimal:
        return max(self.closing, ZERO)

    @property
    def closing_credit(self) -> Decimal:
        return max(-self.closing, ZERO)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "opening": str(self.opening),
            "debit": str(self.debit),
            "credit": str(self.credit),
            "closing": str(self.closing),
        }


@dataclass
class TrialBalance:
    period: Period
    lines: list[TrialBalanceLine]

    def total(self, attribute: str) -> Decimal:
        return sum((getattr(line, attribute) for line in self.lines), ZERO)

    @property
    def debit(self) -> Decimal:
        return self.total("debit")

    @property
    def credit(self) -> Decimal:
        return self.total("credit")

    @property
    def opening(self) -> Decimal:
        return self.total("opening")

    @property
    def closing_debit(self) -> Decimal:
        return self.total("closing_debit")

    @property
    def closing_credit(self) -> Decimal:
        return self.total("closing_credit")

    def totals_json(self) -> dict:
        return {
            "opening": str(self.opening),
            "debit": str(self.debit),
            "credit": str(self.credit),
            "closing_debit": str(self.closing_debit),
            "closing_credit": str(self.closing_credit),
        }

    def as_json(self) -> dict:
        return {
            **self.period.as_json(),
            "accounts": [line.as_json() for line in self.lines],
            "totals": self.totals_json(),
        }


def period_sums(company: m.Company, period: Period) -> dict:
    """``{account key: (debit cents, credit cents, rows)}`` of the period's ledger rows: the
    one figure the daily totals cannot give, since a day nets its debits and credits."""
    rows = (
        m.LedgerEntry.objects.filter(
            company=company, date__gte=period.date_from, date__lte=period.date_to
        )
        .values("account_id")
        .annotate(debit=DEBIT_CENTS, credit=CREDIT_CENTS, n=Count("account_id"))
        .values_list("account_id", "debit", "credit", "n")
        .order_by()
    )
    return {account_id: (debit, credit, n) for account_id, debit, credit, n in rows}


def trial_balance(company: m.Company, period: Period) -> TrialBalance:
    """Every account that had a balance or moved in the period: balance at the start, the
    period's debits and credits, and the balance at the end."""
    sums = period_sums(company, period)
    opening = balances_before(company, period.date_from)
    lines = []
    accounts = m.Account.objects.filter(company=company).order_by("code")
    for account_id, code, name, kind in accounts.values_list("id", "code", "name", "kind"):
        debit, credit, _n = sums.get(account_id, (0, 0, 0))
        start = opening.get(account_id, ZERO)
        if debit or credit or start:
            lines.append(
                TrialBalanceLine(
                    account_id, code, name, kind, start, from_cents(debit), from_cents(credit)
                )
            )
    return TrialBalance(period, lines)


# --- General ledger --------------------------------------------------------------------------


@dataclass
class LedgerSection:
    """One account in the general ledger: whole in a file, a page's part of it on screen."""

    account: m.Account
    opening: Decimal  # at the start of the period
    closing: Decimal  # at its end
    starts_here: bool  # the account's first day in the period is in this section
    ends_here: bool
    page_opening: Decimal = ZERO
    first_day_shown: datetime.date | None = None  # the day ``page_opening`` is at
    movements: list[Movement] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:  # of the movements here: the period's when the section is whole
        return sum((row.debit for row in self.movements), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((row.credit for row in self.movements), ZERO)

    @property
    def page_closing(self) -> Decimal:
        return self.movements[-1].balance if self.movements else self.page_opening

    def as_json(self) -> dict:
        return {
            "code": self.account.code,
            "name": self.account.name,
            "opening": str(self.opening),
            "debit": str(self.debit),
            "credit": str(self.credit),
            "closing": str(self.closing),
            "movements": [movement.as_json() for movement in self.movements],
        }


@dataclass
class GeneralLedgerPage:
    period: Period
    page: int
    pages: int
    sections: list[LedgerSection] = field(default_factory=list)


def ledger_plan(company: m.Company, period: Period, page_rows: int) -> tuple[list, dict]:
    """The pages of the general ledger, each a list of ``(account key, first day, last day)``
    with accounts in code order, cut from the accounts' daily totals; and how many ledger rows
    each account has."""
    days: dict = {}
    moved = m.AccountDay.objects.filter(
        company=company, date__gte=period.date_from, date__lte=period.date_to
    )
    for account_id, day in moved.values_list("account_id", "date").order_by():
        days.setdefault(account_id, []).append(day)
    rows, density = rows_per_day(days)
    codes = dict(m.Account.objects.filter(company=company).values_list("id", "code"))
    pages: list[list] = []
    current: list = []
    on_page = 0.0
    for account_id in sorted(days, key=lambda key: codes[key]):
        first = None
        for day in sorted(days[account_id]):
            first = first or day
            on_page += density[account_id]
            if on_page >= page_rows:
                current.append((account_id, first, day))
                pages.append(current)
                current, on_page, first = [], 0.0, None
        if first is not None:
            current.append((account_id, first, day))
    if current:
        pages.append(current)
    spans = {key: (min(d), max(d)) for key, d in days.items()}
    return pages, {"rows": rows, "spans": spans}


def general_ledger(
    company: m.Company, period: Period, page: int = 1, page_rows: int = PAGE_ROWS
) -> GeneralLedgerPage:
    """One page of every account's movements in the period, accounts in code order."""
    pages, plan = ledger_plan(company, period, page_rows)
    page = min(max(page, 1), max(len(pages), 1))
    result = GeneralLedgerPage(period, page, max(len(pages), 1))
    if not pages:
        return result
    segments = pages[page - 1]
    accounts = m.Account.objects.in_bulk([key for key, _first, _last in segments])
    for account_id, first, last in segments:
        span_first, span_last = plan["spans"][account_id]
        opening = balance_before(account_id, period.date_from)
        starts_here = first == span_first
        page_opening = opening if starts_here else balance_before(account_id, first)
        section = LedgerSection(
            accounts[account_id],
            opening,
            balance_before(account_id, after(period.date_to)),
            starts_here,
            last == span_last,
            page_opening,
            period.date_from if starts_here else first,
        )
        read = ledger_rows(company, account_id, first, last, plan["rows"].get(account_id, 0))
        section.movements = movements_of(company, read, page_opening)
        result.sections.append(section)
    return result


def general_ledger_sections(company: m.Company, period: Period) -> Iterator[LedgerSection]:
    """Every account that moved in the period, each whole, one account at a time."""
    for account in moved_accounts(company, period):
        opening = balance_before(account.pk, period.date_from)
        section = LedgerSection(
            account,
            opening,
            balance_before(account.pk, after(period.date_to)),
            True,
            True,
            opening,
            period.date_from,
        )
        section.movements = all_movements(account, period)
        if section.movements:
            yield section


# --- Journal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posting:
    account_id: object
    code: str
    name: str
    debit: Decimal
    credit: Decimal

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "debit": str(self.debit),
            "credit": str(self.credit),
        }


@dataclass(frozen=True)
class JournalEntry:
    number: int  # its place in the period, from 1
    source: Source
    postings: tuple[Posting, ...]

    @property
    def debit(self) -> Decimal:
        return sum((p.debit for p in self.postings), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((p.credit for p in self.postings), ZERO)

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "date": self.source.date.isoformat(),
            "kind": self.source.kind,
            "reference": self.source.reference,
            "description": self.source.description,
            "postings": [posting.as_json() for posting in self.postings],
        }


@dataclass
class JournalPage:
    period: Period
    page: int
    pages: int
    count: int  # transactions in the period
    entries: list[JournalEntry] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:  # of this page
        return sum((entry.debit for entry in self.entries), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((entry.credit for entry in self.entries), ZERO)


def transaction_days(company: m.Company, period: Period) -> list[tuple[datetime.date, int]]:
    """How many transactions each day of the period has, every kind together (each kind's
    table by its company-and-date index)."""
    per_day: dict = {}
    for kind in TRANSACTION_KINDS:
        rows = (
            RECORD_KINDS[kind]
            .objects.filter(company=company, date__gte=period.date_from, date__lte=period.date_to)
            .values("date")
            .annotate(n=Count("date"))
            .values_list("date", "n")
            .order_by()
        )
        for day, n in rows:
            per_day[day] = per_day.get(day, 0) + n
    return sorted(per_day.items())


def journal_entries(
    company: m.Company, first: datetime.date, last: datetime.date, number: int
) -> list[JournalEntry]:
    """The transactions from ``first`` to ``last`` with their postings, numbered on from
    ``number``: debits first, then credits, each by account code."""
    found = {}
    for kind in TRANSACTION_KINDS:
        fields = ["id", "date", "reference", "description"]
        if kind in COUNTERPARTY:
            fields.append(COUNTERPARTY[kind])
        rows = (
            RECORD_KINDS[kind]
            .objects.filter(company=company, date__gte=first, date__lte=last)
            .values_list(*fields)
            .order_by()
        )
        for row in rows:
            key, date, reference, description = row[:4]
            other = row[4] if len(row) > 4 else ""
            found[key] = Source(kind, key, date, reference, description or other or "")
    postings: dict = {key: [] for key in found}
    ledger = (
        m.LedgerEntry.objects.filter(company=company, date__gte=first, date__lte=last)
        .values_list("source_id", "account_id", "account__code", "account__name", "amount")
        .order_by()
    )
    for key, account_id, code, name, amount in ledger:
        if key in postings:
            postings[key].append(
                Posting(account_id, code, name, max(amount, ZERO), max(-amount, ZERO))
            )
    for lines in postings.values():
        lines.sort(key=lambda p: (p.debit == 0, p.code, -p.debit, -p.credit))

    def order(key) -> tuple:
        lines = tuple((p.code, p.debit, p.credit) for p in postings[key])
        return (found[key].sort_key(), lines, str(key))

    return [
        JournalEntry(number + i, found[key], tuple(postings[key]))
        for i, key in enumerate(sorted(found, key=order))
    ]


def period_totals(company: m.Company, period: Period) -> tuple[Decimal, Decimal]:
    """The period's debits and credits, every account: equal in books that balance."""
    totals = m.LedgerEntry.objects.filter(
        company=company, date__gte=period.date_from, date__lte=period.date_to
    ).aggregate(debit=DEBIT_CENTS, credit=CREDIT_CENTS)
    return from_cents(totals["debit"]), from_cents(totals["credit"])


def journal(
    company: m.Company, period: Period, page: int = 1, page_rows: int = PAGE_ROWS
) -> JournalPage:
    """One page of the period's transactions in date order, with their postings: exactly
    ``page_rows`` of them. The days the page falls on are read whole (a day of a busy company
    is some hundreds), ordered, and cut."""
    days = transaction_days(company, period)
    count = sum(n for _day, n in days)
    pages = max(1, -(-count // page_rows))
    page = min(max(page, 1), pages)
    result = JournalPage(period, page, pages, count)
    start, end = (page - 1) * page_rows, page * page_rows
    first = last = None
    before_first = seen = 0
    for day, n in days:
        if first is None and seen + n > start:
            first, before_first = day, seen
        if seen < end:
            last = day
        seen += n
    if first is not None:
        entries = journal_entries(company, first, last, before_first + 1)
        result.entries = entries[start - before_first : end - before_first]
    return result


def all_journal_entries(company: m.Company, period: Period) -> Iterator[JournalEntry]:
    """Every transaction of the period with its postings, read a chunk of days at a time."""
    number = 1
    for first, last in day_pages(transaction_days(company, period), CHUNK_ROWS):
        entries = journal_entries(company, first, last, number)
        number += len(entries)
        yield from entries


# --- Profit and loss with the previous period ------------------------------------------------


@dataclass(frozen=True)
class ComparedLine:
    account_id: object
    code: str
    name: str
    kind: str
    amount: Decimal  # in the period, in the account's natural sign
    previous: Decimal

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "amount": str(self.amount),
            "previous": str(self.previous),
        }


@dataclass
class ProfitAndLoss:
    period: Period
    previous_period: Period
    income: list[ComparedLine]
    expenses: list[ComparedLine]
    total_income: Decimal
    total_expenses: Decimal
    previous_income: Decimal
    previous_expenses: Decimal

    @property
    def net_profit(self) -> Decimal:
        return self.total_income - self.total_expenses

    @property
    def previous_net_profit(self) -> Decimal:
        return self.previous_income - self.previous_expenses

    def sections(self) -> list[tuple]:
        """Income and expenses, each as (heading, lines, total, previous total, total's label):
        what the screen and the files show, in that order."""
        return [
            (_("Income"), self.income, self.total_income, self.previous_income, _("Total income")),
            (
                _("Expenses"),
                self.expenses,
                self.total_expenses,
                self.previous_expenses,
                _("Total expenses"),
            ),
        ]

    def as_json(self) -> dict:
        return {
            **self.period.as_json(),
            "previous_period": self.previous_period.as_json(),
            "income": [line.as_json() for line in self.income],
            "expenses": [line.as_json() for line in self.expenses],
            "totals": {
                "income": str(self.total_income),
                "expenses": str(self.total_expenses),
                "net_profit": str(self.net_profit),
                "previous_income": str(self.previous_income),
                "previous_expenses": str(self.previous_expenses),
                "previous_net_profit": str(self.previous_net_profit),
            },
        }


def profit_and_loss(company: m.Company, period: Period) -> ProfitAndLoss:
    """Income and expenses of the period and of the period of the same length before it, as
    the Summary counts them (the same function makes both columns)."""
    previous_period = period.previous()
    now = summarize(company, period.date_from, period.date_to)
    before = summarize(company, previous_period.date_from, previous_period.date_to)
    amounts: dict[str, dict] = {}
    for column, summary in (("amount", now), ("previous", before)):
        for line in summary.profit_and_loss_accounts:
            entry = amounts.setdefault(line.code, {"line": line, "amount": ZERO, "previous": ZERO})
            entry[column] = line.balance
    lines = [
        ComparedLine(
            e["line"].account_id, code, e["line"].name, e["line"].kind, e["amount"], e["previous"]
        )
        for code, e in sorted(amounts.items())
    ]
    return ProfitAndLoss(
        period,
        previous_period,
        [line for line in lines if line.kind == m.AccountKind.INCOME],
        [line for line in lines if line.kind == m.AccountKind.EXPENSE],
        now.income,
        now.expenses,
        before.income,
        before.expenses,
    )
