"""Deterministic demo companies: realistic books, emails, history and attachments.

``do_create_demo_company(name, size, seed)`` builds a company that looks used, founded on 1
October 2024 and kept to the end of 2025: customers and
suppliers (some of them professionals, whose invoices have IRPF withheld), sales invoices
numbered by series (F2025-0001) with IVA on each line, a few credit notes and drafts, purchase
invoices, receipts and payments applied to the invoices they pay (some paid in part, some not
at all), wages, rent, each quarter's IVA settled and paid, journal entries, the first year
closed and locked, the emails that sent the invoices, the history of every change, and real
PDF and image files attached to transactions.

The same seed gives the same books. All content (names, dates, amounts, files) comes from
``random.Random(seed)``; the keys come from a second generator seeded by the seed *and the
company name*, so a demo made twice into one database gets new keys instead of colliding (see
``key_generator``). Timestamps are fixed in 2024 and 2025; nothing reads the clock.

The generator skips the per-record actions, which would take hours for a large company, and
writes rows with ``bulk_create`` in batches. It computes the general ledger with the same rules as
``partida.books.posting.postings`` (see ``ledger_postings``), each line's tax with
``posting.line_tax``, the closing entry as ``actions.do_close_year`` would, and the history's
snapshots with ``partida.books.snapshot.snapshot``, so a demo company is indistinguishable from
one typed in. The whole company is made in one database transaction: an interrupted demo leaves
nothing, and the files it had stored are removed again.
"""

import datetime
import itertools
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils.translation import gettext

from partida.attachments.models import Attachment
from partida.attachments.store import discard_new_blobs, store_blob_reporting
from partida.books import models as m
from partida.books.chart import bank_account_code_start, default_chart, default_tax_codes
from partida.books.numbers import format_money
from partida.books.posting import (
    document_total,
    invoice_withholding,
    line_amount,
    line_base,
    line_tax,
    rebuild_account_days,
)
from partida.books.signals import company_created
from partida.books.snapshot import snapshot
from partida.demo import names
from partida.demo.files import FilePool
from partida.history.models import HistoryEntry
from partida.mail.models import Email, EmailAttachment

