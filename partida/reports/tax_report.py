"""The IVA summary: the figures of the quarterly VAT return (modelo 303) and the withholdings.

Read from the lines that carry a tax code, by the date of their document: issued sales
invoices and receipts on the sales side (IVA devengado, and what customers withheld from us),
purchase invoices and payments on the purchase side (IVA deducible, and what we withheld from
suppliers, modelo 111), whether on a line or on an invoice's whole base. A credit note counts
with the opposite sign, as it posts. The quotas are the very tax amounts posted to the tax
codes' accounts, so they agree with the movements of 477 and 472 when only tax codes post to
them.

Sums are taken in whole cents in SQL, exact on SQLite too.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, Case, F, Sum, Value, When
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext_lazy as _

from partida.books import models as m
from partida.books.summary import from_cents
from partida.reports.ledger_reports import Period, add_months

ZERO = Decimal("0.00")

# (line model, its link to the document, whether the document may be a credit note)
SALES_SOURCES = ((m.SalesInvoiceLine, "invoice", True), (m.ReceiptLine, "receipt", False))
PURCHASE_SOURCES = (
    (m.PurchaseInvoiceLine, "invoice", True),
    (m.PaymentLine, "payment", False),
)

SECTION_TITLES = {
    "output_vat": _("Output VAT, on sales"),
    "input_vat": _("Input VAT, on purchases"),
    "withheld_from_us": _("Withheld from us by customers, on sales"),
    "withheld_by_us": _("Withheld by us from suppliers, on purchases (modelo 111)"),
}


def quarter_of(day: datetime.date) -> Period:
    """The calendar quarter ``day`` is in: the period of one VAT return."""
    first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(first, add_months(first, 3) - datetime.timedelta(days=1))


@dataclass(frozen=True)
class TaxLine:
    tax_code_id: object
    name: str
    rate: Decimal
    base: Decimal
    tax: Decimal  # the quota; for a withholding, the amount withheld (positive)

    def as_json(self) -> dict:
        return {
            "tax": self.name,
            "rate": f"{self.rate.normalize():f}",
            "base": str(self.base),
            "amount": str(self.tax),
        }


def total_base(lines: list[TaxLine]) -> Decimal:
    return sum((line.base for line in lines), ZERO)


def total_tax(lines: list[TaxLine]) -> Decimal:
    return sum((line.tax for line in lines), ZERO)


@dataclass
class TaxSummary:
    period: Period
    output_vat: list[TaxLine] = field(default_factory=list)  # IVA devengado, on sales
    input_vat: list[TaxLine] = field(default_factory=list)  # IVA deducible, on purchases
    withheld_from_us: list[TaxLine] = field(default_factory=list)  # by customers, on sales
    withheld_by_us: list[TaxLine] = field(default_factory=list)  # from suppliers (modelo 111)

    @property
    def output_tax(self) -> Decimal:
        return total_tax(self.output_vat)

    @property
    def input_tax(self) -> Decimal:
        return total_tax(self.input_vat)

    @property
    def result(self) -> Decimal:
        """What the return comes to: positive to pay, negative to claim or carry forward."""
        return self.output_tax - self.input_tax

    def sections(self) -> list[tuple]:
        """(key, title, lines, total base, total amount) of each part, in the order shown."""
        return [
            (key, SECTION_TITLES[key], lines, total_base(lines), total_tax(lines))
            for key, lines in (
                ("output_vat", self.output_vat),
                ("input_vat", self.input_vat),
                ("withheld_from_us", self.withheld_from_us),
                ("withheld_by_us", self.withheld_by_us),
            )
        ]

    def as_json(self) -> dict:
        return {
            **self.period.as_json(),
            **{
                key: {
                    "lines": [line.as_json() for line in lines],
                    "base": str(base),
                    "amount": str(amount),
                }
                for key, _title, lines, base, amount in self.sections()
            },
            "result": str(self.result),
        }


def cents_of(expression):
    return Cast(Round(expression * 100), BigIntegerField())


def line_base_cents(parent: str):
    """A line's base in whole cents: its amount, less the tax when the amount includes it."""
    base = Case(
        When(**{f"{parent}__amounts_include_tax": True}, then=F("amount") - F("tax_amount")),
        default=F("amount"),
    )
    return cents_of(base)


