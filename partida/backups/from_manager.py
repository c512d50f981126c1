"""A Manager.io business brought into Partida as a new company, with Manager's figures.

The reader (``partida.managerio``) decodes the file and re-creates Manager's ledger by its own
rules; this module makes Partida's rows from the documents so that Partida's posting gives those
very ledger lines: each line's amount and tax are taken from Manager's ledger (never worked out
again), and the sign a Partida document posts with decides how they are stored. Before the
company is kept, ``check_same_books`` compares the two ledgers account by account and day by
day, every invoice's balance due and every customer's and supplier's balance; any difference
refuses the import, in the import's transaction, so nothing is left behind.
"""

from __future__ import annotations

import datetime
import io
import mimetypes
import os
import tempfile
import uuid
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from partida.attachments.actions import clean_filename
from partida.attachments.models import Attachment
from partida.attachments.store import discard_new_blobs, store_blob_reporting
from partida.books import models as m
from partida.books.invoices import PURCHASES, SALES, invoice_balances, party_balances
from partida.books.kinds import kind_of
from partida.books.numbers import format_number
from partida.books.posting import post, rebuild_account_days
from partida.books.signals import company_created
from partida.history.models import HistoryEntry
from partida.mail.models import Email
from partida.managerio import ledger as mgr
from partida.managerio.classes import Record
from partida.managerio.errors import BooksDiffer
from partida.managerio.reader import Business, business_name_of, read_business, utc_seconds
from partida.managerio.support import check_supported

ROOTS = {
    uuid.UUID("4c05c221-ca57-4c7c-be62-115669302ed4"): m.AccountKind.ASSET,
    uuid.UUID("ed5a19f6-12c5-45cc-b4b7-4e79f7ef50bc"): m.AccountKind.LIABILITY,
    uuid.UUID("9275ff4c-4cff-41d0-b7b5-f31c783f03d8"): m.AccountKind.EQUITY,
}
BUILT_IN_KINDS = {
    mgr.AR: (m.AccountKind.ASSET, m.AccountRole.RECEIVABLE),
    mgr.AP: (m.AccountKind.LIABILITY, m.AccountRole.PAYABLE),
    mgr.RETAINED: (m.AccountKind.EQUITY, m.AccountRole.RETAINED_EARNINGS),
    mgr.TAX_PAYABLE: (m.AccountKind.LIABILITY, m.AccountRole.NONE),
    mgr.SUSPENSE: (m.AccountKind.EQUITY, m.AccountRole.NONE),
    mgr.TRANSFERS: (m.AccountKind.EQUITY, m.AccountRole.NONE),
    mgr.ROUNDING: (m.AccountKind.EXPENSE, m.AccountRole.NONE),
}
ONE_DAY = datetime.timedelta(days=1)


def open_content(content: bytes | Path):
    return open(content, "rb") if isinstance(content, Path) else io.BytesIO(content)


def aware(moment: datetime.datetime) -> datetime.datetime:
    """Manager's times are UTC without a kind (reference §2, §5.11)."""
    return moment.replace(tzinfo=datetime.UTC)


def aware_ticks(ticks: int) -> datetime.datetime:
    if not ticks:
        return timezone.now()
    return datetime.datetime.fromtimestamp(utc_seconds(ticks), tz=datetime.UTC)


def built_in_names() -> dict[uuid.UUID, str]:
    """Manager's default names of its built-in accounts, in the person's language."""
    return {
        mgr.AR: _("Accounts receivable"),
        mgr.AP: _("Accounts payable"),
        mgr.RETAINED: _("Retained earnings"),
        mgr.TAX_PAYABLE: _("Tax payable"),
        mgr.SUSPENSE: _("Suspense"),
        mgr.TRANSFERS: _("Inter-account transfers"),
        mgr.ROUNDING: _("Rounding expense"),
    }


def do_import_manager_file(
    source: str | os.PathLike, new_name: str | None = None, backup_file: str | None = None
) -> m.Company:
    """Import the Manager business in ``source`` as a new company; raise a ``ManagerFileError``
    (one sentence, nothing kept) when the file is bad or uses what Partida cannot hold."""
    with tempfile.TemporaryDirectory(prefix="partida-manager-") as folder:
        business = read_checked_business(source, folder)
        if backup_file is None:
            backup_file = os.path.basename(source)
        business.file_name = business_name_of(backup_file)
        return do_import_manager_business(business, new_name, backup_file)


