"""Deterministic demo companies: a year of realistic books, emails, history and attachments.

``do_create_demo_company(name, size, seed)`` builds a company that looks used: customers and
suppliers, sales and purchase invoices and their receipts and payments, wages, rent, taxes,
journal entries, the emails that sent the invoices, the history of every change, and real PDF
and image files attached to transactions.

The same seed gives the same books. All content (names, dates, amounts, files) comes from
``random.Random(seed)``; the keys come from a second generator seeded by the seed *and the
company name*, so a demo made twice into one database gets new keys instead of colliding (see
``key_generator``). Timestamps are fixed in 2025; nothing reads the clock.

The generator skips the per-record actions, which would take hours for a large company, and
writes rows with ``bulk_create`` in batches. It computes the general ledger with the same rules as
``partida.books.posting.postings`` (see ``ledger_postings``), and the history's snapshots with
``partida.books.snapshot.snapshot``, so a demo company is indistinguishable from one typed in.
The whole company is made in one database transaction: an interrupted demo leaves nothing,
and the files it had stored are removed again.
"""

import datetime
import itertools
import random
import uuid
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
from partida.books.chart import bank_account_code_start, default_chart
from partida.books.numbers import format_money
from partida.books.posting import line_amount, rebuild_account_days
from partida.books.signals import company_created
from partida.books.snapshot import snapshot
from partida.demo import names
from partida.demo.files import FilePool
from partida.history.models import HistoryEntry
from partida.mail.models import Email, EmailAttachment

BATCH_SIZE = 5000
BACKGROUND_FILES = 100  # from this many distinct files, a helper process makes them
YEAR = 2025
UTC = datetime.UTC
CREATED_AT = datetime.datetime(YEAR, 1, 2, 9, 0, tzinfo=UTC)
Q4 = Decimal("0.0001")
ZERO = Decimal("0.00")
VAT_RATE = Decimal("0.21")

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

WORKDAYS = [
    day
    for day in (datetime.date(YEAR, 1, 1) + datetime.timedelta(n) for n in range(365))
    if day.weekday() < 5
]
LAST_DAY = datetime.date(YEAR, 12, 31)

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


def ledger_postings(
    kind: str, record, lines, receivable_id, payable_id
) -> list[tuple[uuid.UUID, Decimal]]:
    """What ``partida.books.posting.postings`` posts, from records and lines held in memory.

    The same sign rules: debits positive, credits negative, the bank, receivable or payable
    account takes the total and each line's account the line's amount.
    """
    if kind == "journal_entry":
        return [(line.account_id, line.debit - line.credit) for line in lines]
    total = sum((line.amount for line in lines), ZERO)
    if kind == "receipt":
        return [(record.bank_account.account_id, total)] + [
            (line.account_id, -line.amount) for line in lines
        ]
    if kind == "payment":
        return [(record.bank_account.account_id, -total)] + [
            (line.account_id, line.amount) for line in lines
        ]
    if kind == "sales_invoice":
        return [(receivable_id, total)] + [(line.account_id, -line.amount) for line in lines]
    if kind == "purchase_invoice":
        return [(payable_id, -total)] + [(line.account_id, line.amount) for line in lines]
    raise TypeError(f"{kind} does not post to the ledger")


LINE_PARENT = {
    "receipt": (m.ReceiptLine, "receipt"),
    "payment": (m.PaymentLine, "payment"),
    "sales_invoice": (m.SalesInvoiceLine, "invoice"),
    "purchase_invoice": (m.PurchaseInvoiceLine, "invoice"),
    "journal_entry": (m.JournalEntryLine, "entry"),
}

