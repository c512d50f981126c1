"""Aged receivables and payables, and a customer's or supplier's statement.

Both are read from the invoices and the receipt (payment) lines applied to them, through
``partida.books.invoices``, and agree with the ledger: the aged report's total is the balance
of the receivable (payable) account on its day, because what no invoice explains is shown
too, as "on account" for a customer (a receipt not applied to an invoice) and, for entries
without a customer (an opening entry, a refund), on a line of its own.

Amounts are in the account's natural sign: what customers owe us, what we owe suppliers.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, Case, F, Q, Sum, When
from django.db.models.functions import Cast, Coalesce, Round
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partida.books import models as m
from partida.books.invoices import PURCHASES, SALES, Side, invoice_balances, line_totals
from partida.books.summary import from_cents
from partida.reports.ledger_reports import Period

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Days past the due date each column starts at: not yet due, 1–30, 31–60, 61–90, over 90.
BUCKET_STARTS = (None, 1, 31, 61, 91)
BUCKET_KEYS = ("not_due", "days_1_30", "days_31_60", "days_61_90", "over_90")
BUCKET_TITLES = (
    gettext_lazy("Not yet due"),
    gettext_lazy("1–30 days"),
    gettext_lazy("31–60 days"),
    gettext_lazy("61–90 days"),
    gettext_lazy("Over 90 days"),
)


def side_named(name: str) -> Side:
    return SALES if name == "receivables" else PURCHASES


def side_account(company: m.Company, side: Side) -> m.Account | None:
    """The receivable (payable) account; None in a company without one (nothing is owed)."""
    role = m.AccountRole.RECEIVABLE if side is SALES else m.AccountRole.PAYABLE
    return m.Account.objects.filter(company=company, role=role).first()


def natural_sign(side: Side) -> int:
    """Receivables are debit balances, payables credit balances."""
    return 1 if side is SALES else -1


def party_model(side: Side):
    return side.invoice._meta.get_field(side.party).related_model


def payment_parent(side: Side) -> str:
    """The line's link to its receipt or payment ("receipt", "payment")."""
    return side.payment_date.split("__")[0]


def issued_invoices(side: Side, company: m.Company):
    invoices = side.invoice.objects.filter(company=company)
    return invoices.filter(draft=False) if side is SALES else invoices


def bucket_of(days_past: int) -> int:
    """The column of an amount ``days_past`` days past its due date."""
    for index in range(len(BUCKET_STARTS) - 1, 0, -1):
        if days_past >= BUCKET_STARTS[index]:
            return index
    return 0


def line_base_cents(parent: str):
    """A line's base in whole cents, in SQL: its amount, less the tax when it includes it."""
    base = Case(
        When(**{f"{parent}__amounts_include_tax": True}, then=F("amount") - F("tax_amount")),
        default=F("amount"),
    )
    return Cast(Round(base * 100), BigIntegerField())


# --- Aged receivables and payables -----------------------------------------------------------


@dataclass
class AgedLine:
    party_id: object
    name: str
    buckets: list[Decimal] = field(default_factory=lambda: [ZERO] * len(BUCKET_KEYS))
    on_account: Decimal = ZERO  # receipts (payments) not applied to an invoice of the day

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO) + self.on_account

    def as_json(self) -> dict:
        return {
            "id": str(self.party_id) if self.party_id else None,
            "name": self.name,
            **{key: str(value) for key, value in zip(BUCKET_KEYS, self.buckets, strict=True)},
            "on_account": str(self.on_account),
            "total": str(self.total),
        }


@dataclass
class AgedReport:
    side: Side
    as_of: datetime.date
    account: m.Account
    lines: list[AgedLine]  # one a customer (supplier) with something due, by name
    unassigned: Decimal  # entries to the account that name no customer (supplier)
    account_balance: Decimal  # of the account on ``as_of``, from its daily totals

    @property
    def is_receivables(self) -> bool:
        return self.side is SALES

    @property
    def bucket_totals(self) -> list[Decimal]:
        return [sum((line.buckets[i] for line in self.lines), ZERO) for i in range(5)]

    @property
    def on_account(self) -> Decimal:
        return sum((line.on_account for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO) + self.unassigned

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "account": (
                {"code": self.account.code, "name": self.account.name} if self.account else None
            ),
            "parties": [line.as_json() for line in self.lines],
            "unassigned": str(self.unassigned),
            "totals": {
                **{
                    key: str(value)
                    for key, value in zip(BUCKET_KEYS, self.bucket_totals, strict=True)
                },
                "on_account": str(self.on_account),
                "total": str(self.total),
            },
            "account_balance": str(self.account_balance),
        }


