"""Manager's general ledger of a business, re-created by Manager's own posting rules (§6, §7).

Nothing ledger-like is stored in a Manager file: Manager derives the ledger from the documents
each time it opens a business. This module does the same, so that an import can prove that the
books it made give Manager's figures. Positive amounts are debits, negative ones credits.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from partida.managerio.classes import Record
from partida.managerio.reader import Business

AR = uuid.UUID("d1489e95-bb28-4f5d-b42e-67d3291b3893")
AP = uuid.UUID("dac7ba37-0ccd-45e5-906e-548e6c50df37")
CASH = uuid.UUID("6d4af96a-0959-4bb2-9160-fa825ec67c43")
TAX_PAYABLE = uuid.UUID("30c697fa-4196-438a-ab5a-1957478034b1")
RETAINED = uuid.UUID("74dfd025-d68e-4a99-9c78-5d43e17c0e09")
SUSPENSE = uuid.UUID("11211c9e-0988-4d16-8bf2-fa39487123aa")
TRANSFERS = uuid.UUID("b300e679-cf46-4c99-bef0-cfa5cb3e0271")
ROUNDING = uuid.UUID("2aa99eac-faca-4017-a157-edbbbcb160ac")
#: The built-in accounts and the class whose singleton renames each (reference §5.3).
BUILT_IN = {
    AR: "BalanceSheetAccountsReceivableAccount",
    AP: "BalanceSheetAccountsPayableAccount",
    CASH: "BalanceSheetCashAtBankAccount",
    TAX_PAYABLE: "BalanceSheetTaxPayableAccount",
    RETAINED: "BalanceSheetRetainedEarningsAccount",
    SUSPENSE: "BalanceSheetSuspenseAccount",
    TRANSFERS: "BalanceSheetInterAccountTransfers",
    ROUNDING: "ProfitAndLossStatementAccountRoundingExpense",
}
#: Manager's date of every starting balance: DateTime.MinValue.
STARTING = datetime.date.min
HUNDRED = Decimal(100)
# Documents whose lines are credits (§7.2 step 3).
NEGATED = {"SalesInvoice", "Receipt", "DebitNote"}
DOCUMENTS: tuple[str, ...] = ("SalesInvoice", "CreditNote", "PurchaseInvoice", "DebitNote")
DOCUMENTS += ("Receipt", "Payment", "InterAccountTransfer", "JournalEntry")
STARTING_BALANCES: tuple[str, ...] = ("BankOrCashAccountStartingBalance",)
STARTING_BALANCES += ("SalesInvoiceStartingBalance", "PurchaseInvoiceStartingBalance")
STARTING_BALANCES += ("BalanceSheetAccountStartingBalance",)


@dataclass(frozen=True)
class LedgerLine:
    date: datetime.date
    account: uuid.UUID
    amount: Decimal
    source: uuid.UUID
    #: The line of the source document it comes from (None for a balancing line).
    line: int | None = None
    customer: uuid.UUID | None = None
    supplier: uuid.UUID | None = None
    bank: uuid.UUID | None = None
    invoice: uuid.UUID | None = None
    #: "tax" for a tax line, "balance" for a document's balancing line, "" for a line's own.
    role: str = ""


class Rounder:
    """``Currency.Round``: to the base currency's places, halves away from zero (§7.1)."""

    def __init__(self, places: int) -> None:
        self.quantum = Decimal(1).scaleb(-places)

    def __call__(self, value: Decimal) -> Decimal:
        return value.quantize(self.quantum, ROUND_HALF_UP)


def date_of(value: datetime.datetime | None) -> datetime.date:
    # An unset document date is DateTime.MinValue in Manager; protobuf-net omits it.
    return value.date() if value is not None else STARTING


def build_ledger(business: Business) -> list[LedgerLine]:
    """Every ledger line Manager derives from the business's documents and starting balances."""
    poster = Poster(business)
    with localcontext() as context:
        context.prec = 28  # .NET decimal: 28-29 significant digits
        for kind in DOCUMENTS + STARTING_BALANCES:
            for record in business.all(kind):
                getattr(poster, f"post_{kind}")(record)
    return poster.lines


