"""The Summary: balance sheet and profit and loss, aggregated in SQL from the general ledger."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, F, Q, Sum
from django.db.models.functions import Cast, Round

from partida.books import models as m

ZERO = Decimal("0.00")
Kind = m.AccountKind


@dataclass(frozen=True)
class AccountBalance:
    account_id: object
    code: str
    name: str
    kind: str
    balance: Decimal  # in the account's natural sign: positive assets, liabilities, income...


@dataclass
class Summary:
    date_from: datetime.date | None
    date_to: datetime.date | None
    assets: Decimal = ZERO
    liabilities: Decimal = ZERO
    equity: Decimal = ZERO  # includes the profit to date, so assets = liabilities + equity
    income: Decimal = ZERO
    expenses: Decimal = ZERO
    current_earnings: Decimal = ZERO  # profit of every period up to date_to
    balance_sheet_accounts: list[AccountBalance] = field(default_factory=list)
    profit_and_loss_accounts: list[AccountBalance] = field(default_factory=list)

    @property
    def net_profit(self) -> Decimal:
        return self.income - self.expenses

    def as_json(self) -> dict:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "balance_sheet": {
                "assets": str(self.assets),
                "liabilities": str(self.liabilities),
                "equity": str(self.equity),
            },
            "profit_and_loss": {
                "income": str(self.income),
                "expenses": str(self.expenses),
                "net_profit": str(self.net_profit),
            },
        }


def from_cents(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(Decimal("0.01"))


DEBIT_NATURED = {Kind.ASSET, Kind.EXPENSE}


def natural(kind: str, debit_balance: Decimal) -> Decimal:
    return debit_balance if kind in DEBIT_NATURED else -debit_balance


def closing_cents(
    company: m.Company, date_from: datetime.date | None, date_to: datetime.date | None
) -> dict:
    """What the closing entries of the period posted, in cents, by account key.

    Read from the ledger by the closing entries' keys (there is one a year), so that the
    Summary keeps its cost: a few rows, found through the ledger's index on the source."""
    closings = m.JournalEntry.objects.filter(company=company, closes_year=True)
    if date_from:
        closings = closings.filter(date__gte=date_from)
    if date_to:
        closings = closings.filter(date__lte=date_to)
    keys = list(closings.values_list("id", flat=True))
    if not keys:
        return {}
    cents = Cast(Round(F("amount") * 100), BigIntegerField())
    rows = (
        m.LedgerEntry.objects.filter(source_id__in=keys)
        .values("account_id")
        .annotate(cents=Sum(cents))
        .values_list("account_id", "cents")
        .order_by()
    )
    return dict(rows)


def summarize(
    company: m.Company,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Summary:
    """Balance sheet at ``date_to`` and profit and loss from ``date_from`` to ``date_to``.

    One aggregate query over the accounts' daily totals (kept by posting), grouped by
    account: the balance up to ``date_to`` and the movement within the period. Its cost grows
    with accounts and days, not with the number of ledger entries.

    The profit and loss leaves out the entries that close a year (which move its income and
    expenses to the results account), so that a closed year still shows its result; the
    balances, and so the balance sheet, include them.
    """
    closings = closing_cents(company, date_from, date_to)
    up_to = Q(days__date__lte=date_to) if date_to else Q()
    in_period = up_to & (Q(days__date__gte=date_from) if date_from else Q())
    accounts = (
        m.Account.objects.filter(company=company)
        .annotate(
            balance=Sum("days__cents", filter=up_to, default=0),
            movement=Sum("days__cents", filter=in_period, default=0),
        )
        .values_list("id", "code", "name", "kind", "balance", "movement")
        .order_by("code")
    )
    summary = Summary(date_from=date_from, date_to=date_to)
    totals = {kind: ZERO for kind in Kind.values}
    for account_id, code, name, kind, balance_cents, movement_cents in accounts:
        movement_cents -= closings.get(account_id, 0)
        balance, movement = from_cents(balance_cents), from_cents(movement_cents)
        if kind in (Kind.INCOME, Kind.EXPENSE):
            totals[kind] += natural(kind, balance)
            amount = natural(kind, movement)
            if amount:
                summary.profit_and_loss_accounts.append(
                    AccountBalance(account_id, code, name, kind, amount)
                )
        else:
            amount = natural(kind, balance)
            totals[kind] += amount
            if amount:
                summary.balance_sheet_accounts.append(
                    AccountBalance(account_id, code, name, kind, amount)
                )
        if kind == Kind.INCOME:
            summary.income += natural(kind, movement)
        elif kind == Kind.EXPENSE:
            summary.expenses += natural(kind, movement)
    summary.assets = totals[Kind.ASSET]
    summary.liabilities = totals[Kind.LIABILITY]
    summary.current_earnings = totals[Kind.INCOME] - totals[Kind.EXPENSE]
    summary.equity = totals[Kind.EQUITY] + summary.current_earnings
    return summary
