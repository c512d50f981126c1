"""What a backup holds: the declared list of every company table, in the order it is written.

Every model that belongs to a company must appear here, either in ``TABLES`` (it travels in
the backup) or in ``EXCLUDED`` (with the reason it does not). ``tests/backups/test_registry.py``
fails when a new model or database table has not been triaged, so nothing is ever silently
left out of a backup.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import models

BOOKS = "books"  # always included
ATTACHMENTS = "attachments"
EMAILS = "emails"
HISTORY = "history"
OPTIONAL_PARTS = (ATTACHMENTS, EMAILS, HISTORY)


@dataclass(frozen=True)
class Table:
    name: str  # the member is data/<name>.jsonl
    model_label: str
    part: str

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


# Parents before children: an importer can insert them in this order.
TABLES = [
    Table("company", "books.Company", BOOKS),
    Table("invoice_counters", "books.InvoiceCounter", BOOKS),
    Table("accounts", "books.Account", BOOKS),
    Table("tax_codes", "books.TaxCode", BOOKS),
    Table("bank_accounts", "books.BankAccount", BOOKS),
    Table("customers", "books.Customer", BOOKS),
    Table("suppliers", "books.Supplier", BOOKS),
    Table("sales_invoices", "books.SalesInvoice", BOOKS),
    Table("sales_invoice_lines", "books.SalesInvoiceLine", BOOKS),
    Table("purchase_invoices", "books.PurchaseInvoice", BOOKS),
    Table("purchase_invoice_lines", "books.PurchaseInvoiceLine", BOOKS),
    Table("receipts", "books.Receipt", BOOKS),
    Table("receipt_lines", "books.ReceiptLine", BOOKS),
    Table("payments", "books.Payment", BOOKS),
    Table("payment_lines", "books.PaymentLine", BOOKS),
    Table("journal_entries", "books.JournalEntry", BOOKS),
    Table("journal_entry_lines", "books.JournalEntryLine", BOOKS),
    Table("ledger_entries", "books.LedgerEntry", BOOKS),
    Table("attachments", "attachments.Attachment", ATTACHMENTS),
    Table("emails", "mail.Email", EMAILS),
    Table("email_attachments", "mail.EmailAttachment", EMAILS),
    Table("history", "history.HistoryEntry", HISTORY),
]

# Company-owned models that deliberately stay out of a backup, and why.
EXCLUDED = {
    "books.AccountDay": (
        "Each account's daily totals are derived from the ledger, which the backup carries; "
        "an import makes them again."
    ),
    "books.CompanyOrigin": (
        "When and how this installation's copy of the company was added or imported, and from "
        "which file: it describes this copy, not the books. A backup of a restored company "
        "imported elsewhere records there where that copy came from."
    ),
    "mail.SmtpSettings": (
        "The company's mail server and its password belong to the installation, not to the "
        "books: a backup handed to someone else must not carry the password."
    ),
}

# Database tables that are not company data at all, by app label, and why.
NOT_COMPANY_DATA = {
    "auth": "users and permissions of this installation",
    "contenttypes": "Django's catalogue of models",
    "sessions": "sign-in sessions",
    "admin": "the administration screen's log",
    "axes": "sign-in throttling records",
    "django_tasks_database": "background job queue",
    "cloud": "customers, subscriptions and backup records of the hosted service",
    "backups": "backup and import jobs of this installation",
    "autobackups": "automatic backup records",
    "installation": "which edition of Partida the database belongs to",
}
NOT_COMPANY_TABLES = {"django_migrations": "the database schema's history"}


def tables_for(parts: set[str] | frozenset[str]) -> list[Table]:
    """The tables of a backup that includes the optional ``parts``."""
    return [table for table in TABLES if table.part == BOOKS or table.part in parts]