def invoice_dues(side: Side, company: m.Company, as_of: datetime.date) -> list[tuple]:
    """(party key, column, amount due) of each invoice dated on or before ``as_of`` with
    something due on that day; an invoice without a due date is due on its date."""
    invoices = issued_invoices(side, company).filter(corrects__isnull=True, date__lte=as_of)
    balances = invoice_balances(side, invoices, as_of)
    dues = []
    for key, party_id, date, due_date in invoices.values_list(
        "id", f"{side.party}_id", "date", "due_date"
    ):
        due = balances[key].due.quantize(CENT)  # SQLite sums decimals as floats
        if due:
            dues.append((party_id, bucket_of((as_of - (due_date or date)).days), due))
    return dues


def unapplied(side: Side, company: m.Company, account: m.Account, as_of: datetime.date) -> dict:
    """Party key (None: no party) -> what was received (paid) on the account by ``as_of``
    and is not applied to an invoice of that day, in the natural sign (so negative): receipt
    lines not applied to an invoice, or applied to one dated later, and credit notes of
    invoices dated later."""
    parent = payment_parent(side)
    lines = (
        side.payment_line.objects.filter(company=company, account=account)
        .filter(**{f"{side.payment_date}__lte": as_of})
        .filter(Q(invoice__isnull=True) | Q(invoice__date__gt=as_of))
        .annotate(party=Coalesce(f"invoice__{side.party}_id", f"{parent}__{side.party}_id"))
        .values("party")
        .annotate(cents=Sum(line_base_cents(parent)))
        .values_list("party", "cents")
        .order_by()
    )
    found: dict = defaultdict(lambda: ZERO)
    for party_id, cents in lines:
        found[party_id] -= from_cents(cents)
    notes = issued_invoices(side, company).filter(date__lte=as_of, corrects__date__gt=as_of)
    totals = line_totals(side, notes)
    for key, party_id in notes.values_list("id", f"{side.party}_id"):
        found[party_id] -= totals.get(key, ZERO).quantize(CENT)
    return found


def other_postings(side: Side, company: m.Company, account: m.Account, as_of) -> Decimal:
    """What entries other than the side's invoices and receipts (payments) posted to the
    account by ``as_of``, in its natural sign: journal entries (an opening balance), or a
    payment refunding a customer."""
    own = ("sales_invoice", "receipt") if side is SALES else ("purchase_invoice", "payment")
    cents = (
        m.LedgerEntry.objects.filter(account=account, date__lte=as_of)
        .exclude(source_kind__in=own)
        .aggregate(cents=Sum(Cast(Round(F("amount") * 100), BigIntegerField())))["cents"]
    )
    return natural_sign(side) * from_cents(cents)


def account_balance(side: Side, account: m.Account, as_of: datetime.date) -> Decimal:
    cents = m.AccountDay.objects.filter(account=account, date__lte=as_of).aggregate(
        total=Sum("cents")
    )["total"]
    return natural_sign(side) * from_cents(cents)


def aged_report(side: Side, company: m.Company, as_of: datetime.date) -> AgedReport:
    """What each customer (supplier) owes (is owed) on ``as_of``, by how long past due."""
    account = side_account(company, side)
    lines: dict = {}

    def line_of(party_id) -> AgedLine:
        return lines.setdefault(party_id, AgedLine(party_id, ""))

    for party_id, column, due in invoice_dues(side, company, as_of):
        line_of(party_id).buckets[column] += due
    unassigned = other_postings(side, company, account, as_of)
    for party_id, amount in unapplied(side, company, account, as_of).items():
        if party_id is None:
            unassigned += amount
        else:
            line_of(party_id).on_account += amount
    names = dict(party_model(side).objects.filter(pk__in=lines).values_list("id", "name"))
    for party_id, line in lines.items():
        line.name = names.get(party_id, "")
    shown = [line for line in lines.values() if any(line.buckets) or line.on_account]
    shown.sort(key=lambda line: (line.name.casefold(), str(line.party_id)))
    return AgedReport(
        side, as_of, account, shown, unassigned, account_balance(side, account, as_of)
    )


# --- A customer's or supplier's statement ----------------------------------------------------


@dataclass(frozen=True)
class StatementRow:
    date: datetime.date
    kind: str  # "invoice", "credit_note", "receipt", "payment"
    number: str
    description: str
    charged: Decimal  # what the document adds to what is owed (an invoice)
    settled: Decimal  # what it takes off (a receipt or payment, a credit note)
    balance: Decimal  # after this row
    record_kind: str  # the record behind it, to open it: "sales_invoice", "receipt", ...
    record_id: object
    on_debit_side: bool  # True when ``charged`` is a debit (a customer's, as on 430)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]()

    @property
    def debit(self) -> Decimal:
        return self.charged if self.on_debit_side else self.settled

    @property
    def credit(self) -> Decimal:
        return self.settled if self.on_debit_side else self.charged

    def as_json(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "number": self.number,
            "description": self.description,
            "charged": str(self.charged),
            "settled": str(self.settled),
            "balance": str(self.balance),
        }


