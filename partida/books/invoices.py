"""What an invoice comes to, what has been paid of it, and its state.

An invoice's total is each line's base plus its tax. What is paid is the receipt (or payment)
lines applied to it; a credit note that corrects it lowers what is due by the credit note's
total. Both are read in bulk, a few queries for any number of invoices, so that a list, the
aged receivables and a customer's statement cost the same per invoice.

States (``InvoiceState``): a draft; issued (nothing paid, not yet due); partly paid; paid (due
is zero); overdue (something is due and the due date has passed). A credit note is issued, or
a draft.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from partida.books import models as m

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


class InvoiceState(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")
    PARTLY_PAID = "partly_paid", _("partly paid")
    PAID = "paid", _("paid")
    OVERDUE = "overdue", _("overdue")


@dataclass(frozen=True)
class InvoiceBalance:
    total: Decimal  # base plus tax less withholding (a credit note's is its own, positive)
    paid: Decimal  # receipt or payment lines applied to it
    credited: Decimal  # the totals of the credit notes that correct it

    @property
    def due(self) -> Decimal:
        return self.total - self.paid - self.credited


@dataclass(frozen=True)
class Side:
    """The models of one side of the books: sales (customers) or purchases (suppliers)."""

    invoice: type[m.SalesInvoice] | type[m.PurchaseInvoice]
    line: type[m.SalesInvoiceLine] | type[m.PurchaseInvoiceLine]
    payment_line: type[m.ReceiptLine] | type[m.PaymentLine]
    payment_date: str  # the lookup of the payment's date from its line
    party: str  # customer or supplier


SALES = Side(m.SalesInvoice, m.SalesInvoiceLine, m.ReceiptLine, "receipt__date", "customer")
PURCHASES = Side(
    m.PurchaseInvoice, m.PurchaseInvoiceLine, m.PaymentLine, "payment__date", "supplier"
)


def side_of(invoice) -> Side:
    return SALES if isinstance(invoice, m.SalesInvoice) else PURCHASES


def line_totals(side: Side, invoices) -> dict:
    """Invoice key -> its total (base plus tax, less what is withheld), for the invoices of the
    queryset ``invoices``."""
    money = DecimalField(max_digits=18, decimal_places=2)
    tax_added = Case(
        When(invoice__amounts_include_tax=True, then=Value(ZERO)),
        default=F("tax_amount"),
        output_field=money,
    )
    rows = (
        side.line.objects.filter(invoice__in=invoices)
        .values("invoice_id")
        .annotate(total=Coalesce(Sum(F("amount") + tax_added, output_field=money), ZERO))
        .order_by()
    )
    # SQLite sums decimals as floating point ("62.4000000000000"): back to cents, exactly.
    totals = {row["invoice_id"]: Decimal(row["total"]).quantize(CENT) for row in rows}
    withheld = invoices.exclude(withholding_amount=0).values_list("id", "withholding_amount")
    for key, amount in withheld:
        totals[key] = totals.get(key, ZERO) + amount
    return totals


def invoice_balances(
    side: Side, invoices, as_of: datetime.date | None = None
) -> dict[object, InvoiceBalance]:
    """Invoice key -> its balance, for the queryset ``invoices``; ``as_of`` counts only the
    payments and credit notes dated on or before that day."""
    totals = line_totals(side, invoices)
    payments = side.payment_line.objects.filter(invoice__in=invoices)
    credit_notes = side.invoice.objects.filter(corrects__in=invoices)
    if side is SALES:
        credit_notes = credit_notes.filter(draft=False)
    if as_of is not None:
        payments = payments.filter(**{f"{side.payment_date}__lte": as_of})
        credit_notes = credit_notes.filter(date__lte=as_of)
    paid = {
        row["invoice_id"]: Decimal(row["paid"]).quantize(CENT)
        for row in payments.values("invoice_id").annotate(paid=Sum("amount")).order_by()
    }
    credited: dict = defaultdict(lambda: ZERO)
    credit_totals = line_totals(side, credit_notes)
    for note_id, corrected_id in credit_notes.values_list("id", "corrects_id"):
        credited[corrected_id] += credit_totals.get(note_id, ZERO)
    return {
        key: InvoiceBalance(
            total=totals.get(key, ZERO), paid=paid.get(key, ZERO), credited=credited[key]
        )
        for key in invoices.values_list("id", flat=True)
    }


def balance_of(invoice) -> InvoiceBalance:
    side = side_of(invoice)
    return invoice_balances(side, side.invoice.objects.filter(pk=invoice.pk))[invoice.pk]


def state_of(invoice, balance: InvoiceBalance, today: datetime.date) -> InvoiceState:
    if getattr(invoice, "draft", False):
        return InvoiceState.DRAFT
    if invoice.corrects_id is not None:
        return InvoiceState.ISSUED
    if balance.total and balance.due <= 0:
        return InvoiceState.PAID
    if balance.due > 0 and (invoice.due_date or invoice.date) < today:
        return InvoiceState.OVERDUE
    if balance.paid or balance.credited:
        return InvoiceState.PARTLY_PAID
    return InvoiceState.ISSUED


def open_invoices(side: Side, company: m.Company, party_id=None) -> list:
    """The issued invoices (not credit notes) of the company, or of one customer or supplier,
    with something still due, oldest first: those a receipt or payment can be applied to."""
    invoices = side.invoice.objects.filter(company=company, corrects__isnull=True)
    if side is SALES:
        invoices = invoices.filter(draft=False)
    if party_id is not None:
        invoices = invoices.filter(**{f"{side.party}_id": party_id})
    balances = invoice_balances(side, invoices)
    return [
        invoice
        for invoice in invoices.order_by("date", "number" if side is SALES else "reference")
        if balances[invoice.pk].due > 0
    ]


def party_balances(side: Side, company: m.Company, party_ids) -> dict:
    """Customer (supplier) key -> what they owe (are owed): the balance due of their issued
    invoices, less what they paid to the receivable (payable) account without applying it to
    an invoice. The aged reports split the same figure by age."""
    invoices = side.invoice.objects.filter(
        company=company, corrects__isnull=True, **{f"{side.party}_id__in": party_ids}
    )
    if side is SALES:
        invoices = invoices.filter(draft=False)
    owed: dict = defaultdict(lambda: ZERO)
    balances = invoice_balances(side, invoices)
    for key, party_id in invoices.values_list("id", f"{side.party}_id"):
        owed[party_id] += balances[key].due
    role = m.AccountRole.RECEIVABLE if side is SALES else m.AccountRole.PAYABLE
    parent = "receipt" if side is SALES else "payment"
    on_account = (
        side.payment_line.objects.filter(
            company=company,
            invoice__isnull=True,
            account__role=role,
            **{f"{parent}__{side.party}_id__in": party_ids},
        )
        .values(f"{parent}__{side.party}_id")
        .annotate(paid=Sum("amount"))
        .order_by()
    )
    for row in on_account:
        owed[row[f"{parent}__{side.party}_id"]] -= Decimal(row["paid"]).quantize(CENT)
    return {party_id: owed[party_id] for party_id in party_ids}


def numbering_gaps(company: m.Company) -> list[str]:
    """The numbers of each series of sales invoices that were given but no invoice has now (an
    invoice deleted after it was issued), such as ["F2026-0003"]: a Spanish series has none."""
    counters = m.InvoiceCounter.objects.filter(company=company)
    used = set(
        m.SalesInvoice.objects.filter(company=company)
        .exclude(number="")
        .values_list("number", flat=True)
    )
    gaps = []
    for series, last in counters.order_by("series").values_list("series", "last_number"):
        gaps.extend(
            number
            for number in (f"{series}-{n:04d}" for n in range(1, last + 1))
            if number not in used
        )
    return gaps


def tax_breakdown(invoice, lines: Iterable | None = None) -> list[tuple]:
    """(tax code or None, base, tax) per tax code of the invoice, in the order they appear:
    what a Spanish invoice shows under its lines."""
    from partida.books.posting import line_base

    lines = list(invoice.lines.select_related("tax_code")) if lines is None else list(lines)
    by_code: dict = {}
    for line in lines:
        base, tax = by_code.get(line.tax_code_id, (ZERO, ZERO))
        by_code[line.tax_code_id] = (
            base + line_base(line, invoice.amounts_include_tax),
            tax + line.tax_amount,
        )
    codes = {line.tax_code_id: line.tax_code for line in lines}
    return [(codes[key], base, tax) for key, (base, tax) in by_code.items()]