def credit_note_sign(corrects: str):
    """-1 for a credit note (it posts reversed), else 1."""
    return Case(When(**{f"{corrects}__isnull": False}, then=Value(-1)), default=Value(1))


def in_period(prefix: str, period: Period) -> dict:
    return {f"{prefix}date__gte": period.date_from, f"{prefix}date__lte": period.date_to}


def add_sums(found: dict, rows) -> None:
    for code_id, base_cents, tax_cents in rows:
        base, tax = found.get(code_id, (ZERO, ZERO))
        found[code_id] = (base + from_cents(base_cents), tax + from_cents(tax_cents))


def line_sums(company: m.Company, model, parent: str, may_correct: bool, period: Period):
    """(tax code key, base cents, tax cents) of the lines of ``model`` with a tax code whose
    document is dated in the period."""
    sign = credit_note_sign(f"{parent}__corrects") if may_correct else Value(1)
    lines = model.objects.filter(
        company=company, tax_code__isnull=False, **in_period(f"{parent}__", period)
    )
    if model is m.SalesInvoiceLine:
        lines = lines.filter(invoice__draft=False)
    return (
        lines.values("tax_code_id")
        .annotate(
            base=Sum(sign * line_base_cents(parent)),
            tax=Sum(sign * cents_of(F("tax_amount"))),
        )
        .values_list("tax_code_id", "base", "tax")
        .order_by()
    )


def invoice_withholding_sums(company: m.Company, invoice_model, line_model, period: Period):
    """(withholding code key, base cents, amount cents) of the invoices dated in the period
    that carry a withholding on their whole base (a professional's invoice)."""
    invoices = invoice_model.objects.filter(
        company=company, withholding__isnull=False, **in_period("", period)
    )
    if invoice_model is m.SalesInvoice:
        invoices = invoices.filter(draft=False)
    amounts = dict(
        invoices.values("withholding_id")
        .annotate(tax=Sum(credit_note_sign("corrects") * cents_of(F("withholding_amount"))))
        .values_list("withholding_id", "tax")
        .order_by()
    )
    bases = dict(
        line_model.objects.filter(invoice__in=invoices)
        .values("invoice__withholding_id")
        .annotate(base=Sum(credit_note_sign("invoice__corrects") * line_base_cents("invoice")))
        .values_list("invoice__withholding_id", "base")
        .order_by()
    )
    return [(key, bases.get(key, 0), tax) for key, tax in amounts.items()]


def sums_by_code(company: m.Company, sources, period: Period) -> dict:
    """Tax code key -> (base, tax) of one side's documents dated in the period: the lines'
    taxes, and the withholdings on whole invoices."""
    found: dict = {}
    for model, parent, may_correct in sources:
        add_sums(found, line_sums(company, model, parent, may_correct, period))
        if may_correct:  # an invoice: it may carry a withholding on its whole base
            invoice_model = model._meta.get_field(parent).related_model
            add_sums(found, invoice_withholding_sums(company, invoice_model, model, period))
    return found


def tax_lines(codes: dict, sums: dict, kind: str) -> list[TaxLine]:
    """The lines of one kind of tax, highest rate first; a withholding's amount is what was
    withheld, so positive."""
    sign = -1 if kind == m.TaxKind.WITHHOLDING else 1
    lines = [
        TaxLine(key, codes[key].name, codes[key].rate, base, sign * tax)
        for key, (base, tax) in sums.items()
        if codes[key].kind == kind and (base or tax)
    ]
    lines.sort(key=lambda line: (-abs(line.rate), line.name))
    return lines


def tax_summary(company: m.Company, period: Period) -> TaxSummary:
    sales = sums_by_code(company, SALES_SOURCES, period)
    purchases = sums_by_code(company, PURCHASE_SOURCES, period)
    codes = m.TaxCode.objects.in_bulk([*sales, *purchases])
    return TaxSummary(
        period,
        output_vat=tax_lines(codes, sales, m.TaxKind.VAT),
        input_vat=tax_lines(codes, purchases, m.TaxKind.VAT),
        withheld_from_us=tax_lines(codes, sales, m.TaxKind.WITHHOLDING),
        withheld_by_us=tax_lines(codes, purchases, m.TaxKind.WITHHOLDING),
    )
