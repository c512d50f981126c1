"""What of a Manager business Partida can bring across with Manager's figures, and what not.

``check_supported`` refuses, before anything is written, a business that uses something which
changes its ledger and that Partida does not hold: bringing it without would give books that do
not match Manager's. ``not_brought_across`` lists, for the preview, the records that do not
change the ledger and are left behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

from partida.archive.errors import gettext_noop
from partida.managerio.classes import Record
from partida.managerio.errors import Unsupported
from partida.managerio.ledger import AP, AR
from partida.managerio.reader import Business

#: Classes that post to Manager's ledger and that Partida does not model.
POSTING_CLASSES = {
    "Payslip": gettext_noop("payslips"),
    "DepreciationEntry": gettext_noop("depreciation of fixed assets"),
    "AmortizationEntry": gettext_noop("amortization of intangible assets"),
    "ExpenseClaim": gettext_noop("expense claims"),
    "InventoryWriteOff": gettext_noop("inventory"),
    "InventoryTransfer": gettext_noop("inventory"),
    "ProductionOrder": gettext_noop("inventory"),
    "InventoryItemStartingBalance": gettext_noop("inventory"),
    "WithholdingTaxReceipt": gettext_noop("withholding tax"),
    "LatePaymentFee": gettext_noop("late payment fees"),
    "BillableTime": gettext_noop("billable time"),
    "EmployeeStartingBalance": gettext_noop("employees"),
    "FixedAssetStartingBalance": gettext_noop("fixed assets"),
    "IntangibleAssetStartingBalance": gettext_noop("intangible assets"),
    "InvestmentStartingBalance": gettext_noop("investments"),
    "SpecialAccountStartingBalance": gettext_noop("special accounts"),
    "CapitalAccountStartingBalance": gettext_noop("capital accounts"),
}
DOCUMENTS: tuple[str, ...] = ("SalesInvoice", "CreditNote", "PurchaseInvoice", "DebitNote")
DOCUMENTS += ("Receipt", "Payment", "JournalEntry")
CONTROL_ACCOUNTS: tuple[str, ...] = ("ControlAccountForCustomers", "ControlAccountForSuppliers")
CONTROL_ACCOUNTS += ("ControlAccountForBankAccounts",)


def check_supported(business: Business) -> None:
    """Raise ``Unsupported`` naming the first thing the business uses that Partida cannot hold."""
    for what in unsupported(business):
        raise Unsupported(what=what)


def unsupported(business: Business) -> Iterator[str]:
    for name, what in POSTING_CLASSES.items():
        if business.other_counts.get(name):
            yield what
    if business.all("ForeignCurrency") and any(
        record.currency
        for kind in ("Customer", "Supplier", "BankOrCashAccount", "JournalEntry")
        for record in business.all(kind)
    ):
        yield gettext_noop("foreign currencies")
    controls = {record.key for kind in CONTROL_ACCOUNTS for record in business.all(kind)}
    if any(
        record.control_account in controls
        for kind in ("Customer", "Supplier", "BankOrCashAccount")
        for record in business.all(kind)
    ):
        yield gettext_noop("control accounts")
    if "WithholdingTax" in business.other_singletons and any(
        record.withholding_tax
        for kind in ("SalesInvoice", "CreditNote", "PurchaseInvoice")
        for record in business.all(kind)
    ):
        yield gettext_noop("withholding tax")
    yield from unsupported_tax_codes(business)
    yield from unsupported_documents(business)


def used_tax_codes(business: Business) -> set[uuid.UUID | None]:
    return {
        line.tax_code
        for kind in DOCUMENTS
        for record in business.all(kind)
        for line in record.lines
    }


def unsupported_tax_codes(business: Business) -> Iterator[str]:
    used = used_tax_codes(business)
    for code in business.all("TaxCode"):
        if code.key not in used:
            continue
        if code.tax_rate == 1 or code.type == 1:
            yield gettext_noop("tax codes with several components or the whole line as tax")
        if code.reverse_charged:
            yield gettext_noop("reverse-charged tax codes")
        if code.tax_rate == 2 and not 0 <= code.rate <= 100:
            yield gettext_noop("tax codes with a negative rate or one above 100 %")
        if code.tax_rate == 2 and code.rate != code.rate.quantize(Decimal("0.0001")):
            yield gettext_noop("tax rates with more than four decimals")


def unsupported_documents(business: Business) -> Iterator[str]:
    for kind in DOCUMENTS:
        for record in business.all(kind):
            for line in record.lines:
                if line.item is not None:
                    yield gettext_noop("inventory and non-inventory items on document lines")
                if line.unsupported:
                    yield gettext_noop(
                        "employees, capital accounts, fixed assets or other sub-ledgers"
                    )
            if getattr(record, "fixed_total", False):
                yield gettext_noop("receipts or payments with a fixed total")
            if getattr(record, "landed_cost_lines", None):
                yield gettext_noop("landed costs")
            yield from unsupported_parties(record)


def unsupported_parties(record: Record) -> Iterator[str]:
    """Partida keeps a customer's balance on receipts and sales documents only, a supplier's on
    payments and purchase documents; and one party per receipt or payment."""
    accounts = {line.account for line in record.lines}
    if record.kind == "JournalEntry" and accounts & {AR, AP}:
        yield gettext_noop("journal entries on a customer's or supplier's balance")
    if record.kind in ("SalesInvoice", "CreditNote", "PurchaseInvoice", "DebitNote") and (
        accounts & {AR, AP}
    ):
        yield gettext_noop("invoice lines on the receivable or payable account")
    if record.kind == "Receipt" and AP in accounts or record.kind == "Payment" and AR in accounts:
        yield gettext_noop("receipts from suppliers or payments to customers")
    if record.kind in ("Receipt", "Payment"):
        party = "customer" if record.kind == "Receipt" else "supplier"
        parties = {getattr(line, party) for line in record.lines if getattr(line, party)}
        if len(parties) > 1:
            yield gettext_noop("receipts or payments shared by several customers or suppliers")
        if record.bank is None:
            yield gettext_noop("receipts or payments without a bank or cash account")
    if record.kind in ("SalesInvoice", "CreditNote") and record.customer is None:
        yield gettext_noop("invoices without a customer")
    if record.kind in ("PurchaseInvoice", "DebitNote") and record.supplier is None:
        yield gettext_noop("invoices without a supplier")
