"""The kinds of company record, by the short names used in history, attachments and URLs."""

from django.db import models

from partida.books import models as m

RECORD_KINDS: dict[str, type[models.Model]] = {
    "company": m.Company,
    "account": m.Account,
    "tax_code": m.TaxCode,
    "bank_account": m.BankAccount,
    "customer": m.Customer,
    "supplier": m.Supplier,
    "receipt": m.Receipt,
    "payment": m.Payment,
    "sales_invoice": m.SalesInvoice,
    "purchase_invoice": m.PurchaseInvoice,
    "journal_entry": m.JournalEntry,
}

TRANSACTION_KINDS = ("receipt", "payment", "sales_invoice", "purchase_invoice", "journal_entry")


def kind_of(instance: models.Model) -> str:
    for kind, model in RECORD_KINDS.items():
        if type(instance) is model:
            return kind
    raise LookupError(f"{type(instance).__name__} is not a kind of company record")