KIND_NAMES = {
    "invoice": lambda: _("Invoice"),
    "credit_note": lambda: _("Credit note"),
    "receipt": lambda: _("Receipt"),
    "payment": lambda: _("Payment"),
}
KIND_ORDER = {"invoice": 0, "credit_note": 1, "receipt": 2, "payment": 2}


@dataclass
class Statement:
    side: Side
    party: m.Customer | m.Supplier
    period: Period
    opening: Decimal
    rows: list[StatementRow]

    @property
    def is_customer(self) -> bool:
        return self.side is SALES

    @property
    def charged(self) -> Decimal:
        return sum((row.charged for row in self.rows), ZERO)

    @property
    def settled(self) -> Decimal:
        return sum((row.settled for row in self.rows), ZERO)

    @property
    def debit(self) -> Decimal:
        return self.charged if self.is_customer else self.settled

    @property
    def credit(self) -> Decimal:
        return self.settled if self.is_customer else self.charged

    @property
    def closing(self) -> Decimal:
        return self.opening + self.charged - self.settled

    def as_json(self) -> dict:
        return {
            **self.period.as_json(),
            "party": {"id": str(self.party.pk), "name": self.party.name},
            "opening": str(self.opening),
            "rows": [row.as_json() for row in self.rows],
            "charged": str(self.charged),
            "settled": str(self.settled),
            "closing": str(self.closing),
        }


def invoice_movements(side: Side, party, last_day: datetime.date) -> list[tuple]:
    """(date, kind, number, description, charged, settled, record kind, key) of the party's
    invoices and credit notes up to ``last_day``."""
    invoices = issued_invoices(side, party.company).filter(
        **{side.party: party}, date__lte=last_day
    )
    totals = line_totals(side, invoices)
    number = "number" if side is SALES else "reference"
    record_kind = "sales_invoice" if side is SALES else "purchase_invoice"
    found = []
    for key, date, shown, reference, description, corrects in invoices.values_list(
        "id", "date", number, "reference", "description", "corrects_id"
    ):
        total = totals.get(key, ZERO).quantize(CENT)  # SQLite sums decimals as floats
        kind = "credit_note" if corrects else "invoice"
        charged, settled = (ZERO, total) if corrects else (total, ZERO)
        found.append(
            (date, kind, shown or reference, description, charged, settled, record_kind, key)
        )
    return found


def payment_movements(side: Side, party, last_day: datetime.date) -> list[tuple]:
    """The party's receipt (payment) lines on the receivable (payable) account up to
    ``last_day``: those applied to its invoices, and those of its receipts not applied."""
    parent = payment_parent(side)
    account = side_account(party.company, side)
    lines = (
        side.payment_line.objects.filter(company=party.company, account=account)
        .filter(**{f"{side.payment_date}__lte": last_day})
        .filter(
            Q(**{f"invoice__{side.party}": party})
            | Q(invoice__isnull=True, **{f"{parent}__{side.party}": party})
        )
        .annotate(cents=line_base_cents(parent))
        .values_list(
            f"{parent}__date",
            f"{parent}__reference",
            "description",
            f"{parent}__description",
            "cents",
            f"{parent}_id",
        )
    )
    return [
        (date, parent, reference, description or own, ZERO, from_cents(cents), parent, key)
        for date, reference, description, own, cents, key in lines
    ]


def statement(side: Side, party, period: Period) -> Statement:
    """The party's opening balance, its documents in the period with the running balance,
    and its closing balance."""
    movements = invoice_movements(side, party, period.date_to)
    movements += payment_movements(side, party, period.date_to)
    opening = sum(
        (row[4] - row[5] for row in movements if row[0] < period.date_from),
        ZERO,
    )
    shown = sorted(
        (row for row in movements if row[0] >= period.date_from),
        key=lambda row: (row[0], KIND_ORDER[row[1]], *row[2:6], str(row[7])),
    )
    balance = opening
    rows = []
    for date, kind, number, description, charged, settled, record_kind, key in shown:
        balance += charged - settled
        rows.append(
            StatementRow(
                date,
                kind,
                number,
                description,
                charged,
                settled,
                balance,
                record_kind,
                key,
                side is SALES,
            )
        )
    return Statement(side, party, period, opening, rows)