def do_import_manager_business(
    business: Business, name: str | None = None, backup_file: str = ""
) -> m.Company:
    """Make a new company of ``business``; raise ``BooksDiffer`` (keeping nothing) when its
    books would not give Manager's figures."""
    books = ManagerBooks(business, mgr.build_ledger(business), name)
    try:
        with transaction.atomic():
            books.make()
            check_same_books(books)
            rebuild_account_days(books.company.pk)
            m.CompanyOrigin.objects.create(
                company=books.company,
                how=m.CompanyOrigin.How.IMPORTED,
                backup_file=backup_file[:255],
            )
            company_created.send(sender=m.Company, company=books.company)
    except BaseException:
        discard_new_blobs(books.new_blobs)  # after the rollback, so no row refers to them
        raise
    return books.company


class ManagerBooks:
    """The Partida rows of one Manager business, made in order, and how keys map across."""

    def __init__(self, business: Business, lines: list[mgr.LedgerLine], name: str | None) -> None:
        self.business, self.lines, self.name = business, lines, name
        self.accounts: dict[uuid.UUID, m.Account] = {}
        self.banks: dict[uuid.UUID, m.BankAccount] = {}
        self.customers: dict[uuid.UUID, m.Customer] = {}
        self.suppliers: dict[uuid.UUID, m.Supplier] = {}
        self.tax_codes: dict[uuid.UUID, m.TaxCode] = {}
        self.invoices: dict[uuid.UUID, m.SalesInvoice | m.PurchaseInvoice] = {}
        #: Manager key -> the Partida transaction made of it, which its attachments follow.
        self.transactions: dict[uuid.UUID, object] = {}
        self.new_blobs: list[str] = []
        self.codes: set[str] = set()
        self.by_source: dict[uuid.UUID, list[mgr.LedgerLine]] = defaultdict(list)
        for line in lines:
            self.by_source[line.source].append(line)
        dated = [line.date for line in lines if line.date != mgr.STARTING]
        documents = [
            mgr.date_of(record.date)
            for kind in ("SalesInvoice", "PurchaseInvoice")
            for record in business.all(kind)
        ]
        dated += [day for day in documents if day != mgr.STARTING]
        # Manager posts starting balances on DateTime.MinValue: here, the day before the books'
        # first date, which every report of a period from that first date includes.
        self.starting_day = (min(dated) if dated else datetime.date.today()) - ONE_DAY

    def day(self, date: datetime.date) -> datetime.date:
        return self.starting_day if date == mgr.STARTING else date

    # -- the company and its chart ------------------------------------------------------------

    def make(self) -> None:
        details = self.business.singleton("BusinessDetails")
        currency = (self.business.currency or "EUR")[:3].upper()
        self.company = m.Company.objects.create(
            name=(
                self.name
                or details.name
                or self.business.file_name
                or _("Business from Manager.io")
            )[:200],
            legal_name=details.name[:200],
            street=", ".join(part.strip() for part in details.address.splitlines() if part)[:200],
            base_currency=currency,
        )
        for kind in ("BalanceSheetAccount", "ProfitAndLossStatementAccount"):
            for record in self.business.all(kind):
                self.add_account(record.key, record.name, record.code, self.kind_of(record))
        for key in self.used_built_ins():
            self.add_built_in(key)
        for record in self.business.all("BankOrCashAccount"):
            self.add_bank(record)
        for record in self.business.all("Customer"):
            self.customers[record.key] = m.Customer.objects.create(
                company=self.company,
                name=record.name[:200] or "?",
                email=record.email[:254],
                address=record.billing_address,
            )
        for record in self.business.all("Supplier"):
            self.suppliers[record.key] = m.Supplier.objects.create(
                company=self.company,
                name=record.name[:200] or "?",
                email=record.email[:254],
                address=record.address,
            )
        for record in self.business.all("TaxCode"):
            self.add_tax_code(record)
        self.make_documents()

    def used_built_ins(self) -> list[uuid.UUID]:
        """Receivable, payable and retained earnings always (Partida posts to them by role),
        the other built-in accounts when a ledger line uses them."""
        used = {line.account for line in self.lines} | {mgr.AR, mgr.AP, mgr.RETAINED}
        return [key for key in BUILT_IN_KINDS if key in used]

    def kind_of(self, record: Record) -> str:
        if record.kind == "BalanceSheetAccount":
            return self.balance_sheet_kind(record.group)
        return self.profit_and_loss_kind(record)

    def balance_sheet_kind(self, group: uuid.UUID | None) -> str:
        seen: set = set()
        while group is not None and group not in seen:
            if group in ROOTS:
                return ROOTS[group]
            seen.add(group)
            record = self.business.by_key.get(group)
            group = (
                record.group if record is not None and record.kind == "BalanceSheetGroup" else None
            )
        return m.AccountKind.EQUITY  # Manager's "Uncategorized" sits inside Equity

    def profit_and_loss_kind(self, account: Record) -> str:
        group, seen = account.group, set()
        while group is not None and group not in seen:
            seen.add(group)
            record = self.business.by_key.get(group)
            if record is None or record.kind != "ProfitAndLossStatementGroup":
                break
            if record.type in (0, 1):
                return m.AccountKind.INCOME if record.type == 0 else m.AccountKind.EXPENSE
            group = record.group
        # In Manager's "Uncategorized" group: income if the account's balance is a credit.
        balance = sum(
            (line.amount for line in self.lines if line.account == account.key), Decimal(0)
        )
        return m.AccountKind.INCOME if balance < 0 else m.AccountKind.EXPENSE

    def unique_code(self, wanted: str) -> str:
        code = wanted.strip()[:20]
        if not code or code in self.codes:
            number = len(self.codes) + 1
            while (code := f"M{number:04d}") in self.codes:
                number += 1
        self.codes.add(code)
        return code

    def add_account(self, key, name: str, code: str, kind: str, role: str = "") -> m.Account:
        account = m.Account.objects.create(
            company=self.company,
            code=self.unique_code(code),
            name=name[:200] or "?",
            kind=kind,
            role=role,
        )
        self.accounts[key] = account
        return account

    def add_built_in(self, key: uuid.UUID) -> None:
        kind, role = BUILT_IN_KINDS[key]
        renamed = self.business.singletons.get(mgr.BUILT_IN[key])
        name = getattr(renamed, "name", "") if renamed is not None else ""
        code = getattr(renamed, "code", "") if renamed is not None else ""
        self.add_account(key, name or built_in_names()[key], code, kind, role)

    def add_bank(self, record: Record) -> None:
        account = m.Account.objects.create(
            company=self.company,
            code=self.unique_code(record.code),
            name=record.name[:200] or "?",
            kind=m.AccountKind.ASSET,
            role=m.AccountRole.BANK,
        )
        self.banks[record.key] = m.BankAccount.objects.create(
            company=self.company,
            name=record.name[:200] or "?",
            kind=m.BankAccount.Kind.BANK if record.can_have_pending else m.BankAccount.Kind.CASH,
            number=record.iban[:64],
            account=account,
        )

    def add_tax_code(self, record: Record) -> None:
        account_key = record.account if record.account in self.accounts else mgr.TAX_PAYABLE
        if account_key not in self.accounts:
            self.add_built_in(account_key)
        account = self.accounts[account_key]
        self.tax_codes[record.key] = m.TaxCode.objects.create(
            company=self.company,
            name=(record.label or record.name)[:100] or "?",
            rate=record.rate if record.tax_rate == 2 else Decimal(0),
            sales_account=account,
            purchase_account=account,
            archived=record.inactive,
        )

    def account_of(self, line: mgr.LedgerLine) -> m.Account:
        if line.account == mgr.CASH:
            return self.banks[line.bank].account  # type: ignore[index]
        return self.accounts[line.account]

    # -- documents ------------------------------------------------------------------------------

    def make_documents(self) -> None:
        for kind, side in (("SalesInvoice", SALES), ("PurchaseInvoice", PURCHASES)):
            for record in self.business.all(kind):
                self.add_invoice(record, side, corrects=None)
        for kind, side, link in (
            ("CreditNote", SALES, "sales_invoice"),
            ("DebitNote", PURCHASES, "purchase_invoice"),
        ):
            for record in self.business.all(kind):
                self.add_invoice(record, side, corrects=self.invoices.get(getattr(record, link)))
        for record in self.business.all("Receipt"):
            self.add_money(record, m.Receipt, m.ReceiptLine, "customer")
        for record in self.business.all("Payment"):
            self.add_money(record, m.Payment, m.PaymentLine, "supplier")
        for kind in ("JournalEntry", "InterAccountTransfer"):
            for record in self.business.all(kind):
                self.add_journal(record, record.reference, getattr(record, "narration", ""))
        self.add_starting_balances()
        self.add_attachments()
        self.add_emails()
        self.add_history()

    def made_of(self, key: uuid.UUID):
        """The Partida record made of the Manager object ``key``, if one was."""
        for made in (self.transactions, self.customers, self.suppliers, self.tax_codes):
            if key in made:
                return made[key]
        if key in self.banks:
            return self.banks[key]
        return self.accounts.get(key) if key not in BUILT_IN_KINDS else None

    def add_history(self) -> None:
        """Manager's edit history, as history entries of the records made of its objects,
        with Manager's times and users, marked as coming from Manager.io."""
        entries = []
        for change in self.business.changes:
            record = self.made_of(change.object)
            if record is None:
                continue
            if change.before_kind is None:
                action = HistoryEntry.Action.CREATE
            elif change.after_kind is None:
                action = HistoryEntry.Action.DELETE
            else:
                action = HistoryEntry.Action.UPDATE
            label = "reference" if isinstance(record, m.Transaction) else "name"
            snapshot = {label: getattr(record, label)}
            entries.append(
                HistoryEntry(
                    company=self.company,
                    at=aware_ticks(change.ticks),
                    user_name=f"{change.user or '?'} (Manager.io)"[:200],
                    action=action,
                    record_kind=kind_of(record),
                    record_id=record.pk,
                    before=snapshot if action != HistoryEntry.Action.CREATE else None,
                    after=snapshot if action != HistoryEntry.Action.DELETE else None,
                )
            )
        HistoryEntry.objects.bulk_create(entries, batch_size=1000)

    # -- attachments and sent emails --------------------------------------------------------------

    def attachment_content(self, record: Record) -> bytes | Path | None:
        """The attachment's bytes: in the tar under their SHA-256, or (an old one) in the file's
        own Blobs table; None when the backup left them out."""
        if record.sha256:
            return self.business.blob_files.get(record.sha256.hex())
        stored = self.business.table_blobs.get(record.key)
        return stored[2] if stored is not None else None

    def add_attachments(self) -> None:
        for record in self.business.all("Attachment"):
            target = self.transactions.get(record.object)
            content = self.attachment_content(record)
            if target is None or content is None:
                continue
            with open_content(content) as stream:
                sha256, size, created = store_blob_reporting(stream)
            if created:
                self.new_blobs.append(sha256)
            filename = clean_filename(record.name) or "adjunto"
            Attachment.objects.create(
                company=self.company,
                target_kind=kind_of(target),
                target_id=target.pk,
                filename=filename,
                content_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
                size=size,
                sha256=sha256,
                uploaded_at=aware(record.date) if record.date else timezone.now(),
            )

    def add_emails(self) -> None:
        for sent in self.business.emails:
            about = self.transactions.get(sent.object) if sent.object else None
            Email.objects.create(
                company=self.company,
                sent_at=aware_ticks(sent.ticks),
                from_address=sent.sender[:254],
                to_addresses="\n".join(
                    address.strip() for address in sent.recipients.split(";") if address.strip()
                ),
                subject=sent.subject[:500],
                body=sent.body,
                about_kind=kind_of(about) if about is not None else "",
                about_id=about.pk if about is not None else None,
                status=Email.Status.SENT,
            )

    def line_sign(self, record: Record, corrects) -> int:
        """How the Partida document posts a typed line: -1 for a credit (a sales invoice, a
        receipt, a supplier's credit note), 1 for a debit."""
        sales_side = record.kind in ("SalesInvoice", "CreditNote", "Receipt")
        sign = -1 if sales_side else 1
        return -sign if corrects is not None else sign

    def document_lines(self, record: Record, sign: int, inclusive: bool):
        """(ledger line of its own, its tax line or None, Manager's line) of each line, then the
        rounding line of a sales invoice, as (line, None, None)."""
        posted = self.by_source.get(record.key, [])
        for number, source_line in enumerate(record.lines):
            own = [line for line in posted if line.line == number and line.role == ""]
            tax = [line for line in posted if line.line == number and line.role == "tax"]
            yield (own[0] if own else None), (tax[0] if tax else None), source_line
        for line in posted:
            if line.role == "rounding":
                yield line, None, None

    def typed_amounts(self, own, tax, sign: int, inclusive: bool) -> tuple[Decimal, Decimal]:
        own_amount = own.amount if own is not None else Decimal(0)
        tax_amount = tax.amount if tax is not None else Decimal(0)
        typed = own_amount + tax_amount if inclusive else own_amount
        return sign * typed, sign * tax_amount

    def zero_line_account(self, source_line: Record | None) -> m.Account:
        key = getattr(source_line, "account", None)
        return self.accounts.get(key) or self.accounts[mgr.RETAINED]

    def add_invoice(self, record: Record, side, corrects) -> None:
        party = self.customers if side is SALES else self.suppliers
        party_key = record.customer if side is SALES else record.supplier
        date = self.day(mgr.date_of(record.date))
        fields = {
            "company": self.company,
            "date": date,
            "reference": record.reference[:64],
            "description": record.description[:500],
            "amounts_include_tax": record.amounts_include_tax,
            "corrects": corrects,
            side.party: party[party_key],
        }
        if record.kind in ("SalesInvoice", "PurchaseInvoice"):
            fields["due_date"] = self.due_date(record, date)
        if side is SALES:
            fields["number"] = self.invoice_number(record.reference)
        invoice = side.invoice.objects.create(**fields)
        self.transactions[record.key] = invoice
        if record.kind in ("SalesInvoice", "PurchaseInvoice"):
            self.invoices[record.key] = invoice
        sign = self.line_sign(record, corrects)
        for position, (own, tax, source_line) in enumerate(
            self.document_lines(record, sign, record.amounts_include_tax)
        ):
            amount, tax_amount = self.typed_amounts(own, tax, sign, record.amounts_include_tax)
            quantity = getattr(source_line, "qty", None)
            side.line.objects.create(
                company=self.company,
                invoice=invoice,
                account=self.account_of(own) if own else self.zero_line_account(source_line),
                description=getattr(source_line, "description", "")[:500],
                quantity=quantity if quantity is not None else 1,
                unit_price=getattr(source_line, "unit_price", amount),
                amount=amount,
                tax_code=self.tax_codes.get(getattr(source_line, "tax_code", None))
                if tax
                else None,
                tax_amount=tax_amount,
                position=position,
            )
        post(invoice)

    def invoice_number(self, reference: str) -> str:
        number = reference.strip()[:32]
        if (
            not number
            or m.SalesInvoice.objects.filter(company=self.company, number=number).exists()
        ):
            return ""
        return number

    def due_date(self, record: Record, date: datetime.date) -> datetime.date | None:
        if record.due_date_type == 1 and record.due_date is not None:
            return record.due_date.date()
        if record.due_days:
            return date + datetime.timedelta(days=record.due_days)
        return None

    def add_money(self, record: Record, model, line_model, party: str) -> None:
        posted = self.by_source.get(record.key, [])
        parties = {getattr(line, party) for line in posted if getattr(line, party)}
        own_party = (
            getattr(record, party)
            if record.party_type == (1 if party == "customer" else 2)
            else None
        )
        chosen = own_party or (parties.pop() if len(parties) == 1 else None)
        people = self.customers if party == "customer" else self.suppliers
        parent = model.objects.create(
            company=self.company,
            date=self.day(mgr.date_of(record.date)),
            reference=record.reference[:64],
            description=(record.description or record.contact)[:500],
            amounts_include_tax=not record.amounts_are_tax_exclusive,
            bank_account=self.banks[record.bank],
            **{party: people.get(chosen)},
        )
        self.transactions[record.key] = parent
        inclusive = not record.amounts_are_tax_exclusive
        sign = self.line_sign(record, None)
        link = "sales_invoice" if party == "customer" else "purchase_invoice"
        for position, (own, tax, source_line) in enumerate(
            self.document_lines(record, sign, inclusive)
        ):
            amount, tax_amount = self.typed_amounts(own, tax, sign, inclusive)
            invoice = own.invoice if own is not None else getattr(source_line, link, None)
            line_model.objects.create(
                company=self.company,
                **{model.__name__.lower(): parent},
                account=self.account_of(own) if own else self.zero_line_account(source_line),
                description=getattr(source_line, "description", "")[:500],
                amount=amount,
                tax_code=self.tax_codes.get(getattr(source_line, "tax_code", None))
                if tax
                else None,
                tax_amount=tax_amount,
                invoice=self.invoices.get(invoice) if invoice else None,
                position=position,
            )
        post(parent)

    def add_journal(self, record: Record, reference: str, narration: str) -> None:
        posted = self.by_source.get(record.key, [])
        entry = m.JournalEntry.objects.create(
            company=self.company,
            date=self.day(mgr.date_of(record.date)),
            reference=reference[:64],
            description=(
                narration or record.description if hasattr(record, "description") else narration
            )[:500],
        )
        self.add_journal_lines(entry, posted)

    def add_journal_lines(self, entry: m.JournalEntry, posted) -> None:
        for position, line in enumerate(posted):
            m.JournalEntryLine.objects.create(
                company=self.company,
                entry=entry,
                account=self.account_of(line),
                debit=max(line.amount, Decimal(0)),
                credit=max(-line.amount, Decimal(0)),
                position=position,
            )
        post(entry)

    def add_starting_balances(self) -> None:
        posted = [
            line
            for kind in ("BankOrCashAccountStartingBalance", "BalanceSheetAccountStartingBalance")
            for record in self.business.all(kind)
            for line in self.by_source.get(record.key, [])
        ]
        if posted:
            entry = m.JournalEntry.objects.create(
                company=self.company, date=self.starting_day, description=_("Starting balances")
            )
            self.add_journal_lines(entry, posted)
        for kind, side in (
            ("SalesInvoiceStartingBalance", SALES),
            ("PurchaseInvoiceStartingBalance", PURCHASES),
        ):
            for record in self.business.all(kind):
                self.add_paid_before(record, side)

    def add_paid_before(self, record: Record, side) -> None:
        """What was paid of an invoice before the books began: a credit note of that amount on
        the invoice, against Retained earnings, as Manager posts it."""
        invoice = self.invoices[record.invoice]
        note = side.invoice.objects.create(
            company=self.company,
            date=self.starting_day,
            description=_("Paid before the starting date")[:500],
            corrects=invoice,
            **{side.party: getattr(invoice, side.party)},
        )
        side.line.objects.create(
            company=self.company,
            invoice=note,
            account=self.accounts[mgr.RETAINED],
            amount=record.amount,
            unit_price=record.amount,
            position=0,
        )
        post(note)