BATCH_SIZE = 5000
BACKGROUND_FILES = 100  # from this many distinct files, a helper process makes them
#: The books of a company founded on 1 October 2024: its first, short year closed (its closing
#: entry, and the books locked up to its last day), the next year open.
YEARS = (2024, 2025)
CLOSED_YEAR, YEAR = YEARS
FIRST_DAY = datetime.date(CLOSED_YEAR, 10, 1)
UTC = datetime.UTC
CREATED_AT = datetime.datetime(CLOSED_YEAR, 10, 1, 9, 0, tzinfo=UTC)
#: When the first year was closed: in February, once its last invoices had come in.
CLOSED_AT = datetime.datetime(YEAR, 2, 14, 10, 0, tzinfo=UTC)
Q4 = Decimal("0.0001")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CREDIT_NOTE_SHARE = 0.015  # of the sales invoices, at least two
PURCHASE_CREDIT_NOTE_SHARE = 0.01  # of the purchase invoices, at least one
DRAFTS = 2  # sales invoices not yet issued, at the end of the last year
PAID_SHARE, PARTLY_PAID_SHARE = 0.82, 0.08  # of the invoices; the rest stay unpaid
#: Transactions made after the others: each quarter's IVA settlement and the payments of IVA
#: and IRPF after it (the last quarter's fall in the next year), the savings account closed,
#: and the closing of the first year. Bank-to-cash transfers make up for any not needed.
MONTHS = [
    (year, month)
    for year in YEARS
    for month in range(1, 13)
    if datetime.date(year, month, 1) >= FIRST_DAY
]
QUARTERS = sorted({(year, (month - 1) // 3 + 1) for year, month in MONTHS})
LATE_TRANSACTIONS = len(QUARTERS) + 2 * (len(QUARTERS) - 1) + 2
#: Each month's rent, wages and bank charges.
RECURRING_TRANSACTIONS = 3 * len(MONTHS)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Profile:
    transactions: int
    customers: int
    suppliers: int
    attachments: int
    distinct_invoices: int  # distinct PDF files
    distinct_scans: int  # distinct JPEG and PNG files
    emails: int
    updates_per_transaction: float  # on average, in the history
    deleted_share: float  # transactions made and deleted again, seen only in the history


SIZES: dict[str, Profile] = {
    "small": Profile(300, 15, 10, 20, 8, 6, 40, 0.5, 0.02),
    "medium": Profile(20_000, 250, 80, 500, 150, 150, 2_000, 1.0, 0.01),
    # About 1,000,000 history rows, and about 1 GB of distinct files.
    "large": Profile(200_000, 2_000, 400, 20_000, 4_000, 6_000, 20_000, 3.9, 0.01),
}

CLOSED_YEAR_END = datetime.date(CLOSED_YEAR, 12, 31)
LAST_DAY = datetime.date(YEAR, 12, 31)
WORKDAYS = [
    day
    for day in (FIRST_DAY + datetime.timedelta(n) for n in range((LAST_DAY - FIRST_DAY).days + 1))
    if day.weekday() < 5
]
WORKDAYS_OF_LAST_YEAR = [day for day in WORKDAYS if day.year == YEAR]

FAILURES = [
    "SMTP 550 5.1.1: the recipient's mailbox does not exist.",
    "SMTP 452 4.2.2: the recipient's mailbox is full.",
    "Could not connect to the mail server: connection timed out.",
    "SMTP 554 5.7.1: message rejected as spam.",
]


def new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def key_generator(seed: int, name: str) -> tuple[random.Random, uuid.UUID]:
    """The generator of a demo company's keys, and the company's key.

    Seeded by the seed and the name, so one seed and name give the same keys in any new
    database. If that company key is taken already (the same demo made twice in one database),
    the next generation of keys is used, so the second demo has books equal to the first
    under keys of its own.
    """
    for generation in itertools.count():
        rng = random.Random(f"partida-demo:{seed}:{name}:{generation}")
        key = new_uuid(rng)
        if not m.Company.objects.filter(pk=key).exists():
            return rng, key
    raise AssertionError("unreachable")


def money(cents: int) -> Decimal:
    """Whole cents as a Decimal with two places, as the database gives it back."""
    return Decimal(cents).scaleb(-2)


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def ledger_postings(
    kind: str, record, lines, counter_id, tax_codes: dict
) -> list[tuple[uuid.UUID, Decimal]]:
    """What ``partida.books.posting.postings`` posts, from records and lines held in memory.

    The same rules: debits positive, credits negative; each line posts its base to its account
    and its tax to its tax code's account, the invoice's withholding goes to the withholding's
    account, and ``counter_id`` (the bank, receivable or payable account) takes the total. A
    credit note posts reversed; a draft posts nothing. ``tax_codes``: key -> TaxCode.
    """
    if kind == "journal_entry":
        return [(line.account_id, line.debit - line.credit) for line in lines]
    if getattr(record, "draft", False):
        return []
    sales_side = kind in ("receipt", "sales_invoice")
    sign = -1 if sales_side else 1
    if getattr(record, "corrects_id", None):
        sign = -sign
    pairs = []
    for line in lines:
        pairs.append((line.account_id, sign * line_base(line, record.amounts_include_tax)))
        if line.tax_amount:
            pairs.append(
                (tax_account(tax_codes[line.tax_code_id], sales_side), sign * line.tax_amount)
            )
    withheld = getattr(record, "withholding_amount", ZERO)
    if withheld:
        pairs.append((tax_account(tax_codes[record.withholding_id], sales_side), sign * withheld))
    total = sum((amount for _account, amount in pairs), ZERO)
    return [(counter_id, -total)] + pairs


def tax_account(code: m.TaxCode, sales_side: bool) -> uuid.UUID:
    return code.sales_account_id if sales_side else code.purchase_account_id


LINE_PARENT = {
    "receipt": (m.ReceiptLine, "receipt"),
    "payment": (m.PaymentLine, "payment"),
    "sales_invoice": (m.SalesInvoiceLine, "invoice"),
    "purchase_invoice": (m.PurchaseInvoiceLine, "invoice"),
    "journal_entry": (m.JournalEntryLine, "entry"),
}

# Parents before children, so that a batch never refers to a row not yet written.
FLUSH_ORDER = [
    m.SalesInvoice,
    m.PurchaseInvoice,
    m.Receipt,
    m.Payment,
    m.JournalEntry,
    m.SalesInvoiceLine,
    m.PurchaseInvoiceLine,
    m.ReceiptLine,
    m.PaymentLine,
    m.JournalEntryLine,
    m.LedgerEntry,
    HistoryEntry,
    Attachment,
    Email,
    EmailAttachment,
]


# A row to insert without making a model instance, which takes most of the time otherwise:
# every concrete field's attname must be given (``insert_rows`` reads each one).
Row = SimpleNamespace


@contextmanager
def large_cache(kib: int = 256 * 1024):
    """On SQLite, a page cache of 256 MB while the demo is written, then the usual one.

    One transaction writes every row; with the default 2 MB cache SQLite keeps spilling pages
    of the growing indexes to the write-ahead log and reading them back.
    """
    connection = connections[router.db_for_write(m.LedgerEntry)]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (usual,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(usual)}")


def value_converter(field, connection) -> Callable:
    """What ``field.get_db_prep_save`` does to the values the generator makes, made quick.

    Keys are by far the most frequent values: they become hex text where the database has no
    UUID type (SQLite), as Django stores them. Text and integers pass as they are. Every other
    value goes through the field itself.
    """
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind == "UUIDField":
        if connection.features.has_native_uuid_field:
            return lambda value: value
        return lambda value: value.hex if value is not None else None
    if kind in {"CharField", "TextField", "BigIntegerField", "PositiveIntegerField"}:
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(model, objs: list) -> None:
    """``bulk_create`` for rows whose keys are set, in one ``executemany``.

    Each value is made ready as ``bulk_create`` would (see ``value_converter``), so the rows are
    the same on every database; skipping the query compiler, which splits a batch into
    statements of at most 999 values on SQLite, makes a large demo several times faster.
    No signals are sent, as with ``bulk_create``.
    """
    connection = connections[router.db_for_write(model)]
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    prepared = [(field.attname, value_converter(field, connection)) for field in fields]
    params = [[convert(getattr(obj, attname)) for attname, convert in prepared] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@dataclass(frozen=True)
class Ref:
    """What later stages need to know of a transaction: to attach files and send emails."""

    id: uuid.UUID
    date: datetime.date
    reference: str
    contact: int  # index of the customer or supplier, or -1
    total: Decimal = ZERO
    due_date: datetime.date | None = None


def check_demo_request(name: str, size: str) -> None:
    if not name.strip():
        raise ValidationError(gettext("Give the demo company a name."), code="name")
    if size not in SIZES:
        raise ValidationError(
            gettext("The size must be small, medium or large, not “%(size)s”."),
            code="size",
            params={"size": size},
        )


class DemoBuilder:
    def __init__(self, name: str, profile: Profile, seed: int, progress: Progress | None):
        self.name = name.strip()
        self.profile = profile
        self.seed = seed
        self.progress = progress or (lambda stage, done, total: None)
        self.rng = random.Random(seed)
        self.keys, self.company_id = key_generator(seed, self.name)
        distinct = {"invoice": profile.distinct_invoices, "scan": profile.distinct_scans}
        self.pool = FilePool(
            seed,
            distinct,
            store_blob_reporting,
            background=sum(distinct.values()) >= BACKGROUND_FILES,
        )
        self.buffers: dict[type, list] = {model: [] for model in FLUSH_ORDER}
        self.pending = 0
        self.refs: dict[str, list[Ref]] = {kind: [] for kind in LINE_PARENT}
        self.domain = f"{names.slug(self.name)}.es"
        self.team = [(person, f"{login}@{self.domain}") for person, login in names.TEAM]
        self.made = 0
        self.made_transactions = 0
        self.moved: defaultdict[tuple, Decimal] = defaultdict(lambda: ZERO)
        self.series: dict[str, int] = {}
        self.stage = ""
        self.stage_total = 0

    # Plumbing

    def uid(self) -> uuid.UUID:
        return new_uuid(self.keys)

    def add(self, obj, model=None) -> None:
        self.buffers[model or type(obj)].append(obj)
        self.pending += 1
        if self.pending >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        for model in FLUSH_ORDER:
            rows = self.buffers[model]
            if rows:
                insert_rows(model, rows)
                rows.clear()
        self.pending = 0

    def tick(self, step: int = 1) -> None:
        self.made += step
        if self.made % 250 == 0 or self.made == self.stage_total:
            self.progress(self.stage, self.made, self.stage_total)

    def start_stage(self, stage: str, total: int) -> None:
        self.stage, self.stage_total, self.made = stage, total, 0
        self.progress(stage, 0, total)

    def day(self) -> datetime.date:
        return self.rng.choice(WORKDAYS)

    def moment(self, day: datetime.date) -> datetime.datetime:
        minutes = self.rng.randrange(8 * 60, 19 * 60)
        return datetime.datetime(day.year, day.month, day.day, tzinfo=UTC) + datetime.timedelta(
            minutes=minutes, seconds=self.rng.randrange(60)
        )

    def user(self) -> tuple[str, str]:
        return self.rng.choice(self.team)

    def history(self, action, kind, record_id, before, after, at) -> None:
        user_name, user_email = self.user()
        self.add(
            Row(
                id=self.uid(),
                company_id=self.company_id,
                at=at,
                user_name=user_name,
                user_email=user_email,
                action=action,
                record_kind=kind,
                record_id=record_id,
                before=before,
                after=after,
            ),
            HistoryEntry,
        )

    def record_history(self, kind: str, record_id, final: dict, day: datetime.date) -> None:
        """A create, then some updates that end in ``final``; sometimes a deleted twin."""
        count = int(self.rng.random() * 2 * self.profile.updates_per_transaction + 0.5)
        versions = [final]
        for _ in range(count):
            versions.append(self.earlier(versions[-1]))
        versions.reverse()
        at = self.moment(day)
        self.history("create", kind, record_id, None, versions[0], at)
        for before, after in itertools.pairwise(versions):
            at += datetime.timedelta(minutes=self.rng.randrange(5, 60 * 24 * 10))
            self.history("update", kind, record_id, before, after, at)
        if self.rng.random() < self.profile.deleted_share:
            twin_id = self.uid()
            twin = {**versions[0], "id": str(twin_id)}
            at = self.moment(day)
            self.history("create", kind, twin_id, None, twin, at)
            at += datetime.timedelta(minutes=self.rng.randrange(1, 120))
            self.history("delete", kind, twin_id, twin, None, at)

    def earlier(self, version: dict) -> dict:
        """The record as it was before someone corrected one field."""
        before = dict(version)
        field = self.rng.choice(["description", "reference", "date"])
        if field == "date" and before.get("date"):
            day = datetime.date.fromisoformat(before["date"])
            before["date"] = (day - datetime.timedelta(days=self.rng.randrange(1, 4))).isoformat()
        elif field == "reference" and before.get("reference"):
            before["reference"] = ""
        else:
            before["description"] = (before.get("description") or "").rsplit(" ", 1)[0]
        return before

    # The company and its contacts

    def build_company(self) -> m.Company:
        company = m.Company.objects.create(
            id=self.company_id,
            name=self.name,
            base_currency="EUR",
            chart_language="es",
            created_at=CREATED_AT,
            # From a generator of their own, so the rest of the books stay as they were.
            **names.company_details(
                random.Random(f"partida-demo:{self.seed}:{self.name}:details"),
                self.name,
                self.domain,
            ),
        )
        accounts = [
            m.Account(id=self.uid(), company=company, code=code, kind=kind, role=role, name=name)
            for code, kind, role, name in default_chart("es")
        ]
        banks = [("Cuenta corriente", "bank"), ("Cuenta de ahorro", "bank"), ("Caja", "cash")]
        bank_accounts = []
        for offset, (bank_name, bank_kind) in enumerate(banks):
            account = m.Account(
                id=self.uid(),
                company=company,
                code=str(
                    bank_account_code_start("es", bank_kind)
                    + (offset if bank_kind == "bank" else 0)
                ),
                name=bank_name,
                kind=m.AccountKind.ASSET,
                role=m.AccountRole.BANK,
            )
            accounts.append(account)
            number = "" if bank_kind == "cash" else self.iban()
            bank_accounts.append(
                m.BankAccount(
                    id=self.uid(),
                    company=company,
                    name=bank_name,
                    kind=bank_kind,
                    number=number,
                    account=account,
                )
            )
        m.Account.objects.bulk_create(accounts)
        m.BankAccount.objects.bulk_create(bank_accounts)
        self.accounts = {account.code: account for account in accounts}
        self.bank, self.savings, self.cash = bank_accounts
        self.receivable_id = self.role_account(m.AccountRole.RECEIVABLE)
        self.payable_id = self.role_account(m.AccountRole.PAYABLE)
        self.build_tax_codes(company)
        self.company = company
        self.history("create", "company", company.id, None, snapshot(company), CREATED_AT)
        for bank_account in bank_accounts:
            self.history(
                "create", "bank_account", bank_account.id, None, snapshot(bank_account), CREATED_AT
            )
        return company

    def build_tax_codes(self, company: m.Company) -> None:
        """The tax codes a new company gets (``do_create_company``): IVA 21, 10, 4 and 0 %, and
        IRPF −15 %."""
        codes = [
            m.TaxCode(
                id=self.uid(),
                company=company,
                name=name,
                rate=rate,
                kind=kind,
                sales_account=self.accounts[sales_code],
                purchase_account=self.accounts[purchase_code],
            )
            for name, rate, kind, sales_code, purchase_code in default_tax_codes("es")
        ]
        m.TaxCode.objects.bulk_create(codes)
        self.tax_codes = {code.id: code for code in codes}
        self.vat = {int(code.rate): code for code in codes if code.kind == m.TaxKind.VAT}
        self.irpf = next(code for code in codes if code.kind == m.TaxKind.WITHHOLDING)

    def iban(self) -> str:
        digits = "".join(str(self.rng.randrange(10)) for _ in range(22))
        return f"ES{digits[:2]} {' '.join(digits[i : i + 4] for i in range(2, 22, 4))}"

    def role_account(self, role: str) -> uuid.UUID:
        return next(a.id for a in self.accounts.values() if a.role == role)

    def account(self, code: str) -> uuid.UUID:
        return self.accounts[code].id

    def build_contacts(self) -> None:
        taken: set[str] = set()
        self.customers = []
        for _ in range(self.profile.customers):
            data = names.customer(self.rng, taken)
            self.customers.append(m.Customer(id=self.uid(), company_id=self.company_id, **data))
        self.suppliers = []
        self.supplier_category = []
        categories = names.SUPPLIER_CATEGORIES
        for index in range(self.profile.suppliers):
            category = categories[index % len(categories)]
            if category[0] == names.PROFESSIONALS:
                data = names.professional(self.rng, taken)
            else:
                data = names.supplier(self.rng, taken, category[0])
            self.suppliers.append(m.Supplier(id=self.uid(), company_id=self.company_id, **data))
            self.supplier_category.append(category)
        landlord = {
            "name": names.unique(self.rng, taken, lambda r: f"Inmuebles {r.choice(names.SURNAMES)}")
            + " S.L.",
            "email": "",
            "tax_id": names.cif(self.rng, "B"),
            "address": names.address(self.rng),
        }
        landlord["email"] = f"alquileres@{names.slug(landlord['name'])}.es"
        self.landlord = len(self.suppliers)
        self.suppliers.append(m.Supplier(id=self.uid(), company_id=self.company_id, **landlord))
        self.supplier_category.append(None)
        # Bought from without an invoice of their own (a ticket paid at once): not professionals.
        self.shops = [
            index
            for index, category in enumerate(self.supplier_category)
            if category is not None and category[0] != names.PROFESSIONALS
        ]
        m.Customer.objects.bulk_create(self.customers)
        m.Supplier.objects.bulk_create(self.suppliers)
        for kind, contacts in (("customer", self.customers), ("supplier", self.suppliers)):
            for contact in contacts:
                day = self.rng.choice(WORKDAYS[:40])
                final = snapshot(contact)
                versions = [final]
                if self.rng.random() < 0.2:  # someone fixed the address or the email later
                    versions.insert(0, {**final, "email": "", "address": ""})
                at = self.moment(day)
                self.history("create", kind, contact.id, None, versions[0], at)
                if len(versions) == 2:
                    at += datetime.timedelta(days=self.rng.randrange(1, 200))
                    self.history("update", kind, contact.id, versions[0], versions[1], at)
        # A few customers buy most: weights that fall off with the rank.
        self.customer_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(self.customers)))
        )

    def pick_customer(self) -> int:
        return self.rng.choices(range(len(self.customers)), cum_weights=self.customer_weights, k=1)[
            0
        ]

    # Transactions

    def counter_account_id(self, kind: str, record) -> uuid.UUID | None:
        """The account that takes a transaction's total, as ``posting.counter_account_id``."""
        if kind in ("receipt", "payment"):
            return record.bank_account.account_id
        return {"sales_invoice": self.receivable_id, "purchase_invoice": self.payable_id}.get(kind)

    def transaction(self, kind: str, record, lines: list, updates: bool = True) -> Decimal:
        """Queue a transaction, its lines, ledger entries and history; return its total.

        ``updates``: the history may show the record corrected after it was made (not so for a
        closing entry, which is made once, on the day the year is closed).
        """
        record.id = self.uid()
        record.company_id = self.company_id
        line_model, parent = LINE_PARENT[kind]
        parent_attname = f"{parent}_id"
        for position, line in enumerate(lines):
            line.id = self.uid()
            line.company_id = self.company_id
            line.position = position
            setattr(line, parent_attname, record.id)
        self.add(record)
        for line in lines:
            self.add(line)
        counter = self.counter_account_id(kind, record)
        quarter = (record.date.year, quarter_of(record.date))
        for account_id, amount in ledger_postings(kind, record, lines, counter, self.tax_codes):
            if amount:
                self.add(
                    Row(
                        id=self.uid(),
                        company_id=self.company_id,
                        date=record.date,
                        account_id=account_id,
                        amount=amount,
                        source_kind=kind,
                        source_id=record.id,
                    ),
                    m.LedgerEntry,
                )
                self.moved[account_id, *quarter] += amount
        final = snapshot(record)
        skip = {"id", "position", parent_attname}
        final["lines"] = [
            {key: value for key, value in snapshot(line).items() if key not in skip}
            for line in lines
        ]
        if updates:
            self.record_history(kind, record.id, final, record.date)
        else:
            self.history("create", kind, record.id, None, final, CLOSED_AT)
        self.made_transactions += 1
        self.tick()
        if kind == "journal_entry":
            return sum((line.debit for line in lines), ZERO)
        return document_total(record, lines)

    def moved_in(self, code: str, quarters) -> Decimal:
        """What the transactions so far moved on an account in those (year, quarter)s."""
        account_id = self.account(code)
        return sum((self.moved[account_id, year, quarter] for year, quarter in quarters), ZERO)

    def taxed(self, line, rate: int | None, inclusive: bool = False):
        """The line with the IVA of ``rate`` per cent, worked out as ``posting.line_tax``."""
        if rate is not None:
            code = self.vat[rate]
            line.tax_code_id = code.id
            line.tax_amount = line_tax(line.amount, code.rate, inclusive)
        return line

    def money_line(
        self, model, code: str, cents: int, description: str, rate=None, inclusive=False
    ):
        line = model(account_id=self.account(code), amount=money(cents), description=description)
        return self.taxed(line, rate, inclusive)

    def invoice_line(
        self, model, code: str, description: str, quantity: int, price_cents: int, rate=None
    ):
        quantity_d = Decimal(quantity).quantize(Q4)
        price = money(price_cents).quantize(Q4)
        line = model(
            account_id=self.account(code),
            description=description,
            quantity=quantity_d,
            unit_price=price,
            amount=line_amount(quantity_d, price),
        )
        return self.taxed(line, rate)

    def journal(self, day, description, reference, lines: list[tuple[str, Decimal, Decimal]]):
        """A journal entry of (account code, debit, credit) lines; lines of nothing are left out."""
        entry = m.JournalEntry(date=day, description=description, reference=reference)
        self.transaction(
            "journal_entry",
            entry,
            [
                m.JournalEntryLine(
                    account_id=self.account(code),
                    description=description,
                    debit=debit,
                    credit=credit,
                )
                for code, debit, credit in lines
                if debit or credit
            ],
        )
        self.ref("journal_entry", Ref(entry.id, day, reference, -1))
        return entry

    def next_number(self, prefix: str, day: datetime.date) -> str:
        """The next number of the series of ``prefix`` and the day's year, as
        ``actions.next_invoice_number`` gives it; the counters are written at the end."""
        series = f"{prefix}{day.year}"
        self.series[series] = self.series.get(series, 0) + 1
        return f"{series}-{self.series[series]:04d}"

    def build_transactions(self) -> None:
        profile = self.profile
        n = profile.transactions
        scale = max(1, n // 300)
        self.start_stage(gettext("Transactions"), n)
        self.journal_entries(scale)
        # Shares of what the fixed monthly transactions leave, so a small demo keeps its mix.
        left = n - self.made_transactions - RECURRING_TRANSACTIONS - LATE_TRANSACTIONS
        self.sales_invoices(round(0.30 * left))
        self.purchase_invoices(round(0.11 * left))
        self.recurring(scale)
        for _ in range(max(0, n - self.made_transactions - LATE_TRANSACTIONS)):
            if self.rng.random() < 0.25:
                self.misc_receipt()
            else:
                self.misc_payment()
        late = self.settle_taxes() + self.close_savings_account() + self.close_first_year()
        for _ in range(LATE_TRANSACTIONS - late):
            self.transfer(self.rng.choice(WORKDAYS_OF_LAST_YEAR))
        m.InvoiceCounter.objects.bulk_create(
            m.InvoiceCounter(id=self.uid(), company=self.company, series=series, last_number=last)
            for series, last in sorted(self.series.items())
        )

    def ref(self, kind: str, ref: Ref) -> None:
        self.refs[kind].append(ref)

    def journal_entries(self, scale: int) -> None:
        bank, savings = self.bank.account.code, self.savings.account.code
        capital, loan, fixed = 40_000_00 * scale, 16_000_00 * scale, 36_000_00 * scale
        saved = 5_000_00 * scale
        self.journal(
            FIRST_DAY,
            "Asiento de apertura",
            "AS-0001",
            [
                ("217", money(fixed), ZERO),
                (bank, money(capital + loan - fixed - saved), ZERO),
                (savings, money(saved), ZERO),
                ("100", ZERO, money(capital)),
                ("170", ZERO, money(loan)),
            ],
        )
        self.entry_number = 2
        for year, month in MONTHS:
            amount = money(fixed // 120)
            self.journal(
                datetime.date(year, month, 28),
                f"Amortización del inmovilizado, {names.MONTHS[month - 1]} de {year}",
                self.entry_reference(),
                [("681", amount, ZERO), ("281", ZERO, amount)],
            )
        for _ in range(max(0, round(0.03 * self.profile.transactions) - 1 - len(MONTHS))):
            self.transfer(self.day())

    def entry_reference(self) -> str:
        reference = f"AS-{self.entry_number:04d}"
        self.entry_number += 1
        return reference

    def transfer(self, day: datetime.date) -> None:
        amount = money(self.rng.randrange(100_00, 1_000_00, 50_00))
        bank, cash = self.bank.account.code, self.cash.account.code
        self.journal(
            day,
            "Traspaso de banco a caja",
            self.entry_reference(),
            [(cash, amount, ZERO), (bank, ZERO, amount)],
        )

    def sales_line(self, customer):
        product, code, low, high, unit, rate = self.rng.choice(names.PRODUCTS)
        quantity = self.rng.randrange(1, 7)
        price = self.rng.randrange(low * 100, high * 100, 5)
        abroad = customer.tax_id.startswith("GB")  # a service abroad carries no Spanish IVA
        return self.invoice_line(
            m.SalesInvoiceLine, code, f"{product} ({unit})", quantity, price, 0 if abroad else rate
        )

    def sales_invoices(self, count: int) -> None:
        """Invoices numbered by series in date order, a few credit notes, some paid in part or
        not at all, and drafts at the end."""
        rng = self.rng
        notes = max(2, round(CREDIT_NOTE_SHARE * count))
        days = sorted(self.day() for _ in range(count - notes - DRAFTS))
        corrected = set(rng.sample(range(len(days)), notes))
        planned: list = []
        for index, day in enumerate(days):
            customer_index = self.pick_customer()
            customer = self.customers[customer_index]
            lines = [self.sales_line(customer) for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4]))]
            number = self.next_number(self.company.invoice_prefix, day)
            due = day + datetime.timedelta(days=rng.choice([0, 15, 30, 30, 30, 60]))
            invoice = m.SalesInvoice(
                date=day,
                description=f"Factura {number} a {customer.name}",
                reference=f"Pedido {rng.randrange(1000, 99999)}" if rng.random() < 0.3 else "",
                number=number,
                customer_id=customer.id,
                due_date=due,
            )
            total = self.transaction("sales_invoice", invoice, lines)
            self.ref("sales_invoice", Ref(invoice.id, day, number, customer_index, total, due))
            if index in corrected:
                total -= self.plan_credit_note(planned, invoice, lines)
            self.collect("receipt", invoice, total)
        self.credit_notes("sales_invoice", planned)
        for _ in range(DRAFTS):
            self.draft_invoice()

    def draft_invoice(self) -> None:
        customer = self.customers[self.pick_customer()]
        day = LAST_DAY - datetime.timedelta(days=self.rng.randrange(0, 10))
        lines = [self.sales_line(customer) for _ in range(self.rng.choice([1, 2]))]
        invoice = m.SalesInvoice(
            date=day,
            description=f"Borrador de factura a {customer.name}",
            customer_id=customer.id,
            due_date=day + datetime.timedelta(days=30),
            draft=True,
        )
        self.transaction("sales_invoice", invoice, lines)

    def plan_credit_note(self, planned: list, invoice, lines: list) -> Decimal:
        """Plan a credit note that returns one unit of a line of ``invoice``, a few days or weeks
        later; return its total (what the invoice's party is no longer owed)."""
        rng = self.rng
        day = min(LAST_DAY, invoice.date + datetime.timedelta(days=rng.randrange(2, 40)))
        line = rng.choice(lines)
        returned = type(line)(
            account_id=line.account_id,
            description=f"Devolución: {line.description}",
            quantity=Decimal(1).quantize(Q4),
            unit_price=line.unit_price,
            amount=line_amount(Decimal(1), line.unit_price),
            tax_code_id=line.tax_code_id,
        )
        if line.tax_code_id:
            rate = self.tax_codes[line.tax_code_id].rate
            returned.tax_amount = line_tax(returned.amount, rate, False)
        planned.append((day, invoice, returned))
        return returned.amount + returned.tax_amount + invoice_withholding(invoice, [returned])

    def credit_notes(self, kind: str, planned: list) -> None:
        """The planned credit notes, in date order (so that their numbers are)."""
        for day, invoice, returned in sorted(planned, key=lambda note: note[0]):
            note = self.credit_note(kind, invoice, day)
            if note.withholding_id:
                note.withholding_amount = invoice_withholding(note, [returned])
            self.transaction(kind, note, [returned])

    def credit_note(self, kind: str, invoice, day: datetime.date):
        if kind == "sales_invoice":
            number = self.next_number(self.company.credit_note_prefix, day)
            return m.SalesInvoice(
                date=day,
                description=f"Factura rectificativa {number} de la factura {invoice.number}",
                number=number,
                customer_id=invoice.customer_id,
                due_date=day,
                corrects_id=invoice.id,
            )
        return m.PurchaseInvoice(
            date=day,
            description=f"Abono de la factura {invoice.reference}",
            reference=f"{invoice.reference}-A",
            supplier_id=invoice.supplier_id,
            due_date=day,
            corrects_id=invoice.id,
            withholding=invoice.withholding,
        )

    def collect(self, kind: str, invoice, due: Decimal) -> None:
        """Most invoices are paid in full, on about their due date; some in part; the rest not
        yet (overdue once their due date has passed). The receipt or payment line is applied to
        the invoice: the receivable or payable account, and no tax of its own."""
        rng = self.rng
        roll = rng.random()
        day = max(invoice.date, invoice.due_date + datetime.timedelta(days=rng.randrange(-10, 25)))
        if due <= 0 or roll >= PAID_SHARE + PARTLY_PAID_SHARE or day > LAST_DAY:
            return
        part = roll >= PAID_SHARE
        if part:
            due = (due * rng.randrange(30, 71) / 100).quantize(CENT)
        label = getattr(invoice, "number", "") or invoice.reference
        if kind == "receipt":
            bank = self.cash if rng.random() < 0.1 else self.bank
            record = m.Receipt(bank_account=bank, customer_id=invoice.customer_id)
            line = m.ReceiptLine(account_id=self.receivable_id, invoice_id=invoice.id)
            what = "Cobro parcial" if part else "Cobro"
        else:
            record = m.Payment(bank_account=self.bank, supplier_id=invoice.supplier_id)
            line = m.PaymentLine(account_id=self.payable_id, invoice_id=invoice.id)
            what = "Pago parcial" if part else "Pago"
        record.date, record.reference = day, label
        record.description = f"{what} de la factura {label}"
        line.amount, line.description = due, f"Factura {label}"
        total = self.transaction(kind, record, [line])
        self.ref(kind, Ref(record.id, day, label, -1, total))

    def purchase_line(self, item):
        description, low, high, code, rate = item
        price = self.rng.randrange(low * 100, high * 100, 5)
        quantity = self.rng.randrange(1, 6)
        return self.invoice_line(m.PurchaseInvoiceLine, code, description, quantity, price, rate)

    def purchase_invoices(self, count: int) -> None:
        """Suppliers' invoices with IVA; a professional's also has IRPF withheld from its base."""
        rng = self.rng
        notes = max(1, round(PURCHASE_CREDIT_NOTE_SHARE * count))
        ordinary = [i for i, c in enumerate(self.supplier_category) if c is not None]
        corrected = set(rng.sample(range(count - notes), notes))
        planned: list = []
        for index in range(count - notes):
            day = self.day()
            supplier_index = rng.choice(ordinary)
            supplier = self.suppliers[supplier_index]
            category, items = self.supplier_category[supplier_index]
            reference = f"{names.slug(supplier.name)[:3].upper()}-{rng.randrange(1000, 99999)}"
            lines = [self.purchase_line(rng.choice(items)) for _ in range(rng.choice([1, 1, 2, 3]))]
            due = day + datetime.timedelta(days=rng.choice([0, 30, 30, 60]))
            invoice = m.PurchaseInvoice(
                date=day,
                description=f"{category}: factura {reference} de {supplier.name}",
                reference=reference,
                supplier_id=supplier.id,
                due_date=due,
            )
            if category == names.PROFESSIONALS:
                invoice.withholding = self.irpf
                invoice.withholding_amount = invoice_withholding(invoice, lines)
            total = self.transaction("purchase_invoice", invoice, lines)
            self.ref(
                "purchase_invoice", Ref(invoice.id, day, reference, supplier_index, total, due)
            )
            if index in corrected:
                total -= self.plan_credit_note(planned, invoice, lines)
            self.collect("payment", invoice, total)
        self.credit_notes("purchase_invoice", planned)

    def direct_payment(self, day, line, description, reference, supplier=-1, bank=None, **more):
        payment = m.Payment(
            date=day,
            description=description,
            reference=reference,
            bank_account=bank or self.bank,
            supplier_id=self.suppliers[supplier].id if supplier >= 0 else None,
            **more,
        )
        self.transaction("payment", payment, [line])
        self.ref("payment", Ref(payment.id, day, reference, supplier))

    def recurring(self, scale: int) -> None:
        """Each month's rent (with IVA), wages and bank charges. Wages and rent follow what the
        company sells, so that books of any size make a profit."""
        rng = self.rng
        sales = -self.moved_in("700", QUARTERS) - self.moved_in("705", QUARTERS)
        monthly = sales / len(MONTHS)
        rent_cents = int(monthly * 10) // 1000 * 1000  # a tenth, in whole tens of euros
        for year, month in MONTHS:
            if (year, month) == (YEAR, 1):
                rent_cents = rent_cents * 103 // 100  # the rent goes up with prices each year
            name = f"{names.MONTHS[month - 1]} de {year}"
            first = datetime.date(year, month, 1)
            while first.weekday() >= 5:
                first += datetime.timedelta(days=1)
            last = datetime.date(year, month, 28)
            rent = f"Alquiler del local, {name}"
            self.direct_payment(
                first,
                self.money_line(m.PaymentLine, "621", rent_cents, rent, rate=21),
                rent,
                f"ALQ-{year}-{month:02d}",
                supplier=self.landlord,
            )
            wages = f"Nóminas de {name}"
            cents = int(monthly * rng.randrange(36, 45))  # 36 to 44 % of the sales
            self.direct_payment(
                last,
                self.money_line(m.PaymentLine, "640", cents, wages),
                wages,
                f"NOM-{year}-{month:02d}",
            )
            charges = f"Comisiones bancarias, {name}"
            cents = rng.randrange(15_00, 60_00) * scale
            self.direct_payment(
                last,
                self.money_line(m.PaymentLine, "626", cents, charges),
                charges,
                f"COM-{year}-{month:02d}",
            )

    def settle_taxes(self) -> int:
        """Each quarter's IVA settled on its last day (477 and 472 into 4750), and paid with the
        IRPF withheld (modelos 303 and 111) on the 20th after it, when that is in the books.
        Returns how many transactions it made."""
        # Read before any settlement: a payment moves the account in the quarter after.
        due = [
            (
                year,
                quarter,
                -self.moved_in("477", [(year, quarter)]),
                self.moved_in("472", [(year, quarter)]),
                -self.moved_in("4751", [(year, quarter)]),
            )
            for year, quarter in QUARTERS
        ]
        made = 0
        for year, quarter, output, deductible, withheld in due:
            last = datetime.date(year, 3 * quarter, 30 if quarter in (2, 3) else 31)
            payable = output - deductible
            self.journal(
                last,
                f"Liquidación del IVA del {quarter}.º trimestre de {year}",
                self.entry_reference(),
                [
                    ("477", output, ZERO),
                    ("472", ZERO, deductible),
                    ("4750", max(-payable, ZERO), max(payable, ZERO)),
                ],
            )
            made += 1
            day = last + datetime.timedelta(days=20)
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            if day > LAST_DAY:
                continue
            for code, amount, form, what in (
                ("4750", payable, "303", "IVA"),
                ("4751", withheld, "111", "Retenciones de IRPF"),
            ):
                if amount <= 0:  # nothing to pay (IVA to carry over, or nothing withheld)
                    continue
                description = f"{what} del {quarter}.º trimestre de {year} (modelo {form})"
                line = m.PaymentLine(
                    account_id=self.account(code), amount=amount, description=description
                )
                self.direct_payment(day, line, description, f"{form}-{year}-{quarter}T")
                made += 1
        return made

    def close_savings_account(self) -> int:
        """The savings account is cancelled at the end of the first year: its balance goes to
        the current account, and its account is archived (kept, with its movements)."""
        savings = self.savings.account
        balance = self.moved_in(savings.code, QUARTERS)
        m.Account.objects.filter(pk=savings.pk).update(archived=True)
        if not balance:
            return 0
        self.journal(
            CLOSED_YEAR_END,
            "Cancelación de la cuenta de ahorro",
            self.entry_reference(),
            [(self.bank.account.code, balance, ZERO), (savings.code, ZERO, balance)],
        )
        return 1

    def close_first_year(self) -> int:
        """The closing entry ``actions.do_close_year`` makes: each income and expense
        account's balance over the year moved to 129, in code order; then the books are locked
        up to the year's last day."""
        closed = [(year, quarter) for year, quarter in QUARTERS if year == CLOSED_YEAR]
        balances = [
            (account.id, self.moved_in(code, closed))
            for code, account in sorted(self.accounts.items())
            if account.kind in (m.AccountKind.INCOME, m.AccountKind.EXPENSE)
        ]
        balances = [(account_id, balance) for account_id, balance in balances if balance]
        profit = -sum((balance for _account, balance in balances), ZERO)
        lines = [
            m.JournalEntryLine(
                account_id=account_id,
                debit=-balance if balance < 0 else ZERO,
                credit=balance if balance > 0 else ZERO,
            )
            for account_id, balance in balances
        ]
        lines.append(
            m.JournalEntryLine(
                account_id=self.account("129"),
                debit=-profit if profit < 0 else ZERO,
                credit=profit if profit > 0 else ZERO,
            )
        )
        entry = m.JournalEntry(
            date=CLOSED_YEAR_END,
            closes_year=True,
            description=f"Cierre del ejercicio {CLOSED_YEAR}",
        )
        self.transaction("journal_entry", entry, lines, updates=False)
        self.ref("journal_entry", Ref(entry.id, CLOSED_YEAR_END, "", -1))
        before = snapshot(self.company)
        self.company.lock_date = CLOSED_YEAR_END
        m.Company.objects.filter(pk=self.company.pk).update(lock_date=CLOSED_YEAR_END)
        self.history(
            "update", "company", self.company.pk, before, snapshot(self.company), CLOSED_AT
        )
        return 1

    def misc_receipt(self) -> None:
        """A counter sale in cash (a ticket: IVA included), interest on savings, or some other
        service invoiced on the spot."""
        rng = self.rng
        day = self.day()
        choice = rng.random()
        inclusive, rate = False, None
        if choice < 0.6:
            code, description, bank = "700", "Venta de mostrador", self.cash
            cents = rng.randrange(5_00, 300_00)
            inclusive, rate = True, 21
        elif choice < 0.9:
            bank = self.savings if day.year == CLOSED_YEAR else self.bank
            code, description = "769", f"Intereses de la {bank.name.lower()}"
            cents = rng.randrange(1_00, 90_00)
        else:
            code, description, bank = "759", "Cesión de espacio para un evento", self.bank
            cents = rng.randrange(500_00, 5_000_00)
            rate = 21
        receipt = m.Receipt(
            date=day, description=description, bank_account=bank, amounts_include_tax=inclusive
        )
        line = self.money_line(m.ReceiptLine, code, cents, description, rate, inclusive)
        self.transaction("receipt", receipt, [line])
        self.ref("receipt", Ref(receipt.id, day, "", -1))

    def misc_payment(self) -> None:
        """Something bought and paid at once, on a ticket with the IVA included."""
        rng = self.rng
        day = self.day()
        index = rng.choice(self.shops)
        _category, items = self.supplier_category[index]
        item, low, high, code, rate = rng.choice(items)
        cents = rng.randrange(low * 100, high * 100)
        bank = self.cash if cents < 100_00 and rng.random() < 0.5 else self.bank
        line = self.money_line(m.PaymentLine, code, cents, item, rate, inclusive=True)
        self.direct_payment(
            day, line, item, "", supplier=index, bank=bank, amounts_include_tax=True
        )

    # Files and emails

    def build_files_and_emails(self) -> None:
        profile = self.profile
        self.start_stage(gettext("Files and emails"), profile.attachments + profile.emails)
        rng = self.rng
        invoice_files: dict[uuid.UUID, object] = {}
        kinds = ["sales_invoice", "purchase_invoice", "receipt", "payment"]
        weights = [35, 35, 15, 15]
        for _ in range(profile.attachments):
            kind = rng.choices(kinds, weights)[0]
            if not self.refs[kind]:
                kind = "sales_invoice"
            target = rng.choice(self.refs[kind])
            if kind == "sales_invoice":
                demo_file = self.pool.take("invoice")
                invoice_files.setdefault(target.id, demo_file)
                filename = f"{target.reference}.pdf"
            else:
                pdf = kind == "purchase_invoice" and rng.random() < 0.5
                demo_file = self.pool.take("invoice" if pdf else "scan")
                stem = "factura" if kind == "purchase_invoice" else "justificante"
                filename = f"{stem}-{target.date.isoformat()}-{rng.randrange(1, 999):03d}"
                filename = f"{filename}.{demo_file.extension}"
            self.add(
                Attachment(
                    id=self.uid(),
                    company_id=self.company_id,
                    target_kind=kind,
                    target_id=target.id,
                    filename=filename,
                    content_type=demo_file.content_type,
                    size=demo_file.size,
                    sha256=demo_file.sha256,
                    uploaded_at=self.moment(target.date),
                )
            )
            self.tick()
        invoices = self.refs["sales_invoice"]
        sent = 0
        while sent < profile.emails and invoices:
            target = rng.choice(invoices)
            demo_file = invoice_files.get(target.id) or self.pool.take("invoice")
            invoice_files[target.id] = demo_file
            at = self.moment(target.date)
            failed = rng.random() < 0.04
            self.email(target, demo_file, at, failed)
            sent += 1
            self.tick()
            if failed and sent < profile.emails:  # sent again, and delivered, the next day
                self.email(target, demo_file, at + datetime.timedelta(days=1), False)
                sent += 1
                self.tick()

    def email(self, target: Ref, demo_file, at: datetime.datetime, failed: bool) -> None:
        customer = self.customers[target.contact]
        due = f"{target.due_date:%d/%m/%Y}" if target.due_date else ""
        total = format_money(target.total, "EUR", "es")
        email = Email(
            id=self.uid(),
            company_id=self.company_id,
            sent_at=at,
            from_address=f"facturacion@{self.domain}",
            to_addresses=customer.email,
            subject=f"Factura {target.reference} de {self.name}",
            body=(
                f"Estimado cliente:\n\nLe adjuntamos la factura {target.reference} por un "
                f"importe de {total}, con vencimiento el {due}.\n\n"
                f"Un saludo,\n{self.name}"
            ),
            about_kind="sales_invoice",
            about_id=target.id,
            status=Email.Status.FAILED if failed else Email.Status.SENT,
            error=self.rng.choice(FAILURES) if failed else "",
        )
        self.add(email)
        self.add(
            EmailAttachment(
                id=self.uid(),
                company_id=self.company_id,
                email_id=email.id,
                filename=f"{target.reference}.pdf",
                content_type=demo_file.content_type,
                size=demo_file.size,
                sha256=demo_file.sha256,
            )
        )

    def build(self) -> m.Company:
        with large_cache():
            company = self.build_company()
            self.build_contacts()
            self.build_transactions()
            self.build_files_and_emails()
            self.flush()
            rebuild_account_days(company.pk)  # the ledger was written directly, in bulk
        return company


def do_create_demo_company(
    name: str, size: str = "small", seed: int = 1, progress: Progress | None = None
) -> m.Company:
    """Create a demo company with a year of books; the same seed gives the same books.

    ``progress(stage, done, total)`` is called now and then on long work. Raises
    ValidationError for a blank name or an unknown size, and changes nothing then.
    """
    check_demo_request(name, size)
    builder = None
    try:
        with transaction.atomic():
            builder = DemoBuilder(name, SIZES[size], seed, progress)
            company = builder.build()
            company_created.send(sender=m.Company, company=company)
            return company
    except BaseException:
        if builder is not None and builder.pool.created:
            discard_new_blobs(builder.pool.created)
        raise