class Poster:
    def __init__(self, business: Business) -> None:
        self.business = business
        self.round = Rounder(business.decimal_places)
        self.lines: list[LedgerLine] = []

    # -- resolving accounts and parties -------------------------------------------------------

    def kind_of(self, key: uuid.UUID | None) -> str | None:
        record = self.business.by_key.get(key) if key is not None else None
        return record.kind if record is not None else None

    def plain_account(self, key: uuid.UUID | None) -> uuid.UUID:
        """An account a line may post to as itself; anything else is Suspense (§7.2 step 4)."""
        if key == RETAINED:
            return RETAINED
        if self.kind_of(key) in ("BalanceSheetAccount", "ProfitAndLossStatementAccount"):
            assert key is not None
            return key
        return SUSPENSE

    def invoice_party(self, invoice: uuid.UUID | None, party: str) -> uuid.UUID | None:
        record = self.business.by_key.get(invoice) if invoice is not None else None
        if record is None or record.kind not in ("SalesInvoice", "PurchaseInvoice"):
            return None
        found: uuid.UUID | None = getattr(record, party)
        return found

    def add(
        self,
        date: datetime.date,
        account: uuid.UUID,
        amount: Decimal,
        source: uuid.UUID | None,
        **sub: Any,
    ) -> None:
        amount = self.round(amount)
        if not amount:
            return
        assert source is not None  # every object in Objects has its key
        if account == AR:
            # Re-targeting (§7.2): the linked invoice's customer wins; no customer, Suspense.
            customer = self.invoice_party(sub.get("invoice"), "customer") or sub.get("customer")
            if self.kind_of(customer) != "Customer":
                account, sub = SUSPENSE, {}
            else:
                sub = {**sub, "customer": customer}
        elif account == AP:
            supplier = self.invoice_party(sub.get("invoice"), "supplier") or sub.get("supplier")
            if self.kind_of(supplier) != "Supplier":
                account, sub = SUSPENSE, {}
            else:
                sub = {**sub, "supplier": supplier}
        elif account == CASH and self.kind_of(sub.get("bank")) != "BankOrCashAccount":
            account, sub = SUSPENSE, {}
        self.lines.append(LedgerLine(date, account, amount, source, **sub))

    # -- one document line --------------------------------------------------------------------

    def raw_amount(self, document: Record, line: Record) -> Decimal:
        if document.kind == "JournalEntry":
            return self.round(line.debit - line.credit)
        if document.kind in ("Receipt", "Payment") and not (
            document.quantity_column and document.unit_price_column
        ):
            return self.round(line.amount)
        price = line.unit_price
        return self.round(price * line.qty if line.qty is not None else price)

    def discounted(self, document: Record, line: Record, amount: Decimal) -> Decimal:
        if not getattr(document, "discount", False):
            return amount
        if document.discount_type == 1:
            return self.round(amount - line.discount_amount)
        if amount and line.discount_percentage:
            return self.round(amount / HUNDRED * (HUNDRED - line.discount_percentage))
        return amount

    def line_amount(self, document: Record, line: Record) -> Decimal:
        amount = self.discounted(document, line, self.raw_amount(document, line))
        return -amount if document.kind in NEGATED else amount

    def inclusive(self, document: Record) -> bool:
        if document.kind == "JournalEntry":
            return True
        if document.kind in ("Receipt", "Payment"):
            return not document.amounts_are_tax_exclusive
        return bool(document.amounts_include_tax)

    def tax_of(
        self, code_key: uuid.UUID | None, amount: Decimal, inclusive: bool
    ) -> tuple[uuid.UUID, Decimal] | None:
        """(tax account, tax amount) of a line, or None (§7.3, single rates; the others are
        refused before an import, see ``support``)."""
        code = self.business.by_key.get(code_key) if code_key is not None else None
        if code is None or code.kind != "TaxCode" or code.tax_rate != 2 or code.type != 0:
            return None
        rate = code.rate
        if inclusive:
            tax = self.round(amount / (HUNDRED + rate) * rate)
        else:
            tax = self.round(amount / HUNDRED * rate)
        return self.tax_account(code), tax

    def tax_account(self, code: Record) -> uuid.UUID:
        return code.account if self.kind_of(code.account) == "BalanceSheetAccount" else TAX_PAYABLE

    def document_party(self, document: Record, party: str) -> uuid.UUID | None:
        if document.kind in ("Receipt", "Payment"):
            wanted = 1 if party == "customer" else 2
            return getattr(document, party) if document.party_type == wanted else None
        return getattr(document, party, None)

    def post_line(self, document: Record, number: int, line: Record) -> Decimal:
        """Post one line of a document; return the sum of what it posted."""
        date, source = date_of(document.date), document.key
        amount = self.line_amount(document, line)
        key = line.account
        sub: dict[str, Any] = {"line": number}
        with_tax = True
        if key in (AR, AP):
            party = "customer" if key == AR else "supplier"
            link = "sales_invoice" if key == AR else "purchase_invoice"
            found = self.document_party(document, party) or getattr(line, party, None)
            if found is None:
                account = SUSPENSE
            else:
                account, with_tax = key, False
                own = document.kind in ("SalesInvoice", "PurchaseInvoice")
                sub |= {party: found, "invoice": document.key if own else getattr(line, link)}
        elif key == CASH:
            bank = getattr(line, "bank", None) if document.kind == "JournalEntry" else None
            account = CASH if bank is not None else SUSPENSE
            if bank is not None:
                sub["bank"] = bank
        elif key == TRANSFERS and document.kind in ("Receipt", "Payment"):
            account, with_tax = TRANSFERS, False
        else:
            account = self.plain_account(key)
        posted = Decimal(0)
        tax = self.tax_of(line.tax_code, amount, self.inclusive(document)) if with_tax else None
        if tax is not None:
            tax_account, tax_amount = tax
            self.add(date, tax_account, tax_amount, source, line=number, role="tax")
            posted += tax_amount
            if self.inclusive(document):
                amount -= tax_amount
        self.add(date, account, amount, source, **sub)
        return posted + self.round(amount)

    def post_lines(self, document: Record) -> Decimal:
        return sum(
            (self.post_line(document, n, line) for n, line in enumerate(document.lines)),
            Decimal(0),
        )

    # -- documents (§7.4) ---------------------------------------------------------------------

    def post_SalesInvoice(self, invoice: Record) -> None:
        total = self.post_lines(invoice)
        if invoice.rounding and invoice.rounding_method in (1, 2):
            owed = -total
            if invoice.rounding_method == 2:
                whole = owed.to_integral_value(ROUND_FLOOR)
            else:
                whole = owed.to_integral_value(ROUND_HALF_UP)
            difference = owed - whole
            self.add(date_of(invoice.date), ROUNDING, difference, invoice.key, role="rounding")
            total += self.round(difference)
        self.balance(invoice, AR, -total, customer=invoice.customer, invoice=invoice.key)

    def post_CreditNote(self, note: Record) -> None:
        total = self.post_lines(note)
        self.balance(note, AR, -total, customer=note.customer, invoice=note.sales_invoice)

    def post_PurchaseInvoice(self, invoice: Record) -> None:
        total = self.post_lines(invoice)
        self.balance(invoice, AP, -total, supplier=invoice.supplier, invoice=invoice.key)

    def post_DebitNote(self, note: Record) -> None:
        total = self.post_lines(note)
        self.balance(note, AP, -total, supplier=note.supplier, invoice=note.purchase_invoice)

    def post_Receipt(self, receipt: Record) -> None:
        self.balance(receipt, CASH, -self.post_lines(receipt), bank=receipt.bank)

    def post_Payment(self, payment: Record) -> None:
        self.balance(payment, CASH, -self.post_lines(payment), bank=payment.bank)

    def post_InterAccountTransfer(self, transfer: Record) -> None:
        date, amount = date_of(transfer.date), transfer.credit_amount
        self.add(date, CASH, -amount, transfer.key, bank=transfer.paid_from, role="balance")
        self.add(date, CASH, amount, transfer.key, bank=transfer.received_in, role="balance")

    def post_JournalEntry(self, entry: Record) -> None:
        difference = self.post_lines(entry)
        if difference:
            self.add(date_of(entry.date), SUSPENSE, -difference, entry.key, role="balance")

    def balance(self, document: Record, account: uuid.UUID, amount: Decimal, **sub: Any) -> None:
        self.add(date_of(document.date), account, amount, document.key, role="balance", **sub)

    # -- starting balances, on DateTime.MinValue against Retained earnings ------------------

    def post_BankOrCashAccountStartingBalance(self, start: Record) -> None:
        self.add(STARTING, CASH, start.amount, start.key, bank=start.bank)
        self.add(STARTING, RETAINED, -start.amount, start.key, role="balance")

    def post_SalesInvoiceStartingBalance(self, start: Record) -> None:
        customer = self.invoice_party(start.invoice, "customer")
        self.add(STARTING, AR, -start.amount, start.key, customer=customer, invoice=start.invoice)
        self.add(STARTING, RETAINED, start.amount, start.key, role="balance")

    def post_PurchaseInvoiceStartingBalance(self, start: Record) -> None:
        supplier = self.invoice_party(start.invoice, "supplier")
        self.add(STARTING, AP, start.amount, start.key, supplier=supplier, invoice=start.invoice)
        self.add(STARTING, RETAINED, -start.amount, start.key, role="balance")

    def post_BalanceSheetAccountStartingBalance(self, start: Record) -> None:
        amount = -start.amount if start.debit_credit == 1 else start.amount
        self.add(STARTING, self.plain_account(start.account), amount, start.key)
        self.add(STARTING, RETAINED, -amount, start.key, role="balance")


# -- the figures reports show (§7.5) ---------------------------------------------------------


def account_balances(
    lines: Iterable[LedgerLine], upto: datetime.date | None = None
) -> dict[tuple[uuid.UUID, uuid.UUID | None], Decimal]:
    """(account, bank) -> balance of the lines dated up to ``upto`` (all when None)."""
    totals: dict[tuple[uuid.UUID, uuid.UUID | None], Decimal] = defaultdict(Decimal)
    for line in lines:
        if upto is None or line.date <= upto:
            totals[line.account, line.bank] += line.amount
    return dict(totals)


def party_balances(lines: Iterable[LedgerLine], party: str) -> dict[uuid.UUID, Decimal]:
    totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for line in lines:
        key = getattr(line, party)
        if key is not None and line.account in (AR, AP):
            totals[key] += line.amount
    return dict(totals)


def invoice_balances(lines: Iterable[LedgerLine]) -> dict[uuid.UUID, Decimal]:
    """An invoice's balance due: the receivable or payable lines linked to it."""
    totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.invoice is not None and line.account in (AR, AP):
            totals[line.invoice] += line.amount
    return dict(totals)