# -- the proof ----------------------------------------------------------------------------------


def check_same_books(books: ManagerBooks) -> None:
    """Partida's ledger equals Manager's, per account and day; and so do every invoice's balance
    due and every customer's and supplier's balance. The first difference refuses."""
    expected: dict = defaultdict(Decimal)
    for line in books.lines:
        expected[books.account_of(line).pk, books.day(line.date)] += line.amount
    actual: dict = defaultdict(Decimal)
    rows = (
        m.LedgerEntry.objects.filter(company=books.company)
        .values("account_id", "date")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        actual[row["account_id"], row["date"]] += Decimal(row["total"]).quantize(Decimal("0.01"))
    accounts = {account.pk: account for account in books.accounts.values()}
    accounts |= {bank.account.pk: bank.account for bank in books.banks.values()}
    for key in sorted(set(expected) | set(actual), key=lambda k: (k[1], accounts[k[0]].code)):
        difference = actual.get(key, Decimal(0)) - expected.get(key, Decimal(0))
        if difference:
            refuse(str(accounts[key[0]]), difference)
    receivable, payable = books.accounts[mgr.AR], books.accounts[mgr.AP]
    check_invoices(books, SALES, mgr.invoice_balances(books.lines), receivable, 1)
    check_invoices(books, PURCHASES, mgr.invoice_balances(books.lines), payable, -1)
    check_parties(
        books, SALES, books.customers, mgr.party_balances(books.lines, "customer"), receivable, 1
    )
    check_parties(
        books, PURCHASES, books.suppliers, mgr.party_balances(books.lines, "supplier"), payable, -1
    )


def check_invoices(books, side, expected, account, sign) -> None:
    mine = {
        key: invoice for key, invoice in books.invoices.items() if isinstance(invoice, side.invoice)
    }
    balances = invoice_balances(
        side, side.invoice.objects.filter(pk__in=[i.pk for i in mine.values()])
    )
    for key, invoice in mine.items():
        difference = balances[invoice.pk].due - sign * expected.get(key, Decimal(0))
        if difference:
            refuse(f"{account} ({invoice.number or invoice.reference or invoice.date})", difference)


def check_parties(books, side, parties, expected, account, sign) -> None:
    balances = party_balances(side, books.company, [party.pk for party in parties.values()])
    for key, party in parties.items():
        difference = balances[party.pk] - sign * expected.get(key, Decimal(0))
        if difference:
            refuse(f"{account} ({party.name})", difference)


def refuse(account: str, difference: Decimal) -> None:
    raise BooksDiffer(account=account, difference=format_number(difference))


# -- the preview --------------------------------------------------------------------------------


def read_checked_business(source: str | os.PathLike, folder: str) -> Business:
    """The business in ``source``, refused (``ManagerFileError``) when it is bad or uses what
    Partida cannot bring across."""
    business = read_business(source, folder)
    check_supported(business)
    return business


def missing_attachments(business: Business) -> int:
    """Attachments whose bytes the file does not carry (a bare .manager keeps them outside)."""
    return sum(
        1
        for record in business.all("Attachment")
        if not (
            business.blob_files.get(record.sha256.hex())
            if record.sha256
            else record.key in business.table_blobs
        )
    )


def describe_manager_business(business: Business) -> dict:
    """What the preview of Import company shows of a Manager business, before anything is
    written: its name, base currency, the dates of its transactions, how many of each kind,
    and what will not come across."""
    counted = [
        ("BalanceSheetAccount", m.Account._meta.verbose_name_plural),
        ("BankOrCashAccount", m.BankAccount._meta.verbose_name_plural),
        ("Customer", m.Customer._meta.verbose_name_plural),
        ("Supplier", m.Supplier._meta.verbose_name_plural),
        ("TaxCode", m.TaxCode._meta.verbose_name_plural),
        ("SalesInvoice", m.SalesInvoice._meta.verbose_name_plural),
        ("CreditNote", _("credit notes")),
        ("PurchaseInvoice", m.PurchaseInvoice._meta.verbose_name_plural),
        ("DebitNote", _("supplier credit notes")),
        ("Receipt", m.Receipt._meta.verbose_name_plural),
        ("Payment", m.Payment._meta.verbose_name_plural),
        ("InterAccountTransfer", _("inter-account transfers")),
        ("JournalEntry", m.JournalEntry._meta.verbose_name_plural),
        ("Attachment", _("attached files")),
    ]
    counts = []
    tables = {"Email": len(business.emails), "Change": len(business.changes)}
    for kind, label in counted + [("Email", _("sent emails")), ("Change", _("history entries"))]:
        count = tables[kind] if kind in tables else len(business.all(kind))
        if kind == "BalanceSheetAccount":
            count += len(business.all("ProfitAndLossStatementAccount"))
        if count:
            counts.append({"kind": kind, "label": label, "count": count})
    dates = [
        mgr.date_of(record.date)
        for kind in mgr.DOCUMENTS
        for record in business.all(kind)
        if mgr.date_of(record.date) != mgr.STARTING
    ]
    left_out = [
        {"label": label, "count": count}
        for label, count in (
            (
                _(
                    "attached files that are not in this backup (back it up in Manager with "
                    "Attachments ticked)"
                ),
                missing_attachments(business),
            ),
        )
        if count
    ]
    left_out += [
        {"label": name, "count": count} for name, count in sorted(business.other_counts.items())
    ]
    return {
        "name": business.name or business.file_name,
        "currency": business.currency or "EUR",
        "first_date": min(dates) if dates else None,
        "last_date": max(dates) if dates else None,
        "counts": counts,
        "left_out": left_out,
    }