# Parents before children, so that a batch never refers to a row not yet written.
FLUSH_ORDER = [
    m.Receipt,
    m.Payment,
    m.SalesInvoice,
    m.PurchaseInvoice,
    m.JournalEntry,
    m.ReceiptLine,
    m.PaymentLine,
    m.SalesInvoiceLine,
    m.PurchaseInvoiceLine,
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
        self.history("create", "company", company.id, None, snapshot(company), CREATED_AT)
        for bank_account in bank_accounts:
            self.history(
                "create", "bank_account", bank_account.id, None, snapshot(bank_account), CREATED_AT
            )
        return company

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

    def transaction(self, kind: str, record, lines: list) -> Decimal:
        """Queue a transaction, its lines, ledger entries and history; return its total."""
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
        postings = ledger_postings(kind, record, lines, self.receivable_id, self.payable_id)
        for account_id, amount in postings:
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
        final = snapshot(record)
        skip = {"id", "position", parent_attname}
        final["lines"] = [
            {key: value for key, value in snapshot(line).items() if key not in skip}
            for line in lines
        ]
        self.record_history(kind, record.id, final, record.date)
        self.tick()
        if kind == "journal_entry":
            return sum((line.debit for line in lines), ZERO)
        return sum((line.amount for line in lines), ZERO)

    def money_line(self, model, code: str, cents: int, description: str):
        return model(account_id=self.account(code), amount=money(cents), description=description)

    def invoice_line(self, model, code: str, description: str, quantity: int, price_cents: int):
        quantity_d = Decimal(quantity).quantize(Q4)
        price = money(price_cents).quantize(Q4)
        return model(
            account_id=self.account(code),
            description=description,
            quantity=quantity_d,
            unit_price=price,
            amount=line_amount(quantity_d, price),
        )

    def journal(self, day, description, reference, lines: list[tuple[str, int, int]]):
        entry = m.JournalEntry(date=day, description=description, reference=reference)
        self.transaction(
            "journal_entry",
            entry,
            [
                m.JournalEntryLine(
                    account_id=self.account(code),
                    description=description,
                    debit=money(debit),
                    credit=money(credit),
                )
                for code, debit, credit in lines
            ],
        )
        return entry

    def build_transactions(self) -> None:
        profile = self.profile
        rng = self.rng
        n = profile.transactions
        scale = max(1, n // 300)
        self.start_stage(gettext("Transactions"), n)
        self.journal_entries(scale)
        vat_by_quarter = self.sales_invoices(round(0.30 * n))
        self.purchase_invoices(round(0.11 * n))
        self.recurring(scale, vat_by_quarter)
        remaining = n - sum(len(refs) for refs in self.refs.values())
        for _ in range(max(0, remaining)):
            if rng.random() < 0.25:
                self.misc_receipt()
            else:
                self.misc_payment()

    def ref(self, kind: str, ref: Ref) -> None:
        self.refs[kind].append(ref)

    def journal_entries(self, scale: int) -> None:
        start = datetime.date(YEAR, 1, 1)
        bank, cash = self.bank.account.code, self.cash.account.code
        capital, loan, fixed = 40_000_00 * scale, 16_000_00 * scale, 36_000_00 * scale
        entry = self.journal(
            start,
            "Asiento de apertura",
            "AS-0001",
            [
                ("217", fixed, 0),
                (bank, capital + loan - fixed, 0),
                ("100", 0, capital),
                ("520", 0, loan),
            ],
        )
        self.ref("journal_entry", Ref(entry.id, start, "AS-0001", -1))
        number = 2
        for month in range(1, 13):
            day = datetime.date(YEAR, month, 28)
            reference = f"AS-{number:04d}"
            amount = fixed // 120
            entry = self.journal(
                day,
                f"Amortización del inmovilizado, {names.MONTHS[month - 1]}",
                reference,
                [("629", amount, 0), ("217", 0, amount)],
            )
            self.ref("journal_entry", Ref(entry.id, day, reference, -1))
            number += 1
        for _ in range(max(0, round(0.03 * self.profile.transactions) - 13)):
            day = self.day()
            reference = f"AS-{number:04d}"
            amount = self.rng.randrange(100_00, 1_000_00, 50_00)
            entry = self.journal(
                day, "Traspaso de banco a caja", reference, [(cash, amount, 0), (bank, 0, amount)]
            )
            self.ref("journal_entry", Ref(entry.id, day, reference, -1))
            number += 1

    def sales_invoices(self, count: int) -> dict[int, int]:
        rng = self.rng
        days = sorted(self.day() for _ in range(count))
        vat_by_quarter: dict[int, int] = {}
        for number, day in enumerate(days, start=1):
            customer_index = self.pick_customer()
            customer = self.customers[customer_index]
            reference = f"F{YEAR}-{number:05d}"
            lines = []
            base_cents = 0
            for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
                product, code, low, high, unit = rng.choice(names.PRODUCTS)
                quantity = rng.randrange(1, 7)
                price = rng.randrange(low * 100, high * 100, 5)
                base_cents += quantity * price
                lines.append(
                    self.invoice_line(
                        m.SalesInvoiceLine, code, f"{product} ({unit})", quantity, price
                    )
                )
            abroad = customer.tax_id.startswith("GB")
            if not abroad:
                vat = (Decimal(base_cents) * VAT_RATE).quantize(Decimal(1))
                lines.append(self.invoice_line(m.SalesInvoiceLine, "477", "IVA 21%", 1, int(vat)))
                quarter = (day.month - 1) // 3 + 1
                vat_by_quarter[quarter] = vat_by_quarter.get(quarter, 0) + int(vat)
            due = day + datetime.timedelta(days=rng.choice([0, 15, 30, 30, 30, 60]))
            invoice = m.SalesInvoice(
                date=day,
                description=f"Factura {reference} a {customer.name}",
                reference=reference,
                customer_id=customer.id,
                due_date=due,
            )
            total = self.transaction("sales_invoice", invoice, lines)
            self.ref("sales_invoice", Ref(invoice.id, day, reference, customer_index, total, due))
            if rng.random() < 0.9:
                paid = due + datetime.timedelta(days=rng.randrange(-10, 25))
                paid = max(paid, day)
                if paid <= LAST_DAY:
                    self.receipt_for(invoice, customer, customer_index, reference, total, paid)
        return vat_by_quarter

    def receipt_for(self, invoice, customer, customer_index, reference, total, day) -> None:
        bank = self.cash if self.rng.random() < 0.1 else self.bank
        receipt = m.Receipt(
            date=day,
            description=f"Cobro de la factura {reference}",
            reference=reference,
            bank_account=bank,
            customer_id=customer.id,
        )
        line = m.ReceiptLine(
            account_id=self.receivable_id, amount=total, description=f"Factura {reference}"
        )
        self.transaction("receipt", receipt, [line])
        self.ref("receipt", Ref(receipt.id, day, reference, customer_index, total))

    def purchase_invoices(self, count: int) -> None:
        rng = self.rng
        ordinary = [i for i, c in enumerate(self.supplier_category) if c is not None]
        for _ in range(count):
            day = self.day()
            supplier_index = rng.choice(ordinary)
            supplier = self.suppliers[supplier_index]
            category, code, items = self.supplier_category[supplier_index]
            reference = f"{names.slug(supplier.name)[:3].upper()}-{rng.randrange(1000, 99999)}"
            lines = []
            for _ in range(rng.choice([1, 1, 2, 3])):
                item, low, high = rng.choice(items)
                quantity = rng.randrange(1, 6)
                lines.append(
                    self.invoice_line(
                        m.PurchaseInvoiceLine,
                        code,
                        item,
                        quantity,
                        rng.randrange(low * 100, high * 100, 5),
                    )
                )
            due = day + datetime.timedelta(days=rng.choice([0, 30, 30, 60]))
            invoice = m.PurchaseInvoice(
                date=day,
                description=f"{category}: factura {reference} de {supplier.name}",
                reference=reference,
                supplier_id=supplier.id,
                due_date=due,
            )
            total = self.transaction("purchase_invoice", invoice, lines)
            self.ref(
                "purchase_invoice", Ref(invoice.id, day, reference, supplier_index, total, due)
            )
            if rng.random() < 0.92:
                paid = max(day, due + datetime.timedelta(days=rng.randrange(-5, 10)))
                if paid <= LAST_DAY:
                    payment = m.Payment(
                        date=paid,
                        description=f"Pago de la factura {reference}",
                        reference=reference,
                        bank_account=self.bank,
                        supplier_id=supplier.id,
                    )
                    line = m.PaymentLine(
                        account_id=self.payable_id,
                        amount=total,
                        description=f"Factura {reference}",
                    )
                    self.transaction("payment", payment, [line])
                    self.ref("payment", Ref(payment.id, paid, reference, supplier_index, total))

    def direct_payment(self, day, code, cents, description, reference, supplier=-1, bank=None):
        payment = m.Payment(
            date=day,
            description=description,
            reference=reference,
            bank_account=bank or self.bank,
            supplier_id=self.suppliers[supplier].id if supplier >= 0 else None,
        )
        self.transaction(
            "payment", payment, [self.money_line(m.PaymentLine, code, cents, description)]
        )
        self.ref("payment", Ref(payment.id, day, reference, supplier))

    def recurring(self, scale: int, vat_by_quarter: dict[int, int]) -> None:
        rng = self.rng
        for month in range(1, 13):
            name = names.MONTHS[month - 1]
            first = datetime.date(YEAR, month, 1)
            while first.weekday() >= 5:
                first += datetime.timedelta(days=1)
            last = datetime.date(YEAR, month, 28)
            self.direct_payment(
                first, "621", 1_450_00 * scale, f"Alquiler del local, {name}",
                f"ALQ-{month:02d}", supplier=self.landlord,
            )  # fmt: skip
            wages = rng.randrange(8_000_00, 9_500_00) * scale
            self.direct_payment(last, "640", wages, f"Nóminas de {name}", f"NOM-{month:02d}")
            charges = rng.randrange(15_00, 60_00) * scale
            self.direct_payment(
                last, "626", charges, f"Comisiones bancarias, {name}", f"COM-{month:02d}"
            )
        for quarter in (1, 2, 3):
            day = datetime.date(YEAR, quarter * 3 + 1, 20)
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            vat = vat_by_quarter.get(quarter, 0)
            if vat:
                self.direct_payment(
                    day, "477", vat, f"IVA del {quarter}.º trimestre", f"303-{quarter}T"
                )

    def misc_receipt(self) -> None:
        rng = self.rng
        day = self.day()
        choice = rng.random()
        if choice < 0.6:
            code, description, bank = "700", "Venta de mostrador", self.cash
            cents = rng.randrange(5_00, 300_00)
        elif choice < 0.9:
            code, description, bank = "759", "Intereses de la cuenta de ahorro", self.savings
            cents = rng.randrange(1_00, 90_00)
        else:
            code, description, bank = "759", "Subvención", self.bank
            cents = rng.randrange(500_00, 5_000_00)
        receipt = m.Receipt(date=day, description=description, bank_account=bank)
        self.transaction(
            "receipt", receipt, [self.money_line(m.ReceiptLine, code, cents, description)]
        )
        self.ref("receipt", Ref(receipt.id, day, "", -1))

    def misc_payment(self) -> None:
        rng = self.rng
        day = self.day()
        index = rng.randrange(len(self.suppliers) - 1)
        category = self.supplier_category[index]
        _category_name, code, items = category
        item, low, high = rng.choice(items)
        cents = rng.randrange(low * 100, high * 100)
        bank = self.cash if cents < 100_00 and rng.random() < 0.5 else self.bank
        self.direct_payment(day, code, cents, item, "", supplier=index, bank=bank)

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
