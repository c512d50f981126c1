"""A test-side writer of Manager.io business files (``.manager`` and ``.manager.tar``).

Written from ``/work/shared/reference/manager-format.md`` alone, independently of the product's
reader: nothing here imports from ``partida``. The product's reader is tested against files
made here, and against the figures :meth:`Business.expected` computes by this module's own
arithmetic from the invented data (never by reading a file back).

Encoding (§3): protobuf-net's wire format by hand, with the "bcl" messages for ``Guid``,
``decimal`` and ``DateTime``. Layout (§2): the five ``WITHOUT ROWID`` tables. Posting (§7):
the rules of the spec, re-implemented here.

Values passed to :func:`encode_message` (and so to :meth:`Business.object`) are typed by their
Python type: ``bool``/``int`` → varint, ``str`` → UTF-8, ``bytes`` → bytes, ``uuid.UUID`` →
bcl.Guid, ``Decimal`` → bcl.Decimal, ``datetime.date``/``datetime.datetime`` → bcl.DateTime,
``dict`` → a sub-message, ``list`` → the field repeated. ``None`` and a non-nullable default are
not written; wrap a value in :class:`Nullable` to write it even when it is a default (``Guid?``,
``decimal?``, ``int?``). :class:`Raw`, :class:`Fixed64`, :class:`Fixed32` and :class:`SInt`
give exact control for hostile tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import random
import sqlite3
import struct
import tarfile
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Any

UUID = uuid.UUID
EMPTY_GUID = uuid.UUID(int=0)
SCHEMA_VERSION = 419
# DateTime.MinValue: the date of every starting balance (§7.4).
MIN_DATE = dt.date.min

# ---------------------------------------------------------------------------------------------
# Keys of built-in accounts and balance-sheet roots (§5.2, §5.3)

AR = uuid.UUID("d1489e95-bb28-4f5d-b42e-67d3291b3893")
AP = uuid.UUID("dac7ba37-0ccd-45e5-906e-548e6c50df37")
CASH = uuid.UUID("6d4af96a-0959-4bb2-9160-fa825ec67c43")
TAX_PAYABLE = uuid.UUID("30c697fa-4196-438a-ab5a-1957478034b1")
RETAINED = uuid.UUID("74dfd025-d68e-4a99-9c78-5d43e17c0e09")
SUSPENSE = uuid.UUID("11211c9e-0988-4d16-8bf2-fa39487123aa")
TRANSFERS = uuid.UUID("b300e679-cf46-4c99-bef0-cfa5cb3e0271")
ROUNDING = uuid.UUID("2aa99eac-faca-4017-a157-edbbbcb160ac")
ASSETS = uuid.UUID("4c05c221-ca57-4c7c-be62-115669302ed4")
LIABILITIES = uuid.UUID("ed5a19f6-12c5-45cc-b4b7-4e79f7ef50bc")
EQUITY = uuid.UUID("9275ff4c-4cff-41d0-b7b5-f31c783f03d8")
# Default P&L groups of the built-in P&L accounts (§5.2).
INCOME_GROUP = uuid.UUID("95713fac-30d3-42e4-b536-dd7bc4f7a80e")
EXPENSES_GROUP = uuid.UUID("fd003045-876e-439e-b923-1904453f5c30")

BUILTIN_BALANCE_SHEET = {AR, AP, CASH, TAX_PAYABLE, RETAINED, SUSPENSE, TRANSFERS}
ROOTS = {ASSETS, LIABILITIES, EQUITY}

# ---------------------------------------------------------------------------------------------
# Content types (appendix) of the classes this writer builds

CLASSES: dict[str, uuid.UUID] = {
    name: uuid.UUID(text)
    for name, text in {
        "Schema": "a9a71e47-82b3-49db-8aec-898adb460a80",
        "BusinessDetails": "38cf4712-6e95-4ce1-b53a-bff03edad273",
        "BaseCurrency": "39dde4fc-7af8-44cc-8572-3b1ff4cfb918",
        "BalanceSheetGroup": "c03d1921-7a45-4eda-8742-a2d9082dcf4f",
        "ProfitAndLossStatementGroup": "5770616c-0e01-46ca-a172-f7042275da6c",
        "BalanceSheetAccount": "6ef13e42-ad89-4d42-9480-546e0c04a411",
        "ProfitAndLossStatementAccount": "26b9e4a5-ce10-4f30-94c7-23a1ca4428f9",
        "BankOrCashAccount": "1408c33b-6284-4f50-9e31-48cbea21f3cf",
        "Customer": "ec37c11e-2b67-49c6-8a58-6eccb7dd75ee",
        "Supplier": "6d2dc48d-2053-4e45-8330-285ebd431242",
        "TaxCode": "7f368d97-8b7f-4b39-b156-dc66afd9496a",
        "SalesInvoice": "ad12b60b-23bf-4421-94df-8be79cef533e",
        "CreditNote": "245e5943-0092-409d-96ae-e2ee10eac75b",
        "PurchaseInvoice": "58b9eb90-f6b8-4abc-8ea1-12fd77b8336e",
        "DebitNote": "274fc6d0-2eac-43d0-8286-79c856e644aa",
        "Receipt": "7662b887-c8d8-486e-98fd-f9dbcd41c6dc",
        "Payment": "79f99d26-e43a-4ecb-a9c9-0774601a9b2e",
        "InterAccountTransfer": "dea4f923-c498-4504-b3ef-30be3c33175e",
        "JournalEntry": "5ea52bc4-90ae-4e4a-aec4-ef1224b279ad",
        "BankOrCashAccountStartingBalance": "0c1000da-6cc3-4448-8245-6f1eeccab8d6",
        "SalesInvoiceStartingBalance": "f71f59af-dbab-492f-83a8-6c0157360be8",
        "PurchaseInvoiceStartingBalance": "e9333683-ea93-4949-99f3-28e60278b68d",
        "BalanceSheetAccountStartingBalance": "db53bb26-6d7d-4170-8373-7d09f9638960",
        "Attachment": "2e541a82-94d7-42fc-a388-26bdc0803455",
        "Equity": "9275ff4c-4cff-41d0-b7b5-f31c783f03d8",
    }.items()
}
SCHEMA = CLASSES["Schema"]

# ---------------------------------------------------------------------------------------------
# Protobuf-net encoding (§3)

U64 = (1 << 64) - 1
TICKS_PER_SECOND = 10_000_000
TICKS_PER_DAY = 86_400 * TICKS_PER_SECOND
UNIX_EPOCH_TICKS = 621_355_968_000_000_000
# bcl.DateTime / TimeSpan scales: (scale code, ticks per unit), largest unit first (§3.4).
_SCALES = [
    (0, TICKS_PER_DAY),
    (1, 3600 * TICKS_PER_SECOND),
    (2, 60 * TICKS_PER_SECOND),
    (3, TICKS_PER_SECOND),
    (4, 10_000),
    (5, 1),
]


@dataclass(frozen=True)
class Nullable:
    """A nullable member (``Guid?``, ``decimal?``, ``int?``…) that has a value: written even
    when the value is a default (an empty ``Guid?`` is a zero-length sub-message)."""

    value: Any


@dataclass(frozen=True)
class Raw:
    """A length-delimited field whose payload is given as bytes, already encoded."""

    payload: bytes


@dataclass(frozen=True)
class Fixed64:
    value: int


@dataclass(frozen=True)
class Fixed32:
    value: int


@dataclass(frozen=True)
class SInt:
    """A zigzag-encoded varint (sint32/sint64)."""

    value: int


def varint(n: int) -> bytes:
    """Base-128 varint; a negative number takes 10 bytes (64-bit two's complement)."""
    if n < 0:
        n &= U64
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def zigzag(n: int) -> int:
    return n << 1 if n >= 0 else ((-n) << 1) - 1


def field_key(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def length_delimited(number: int, payload: bytes) -> bytes:
    return field_key(number, 2) + varint(len(payload)) + payload


def encode_guid(value: uuid.UUID) -> bytes:
    """bcl.Guid (§3.2): two fixed64 halves of ``Guid.ToByteArray()``; Guid.Empty is empty."""
    if value == EMPTY_GUID:
        return b""
    raw = value.bytes_le
    return field_key(1, 1) + raw[:8] + field_key(2, 1) + raw[8:]


def encode_decimal(value: Decimal) -> bytes:
    """bcl.Decimal (§3.3): low 64 bits, high 32 bits, signScale; zero parts omitted."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be Decimal, not {type(value).__name__}")
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"{value} has no .NET decimal form")
    coefficient = int("".join(map(str, digits)) or "0")
    if exponent > 0:
        coefficient *= 10**exponent
        exponent = 0
    scale = -exponent
    if scale > 28 or coefficient >= 1 << 96:
        raise ValueError(f"{value} does not fit a .NET decimal")
    if coefficient == 0:
        sign = 0
    low, high, sign_scale = coefficient & U64, coefficient >> 64, scale << 1 | sign
    out = b""
    if low:
        out += field_key(1, 0) + varint(low)
    if high:
        out += field_key(2, 0) + varint(high)
    if sign_scale:
        out += field_key(3, 0) + varint(sign_scale)
    return out


def encode_datetime(value: dt.date) -> bytes:
    """bcl.DateTime (§3.4): zigzag count of the largest exact unit since 1970-01-01, kind-less.
    ``datetime.date.min`` (or ``datetime.min``) is DateTime.MinValue. An aware datetime is
    converted to UTC; a naive one is taken as it is."""
    if value in (dt.date.min, dt.datetime.min):
        return field_key(1, 0) + varint(zigzag(-1)) + field_key(2, 0) + varint(15)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        ticks = (value - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1) * 10
    else:
        ticks = (value - dt.date(1970, 1, 1)).days * TICKS_PER_DAY
    scale, count = 5, ticks
    for scale, unit in _SCALES:  # noqa: B007 (the matching scale is kept)
        if ticks % unit == 0:
            count = ticks // unit
            break
    out = b""
    if count:
        out += field_key(1, 0) + varint(zigzag(count))
    if scale:
        out += field_key(2, 0) + varint(scale)
    return out


def _is_default(value: Any) -> bool:
    if isinstance(value, bool | int):
        return value == 0
    if isinstance(value, str | bytes | bytearray):
        return len(value) == 0
    if isinstance(value, uuid.UUID):
        return value == EMPTY_GUID
    if isinstance(value, Decimal):
        return value == 0
    if isinstance(value, dt.date):
        return value in (dt.date.min, dt.datetime.min)
    return False


def _encode_value(number: int, value: Any) -> bytes:
    if isinstance(value, bool):
        return field_key(number, 0) + varint(int(value))
    if isinstance(value, int):
        return field_key(number, 0) + varint(value)
    if isinstance(value, float):
        raise TypeError("floats are not written: use Decimal")
    if isinstance(value, str):
        return length_delimited(number, value.encode("utf-8"))
    if isinstance(value, bytes | bytearray):
        return length_delimited(number, bytes(value))
    if isinstance(value, uuid.UUID):
        return length_delimited(number, encode_guid(value))
    if isinstance(value, Decimal):
        return length_delimited(number, encode_decimal(value))
    if isinstance(value, dt.date):
        return length_delimited(number, encode_datetime(value))
    if isinstance(value, dict):
        return length_delimited(number, encode_message(value))
    if isinstance(value, Raw):
        return length_delimited(number, value.payload)
    if isinstance(value, Fixed64):
        return field_key(number, 1) + struct.pack("<Q", value.value & U64)
    if isinstance(value, Fixed32):
        return field_key(number, 5) + struct.pack("<I", value.value & 0xFFFFFFFF)
    if isinstance(value, SInt):
        return field_key(number, 0) + varint(zigzag(value.value))
    if isinstance(value, Nullable):
        return _encode_value(number, value.value)
    raise TypeError(f"cannot encode {value!r}")


def encode_field(number: int, value: Any) -> bytes:
    """One member: nothing for None or a non-nullable default, every element of a list."""
    if value is None:
        return b""
    if isinstance(value, list | tuple):
        return b"".join(_encode_value(number, element) for element in value)
    if isinstance(value, Nullable):
        return b"" if value.value is None else _encode_value(number, value.value)
    if _is_default(value):
        return b""
    return _encode_value(number, value)


def encode_message(fields: dict[int, Any]) -> bytes:
    """A message from ``{field number: value}``, fields in ascending number order."""
    return b"".join(encode_field(number, fields[number]) for number in sorted(fields))


def ticks(when: dt.datetime) -> int:
    """.NET ticks (100 ns since 0001-01-01 UTC); a naive datetime is taken as UTC."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return (when - dt.datetime(1, 1, 1)) // dt.timedelta(microseconds=1) * 10


# ---------------------------------------------------------------------------------------------
# SQLite layout (§2)

DDL = [
    'CREATE TABLE IF NOT EXISTS "Objects" ("Key" TEXT PRIMARY KEY, "ContentType" TEXT, '
    '"Content" BLOB, "Timestamp" INTEGER) WITHOUT ROWID',
    'CREATE INDEX IF NOT EXISTS "ix_Objects_ContentType" ON "Objects" ("ContentType")',
    'CREATE TABLE IF NOT EXISTS "Blobs" ("Key" TEXT PRIMARY KEY, "Name" TEXT, '
    '"ContentType" TEXT, "Content" BLOB) WITHOUT ROWID',
    'CREATE TABLE IF NOT EXISTS "Changes" ("Key" TEXT PRIMARY KEY, "Commit" TEXT, "Object" TEXT, '
    '"User" TEXT, "Timestamp" INTEGER, "ContentTypeBefore" TEXT, "ContentTypeAfter" TEXT, '
    '"ContentBefore" BLOB, "ContentAfter" BLOB) WITHOUT ROWID',
    *(
        f'CREATE INDEX IF NOT EXISTS "ix_Changes_{column}" ON "Changes" ("{column}")'
        for column in (
            "Commit",
            "Object",
            "User",
            "Timestamp",
            "ContentTypeBefore",
            "ContentTypeAfter",
        )
    ),
    'CREATE TABLE IF NOT EXISTS "Emails" ("Key" TEXT PRIMARY KEY, "Object" TEXT, "Sender" TEXT, '
    '"Recipient" TEXT, "Subject" TEXT, "Body" TEXT, "Content" TEXT, "Filename" TEXT, '
    '"Timestamp" INTEGER, "Seen" INTEGER, "User" TEXT) WITHOUT ROWID',
    *(
        f'CREATE INDEX IF NOT EXISTS "ix_Emails_{column}" ON "Emails" ("{column}")'
        for column in ("Object", "Timestamp", "User")
    ),
    'CREATE TABLE IF NOT EXISTS "Images" ("Key" TEXT PRIMARY KEY, "ContentType" TEXT, '
    '"Content" BLOB, "Timestamp" INTEGER) WITHOUT ROWID',
]
TABLES = ("Objects", "Blobs", "Changes", "Emails", "Images")
INDEXES = (
    "ix_Objects_ContentType",
    *(
        f"ix_Changes_{c}"
        for c in ("Commit", "Object", "User", "Timestamp", "ContentTypeBefore", "ContentTypeAfter")
    ),
    "ix_Emails_Object",
    "ix_Emails_Timestamp",
    "ix_Emails_User",
)


def _text(value: uuid.UUID | str | None) -> str | None:
    """GUID column text: .NET ``Guid.ToString()`` (lowercase, hyphenated); strings as given."""
    if value is None:
        return None
    return str(value)


# ---------------------------------------------------------------------------------------------
# Document lines


def _money(value: Any) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must be Decimal, not float")
    return value if isinstance(value, Decimal) else Decimal(value)


@dataclass
class Line:
    """A line of an invoice, note, receipt or payment.

    ``amount`` is the unit price (invoices, notes) or the amount (receipts, payments);
    ``unit_price`` is an alias that wins when given. ``customer``/``supplier``/``invoice`` are
    the sub-ledger fields of a line on Accounts receivable/payable (receipts, payments);
    ``transfer_account`` is a receipt's or payment's ``InterAccountTransferAccount``."""

    account: uuid.UUID | None = None
    amount: Decimal = Decimal(0)
    qty: Decimal | None = None
    tax_code: uuid.UUID | None = None
    description: str = ""
    discount_percentage: Decimal = Decimal(0)
    discount_amount: Decimal = Decimal(0)
    customer: uuid.UUID | None = None
    supplier: uuid.UUID | None = None
    invoice: uuid.UUID | None = None
    transfer_account: uuid.UUID | None = None
    unit_price: Decimal | None = None

    def __post_init__(self) -> None:
        self.amount = _money(self.amount)
        if self.unit_price is not None:
            self.unit_price = _money(self.unit_price)
        if self.qty is not None:
            self.qty = _money(self.qty)
        self.discount_percentage = _money(self.discount_percentage)
        self.discount_amount = _money(self.discount_amount)

    @property
    def price(self) -> Decimal:
        return self.unit_price if self.unit_price is not None else self.amount


@dataclass
class JournalLine:
    account: uuid.UUID | None
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    tax_code: uuid.UUID | None = None
    customer: uuid.UUID | None = None
    supplier: uuid.UUID | None = None
    invoice: uuid.UUID | None = None
    bank: uuid.UUID | None = None
    description: str = ""

    def __post_init__(self) -> None:
        self.debit = _money(self.debit)
        self.credit = _money(self.credit)


@dataclass(frozen=True)
class LedgerLine:
    """One general-ledger line (§6): positive = debit. ``customer``/``supplier``/``bank``/
    ``invoice`` are set on sub-ledger lines only (receivable, payable, cash at bank, transfers).
    ``document`` is the key of the object that posted it."""

    date: dt.date
    account: uuid.UUID
    amount: Decimal
    customer: uuid.UUID | None = None
    supplier: uuid.UUID | None = None
    bank: uuid.UUID | None = None
    invoice: uuid.UUID | None = None
    document: uuid.UUID | None = None


@dataclass
class _Doc:
    kind: str
    key: uuid.UUID
    date: dt.date
    lines: list[Any] = field(default_factory=list)
    customer: uuid.UUID | None = None
    supplier: uuid.UUID | None = None
    bank: uuid.UUID | None = None
    invoice: uuid.UUID | None = None
    inclusive: bool = False
    discount: str | None = None
    rounding: str | None = None
    qty_columns: bool = False
    amount: Decimal = Decimal(0)
    account: uuid.UUID | None = None
    credit: bool = False
    received_in: uuid.UUID | None = None


@dataclass
class _TaxCode:
    rate: Decimal
    tax_rate: int
    account: uuid.UUID | None


@dataclass
class _Row:
    key: str
    content_type: str
    content: bytes | None
    timestamp: int
    history: bool
    change_key: uuid.UUID | None = None
    commit: uuid.UUID | None = None


DISCOUNT_TYPES = {"percentage": 0, "amount": 1}
ROUNDING_METHODS = {"nearest": 1, "down": 2}


class Business:
    """Builds a Manager.io business and writes it; see the module docstring.

    ``version`` is the Schema row's Version (None: no Schema row at all). Keys come from a
    seeded random generator, so the same calls give the same file."""

    def __init__(
        self,
        version: int | None = SCHEMA_VERSION,
        seed: int = 0,
        now: dt.datetime | None = None,
    ) -> None:
        self._rng = random.Random(seed)
        self.now = now or dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)
        self._clock = 0
        self._rows: dict[str, _Row] = {}
        self._blobs: list[tuple[str, str, str, bytes | None]] = []
        self._changes: list[tuple[Any, ...]] = []
        self._emails: list[tuple[Any, ...]] = []
        self._images: list[tuple[Any, ...]] = []
        self._attachment_contents: dict[str, bytes] = {}
        self.kinds: dict[uuid.UUID, str] = {}
        self._tax_codes: dict[uuid.UUID, _TaxCode] = {}
        self._invoice_party: dict[uuid.UUID, uuid.UUID | None] = {}
        self._docs: list[_Doc] = []
        self.decimal_places = 2
        # Keys of interesting objects, by name, for the fixtures' callers.
        self.named: dict[str, Any] = {}
        if version is not None:
            self._put(SCHEMA, SCHEMA, {1: version})

    # -- keys, rows ---------------------------------------------------------------------------

    def new_key(self) -> uuid.UUID:
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)

    def _tick(self) -> int:
        self._clock += 1
        return ticks(self.now) + self._clock * TICKS_PER_SECOND

    def _put(
        self,
        key: uuid.UUID | str,
        content_type: uuid.UUID | str,
        fields: dict[int, Any] | bytes | None,
        history: bool = True,
        timestamp: int | None = None,
    ) -> None:
        content = encode_message(fields) if isinstance(fields, dict) else fields
        row = _Row(
            key=_text(key),
            content_type=_text(content_type),
            content=content,
            timestamp=self._tick() if timestamp is None else timestamp,
            history=history,
        )
        if history:
            row.change_key, row.commit = self.new_key(), self.new_key()
        self._rows[row.key] = row

    def _add(self, content_type: uuid.UUID, fields: dict[int, Any], kind: str) -> uuid.UUID:
        key = self.new_key()
        self._put(key, content_type, fields)
        self.kinds[key] = kind
        return key

    def content_of(self, key: uuid.UUID | str) -> bytes | None:
        """The ``Objects.Content`` written for a key (for the writer's own tests)."""
        return self._rows[_text(key)].content

    # -- generic objects -----------------------------------------------------------------------

    def object(
        self, class_guid: uuid.UUID, fields: dict[int, Any], key: uuid.UUID | None = None
    ) -> uuid.UUID:
        """Any class of the appendix, its fields given by number. It posts nothing in
        :meth:`expected`."""
        key = key or self.new_key()
        self._put(key, class_guid, fields)
        self.kinds[key] = f"object:{class_guid}"
        return key

    def template(self, class_guid: uuid.UUID, fields: dict[int, Any] | None = None) -> uuid.UUID:
        """A row with Key == ContentType == the class GUID: a template, never a record."""
        self._put(class_guid, class_guid, fields or {})
        return class_guid

    def unknown_object(self, content_type_guid: uuid.UUID, content: bytes = b"\x08\x01") -> UUID:
        key = self.new_key()
        self._put(key, content_type_guid, content)
        return key

    def raw_row(
        self,
        key: uuid.UUID | str,
        content_type: uuid.UUID | str | None,
        content_bytes: bytes | None,
        timestamp: int | None = 0,
    ) -> uuid.UUID | str:
        """An Objects row exactly as given (key and content type may be any text), no history."""
        self._put(key, content_type, content_bytes, history=False, timestamp=timestamp)
        return key

    # -- settings -------------------------------------------------------------------------------

    def business_details(self, name: str, address: str = "") -> uuid.UUID:
        key = CLASSES["BusinessDetails"]
        self._put(key, key, {1: name, 2: address})
        return key

    def base_currency(self, code: str, name: str = "", decimal_places: int | None = None) -> UUID:
        key = CLASSES["BaseCurrency"]
        fields: dict[int, Any] = {2: name, 3: code}
        if decimal_places is not None:
            fields[5] = Nullable(int(decimal_places))
            self.decimal_places = decimal_places if 0 <= decimal_places <= 10 else 2
        self._put(key, key, fields)
        return key

    # -- chart of accounts -------------------------------------------------------------------

    def balance_sheet_group(self, name: str, parent: uuid.UUID = ASSETS) -> uuid.UUID:
        return self._add(CLASSES["BalanceSheetGroup"], {1: name, 3: parent}, "bs_group")

    def pl_group(self, name: str, type: int = 0, parent: uuid.UUID | None = None) -> UUID:
        fields = {1: name, 3: parent, 6: type}
        return self._add(CLASSES["ProfitAndLossStatementGroup"], fields, "pl_group")

    def bs_account(self, name: str, group: uuid.UUID | None, code: str = "") -> uuid.UUID:
        fields = {1: name, 3: group, 17: code}
        return self._add(CLASSES["BalanceSheetAccount"], fields, "bs_account")

    def pl_account(self, name: str, group: uuid.UUID | None, code: str = "") -> uuid.UUID:
        fields = {1: name, 3: group, 11: code}
        return self._add(CLASSES["ProfitAndLossStatementAccount"], fields, "pl_account")

    def rename_builtin(self, builtin_key: uuid.UUID, name: str, code: str = "") -> uuid.UUID:
        """The singleton row (Key == ContentType) customising a built-in account."""
        code_field = 11 if builtin_key == ROUNDING else 12
        fields: dict[int, Any] = {1: name}
        if builtin_key != SUSPENSE:
            fields[code_field] = code
        self._put(builtin_key, builtin_key, fields)
        return builtin_key

    def bank_account(self, name: str, code: str = "", cash: bool = False) -> uuid.UUID:
        fields = {1: name, 13: code, 18: not cash}
        return self._add(CLASSES["BankOrCashAccount"], fields, "bank")

    def customer(self, name: str, email: str = "", address: str = "", code: str = "") -> UUID:
        fields = {1: name, 2: address, 3: email, 13: code}
        return self._add(CLASSES["Customer"], fields, "customer")

    def supplier(self, name: str, email: str = "", address: str = "", code: str = "") -> UUID:
        fields = {1: name, 2: email, 7: address, 10: code}
        return self._add(CLASSES["Supplier"], fields, "supplier")

    def tax_code(
        self,
        name: str,
        rate: Decimal,
        account: uuid.UUID | None = None,
        tax_rate: int = 2,
        label: str = "",
    ) -> uuid.UUID:
        """A single-rate tax code (Type 0). ``tax_rate``: 0 ZeroRate, 1 TotalRate, 2 Custom."""
        rate = _money(rate)
        fields = {1: name, 4: rate, 5: tax_rate, 7: account, 21: label}
        key = self._add(CLASSES["TaxCode"], fields, "tax_code")
        self._tax_codes[key] = _TaxCode(rate, tax_rate, account)
        return key

    # -- documents ------------------------------------------------------------------------------

    def _invoice_line(self, line: Line, price_field: int = 19) -> dict[int, Any]:
        return {
            2: line.account,
            17: line.description,
            18: Nullable(line.qty) if line.qty is not None else None,
            price_field: line.price,
            21: line.tax_code,
            23: line.discount_percentage,
            24: line.discount_amount,
        }

    def _discount_fields(self, discount: str | None, flag: int, kind: int) -> dict[int, Any]:
        if discount is None:
            return {}
        return {flag: True, kind: DISCOUNT_TYPES[discount]}

    def sales_invoice(
        self,
        date: dt.date,
        customer: uuid.UUID | None,
        lines: list[Line],
        reference: str = "",
        inclusive: bool = False,
        discount: str | None = None,
        due_days: int | None = None,
        rounding: str | None = None,
        description: str = "",
    ) -> uuid.UUID:
        fields: dict[int, Any] = {
            1: date,
            2: reference,
            3: customer,
            8: inclusive,
            12: description,
            22: Nullable(int(due_days)) if due_days is not None else None,
            49: [self._invoice_line(line) for line in lines],
            **self._discount_fields(discount, 31, 32),
        }
        if rounding is not None:
            fields[29] = True
            fields[20] = ROUNDING_METHODS[rounding]
        key = self._add(CLASSES["SalesInvoice"], fields, "sales_invoice")
        self._invoice_party[key] = customer
        self._docs.append(
            _Doc(
                "sales_invoice",
                key,
                date,
                list(lines),
                customer=customer,
                inclusive=inclusive,
                discount=discount,
                rounding=rounding,
            )
        )
        return key

    def credit_note(
        self,
        date: dt.date,
        customer: uuid.UUID | None,
        lines: list[Line],
        invoice: uuid.UUID | None = None,
        inclusive: bool = False,
        discount: str | None = None,
        reference: str = "",
    ) -> uuid.UUID:
        fields: dict[int, Any] = {
            1: date,
            2: reference,
            3: customer,
            6: inclusive,
            8: invoice,
            22: [self._invoice_line(line) for line in lines],
            **self._discount_fields(discount, 15, 16),
        }
        key = self._add(CLASSES["CreditNote"], fields, "credit_note")
        self._docs.append(
            _Doc(
                "credit_note",
                key,
                date,
                list(lines),
                customer=customer,
                invoice=invoice,
                inclusive=inclusive,
                discount=discount,
            )
        )
        return key

    def purchase_invoice(
        self,
        date: dt.date,
        supplier: uuid.UUID | None,
        lines: list[Line],
        reference: str = "",
        inclusive: bool = False,
        discount: str | None = None,
        due_days: int | None = None,
        description: str = "",
    ) -> uuid.UUID:
        fields: dict[int, Any] = {
            1: date,
            2: reference,
            3: supplier,
            7: inclusive,
            9: description,
            19: Nullable(int(due_days)) if due_days is not None else None,
            23: [self._invoice_line(line) for line in lines],
            **self._discount_fields(discount, 14, 15),
        }
        key = self._add(CLASSES["PurchaseInvoice"], fields, "purchase_invoice")
        self._invoice_party[key] = supplier
        self._docs.append(
            _Doc(
                "purchase_invoice",
                key,
                date,
                list(lines),
                supplier=supplier,
                inclusive=inclusive,
                discount=discount,
            )
        )
        return key

    def debit_note(
        self,
        date: dt.date,
        supplier: uuid.UUID | None,
        lines: list[Line],
        invoice: uuid.UUID | None = None,
        inclusive: bool = False,
        discount: str | None = None,
        reference: str = "",
    ) -> uuid.UUID:
        fields: dict[int, Any] = {
            1: date,
            2: reference,
            3: supplier,
            5: inclusive,
            6: invoice,
            16: [self._invoice_line(line) for line in lines],
            **self._discount_fields(discount, 10, 11),
        }
        key = self._add(CLASSES["DebitNote"], fields, "debit_note")
        self._docs.append(
            _Doc(
                "debit_note",
                key,
                date,
                list(lines),
                supplier=supplier,
                invoice=invoice,
                inclusive=inclusive,
                discount=discount,
            )
        )
        return key

    def _money_line(self, line: Line, receipt: bool, columns: bool) -> dict[int, Any]:
        invoice_field = 8 if self.kinds.get(line.invoice) == "purchase_invoice" else 4
        fields: dict[int, Any] = {
            2: line.account,
            3: line.customer,
            7: line.supplier,
            invoice_field: line.invoice,
            15: line.description,
            18: line.price,
            20: line.tax_code,
            27: line.discount_percentage,
            28: line.discount_amount,
            (38 if receipt else 39): line.transfer_account,
        }
        if columns:
            fields[17] = Nullable(line.qty) if line.qty is not None else None
            fields[25] = line.price
            fields[18] = line.price * line.qty if line.qty is not None else line.price
        return fields

    def _money_document(
        self,
        kind: str,
        date: dt.date,
        bank: uuid.UUID | None,
        lines: list[Line],
        customer: uuid.UUID | None,
        supplier: uuid.UUID | None,
        other: str,
        exclusive: bool,
        discount: str | None,
        reference: str,
        description: str,
    ) -> uuid.UUID:
        receipt = kind == "receipt"
        columns = any(line.qty is not None for line in lines)
        party = 1 if customer is not None else 2 if supplier is not None else 0
        # Receipt / Payment field numbers differ from 30 on (§5.9).
        exclusive_f, qty_f, price_f, discount_f, type_f = (
            (31, 32, 33, 38, 39) if receipt else (32, 33, 34, 39, 40)
        )
        fields: dict[int, Any] = {
            1: date,
            2: reference,
            3: party,
            4: customer,
            5: supplier,
            6: other,
            7: bank,
            10: description,
            11: [self._money_line(line, receipt, columns) for line in lines],
            exclusive_f: exclusive,
            qty_f: columns,
            price_f: columns,
            **self._discount_fields(discount, discount_f, type_f),
        }
        key = self._add(CLASSES["Receipt" if receipt else "Payment"], fields, kind)
        self._docs.append(
            _Doc(
                kind,
                key,
                date,
                list(lines),
                customer=customer,
                supplier=supplier,
                bank=bank,
                inclusive=not exclusive,
                discount=discount,
                qty_columns=columns,
            )
        )
        return key

    def receipt(
        self,
        date: dt.date,
        bank: uuid.UUID | None,
        lines: list[Line],
        customer: uuid.UUID | None = None,
        payer_other: str = "",
        exclusive: bool = False,
        supplier: uuid.UUID | None = None,
        discount: str | None = None,
        reference: str = "",
        description: str = "",
    ) -> uuid.UUID:
        return self._money_document(
            "receipt",
            date,
            bank,
            lines,
            customer,
            supplier,
            payer_other,
            exclusive,
            discount,
            reference,
            description,
        )

    def payment(
        self,
        date: dt.date,
        bank: uuid.UUID | None,
        lines: list[Line],
        supplier: uuid.UUID | None = None,
        exclusive: bool = False,
        customer: uuid.UUID | None = None,
        payee_other: str = "",
        discount: str | None = None,
        reference: str = "",
        description: str = "",
    ) -> uuid.UUID:
        return self._money_document(
            "payment",
            date,
            bank,
            lines,
            customer,
            supplier,
            payee_other,
            exclusive,
            discount,
            reference,
            description,
        )

    def transfer(
        self,
        date: dt.date,
        paid_from: uuid.UUID,
        received_in: uuid.UUID,
        amount: Decimal,
        description: str = "",
    ) -> uuid.UUID:
        amount = _money(amount)
        fields = {1: date, 2: paid_from, 3: received_in, 5: description, 8: amount}
        key = self._add(CLASSES["InterAccountTransfer"], fields, "transfer")
        self._docs.append(
            _Doc("transfer", key, date, bank=paid_from, received_in=received_in, amount=amount)
        )
        return key

    def journal_entry(
        self,
        date: dt.date,
        lines: list[JournalLine],
        narration: str = "",
        reference: str = "",
    ) -> uuid.UUID:
        encoded = []
        for line in lines:
            purchase = self.kinds.get(line.invoice) == "purchase_invoice"
            encoded.append(
                {
                    1: line.account,
                    2: line.customer,
                    3: line.supplier,
                    (6 if purchase else 5): line.invoice,
                    12: line.description,
                    13: line.debit,
                    14: line.credit,
                    15: line.tax_code,
                    29: line.bank,
                }
            )
        fields = {1: date, 2: reference, 3: narration, 14: encoded}
        key = self._add(CLASSES["JournalEntry"], fields, "journal_entry")
        self._docs.append(_Doc("journal_entry", key, date, list(lines), inclusive=True))
        return key

    # -- starting balances -------------------------------------------------------------------

    def bank_starting_balance(self, bank: uuid.UUID, amount: Decimal) -> uuid.UUID:
        amount = _money(amount)
        fields = {1: bank, 2: amount}
        key = self._add(CLASSES["BankOrCashAccountStartingBalance"], fields, "bank_sb")
        self._docs.append(_Doc("bank_sb", key, MIN_DATE, bank=bank, amount=amount))
        return key

    def account_starting_balance(
        self, account: uuid.UUID, amount: Decimal, credit: bool = False
    ) -> uuid.UUID:
        amount = _money(amount)
        fields = {1: account, 2: int(credit), 3: amount}
        key = self._add(CLASSES["BalanceSheetAccountStartingBalance"], fields, "account_sb")
        self._docs.append(
            _Doc("account_sb", key, MIN_DATE, account=account, amount=amount, credit=credit)
        )
        return key

    def invoice_starting_balance(self, invoice: uuid.UUID, paid: Decimal) -> uuid.UUID:
        """A SalesInvoiceStartingBalance: ``paid`` is the amount already paid (§5.10)."""
        paid = _money(paid)
        fields = {1: invoice, 2: paid}
        key = self._add(CLASSES["SalesInvoiceStartingBalance"], fields, "sales_sb")
        self._docs.append(_Doc("sales_sb", key, MIN_DATE, invoice=invoice, amount=paid))
        return key

    def purchase_invoice_starting_balance(self, invoice: uuid.UUID, paid: Decimal) -> UUID:
        paid = _money(paid)
        fields = {1: invoice, 2: paid}
        key = self._add(CLASSES["PurchaseInvoiceStartingBalance"], fields, "purchase_sb")
        self._docs.append(_Doc("purchase_sb", key, MIN_DATE, invoice=invoice, amount=paid))
        return key

    # -- attachments, e-mail, images, history ---------------------------------------------

    def attach(
        self, record_key: uuid.UUID, name: str, content: bytes, when: dt.datetime | None = None
    ) -> uuid.UUID:
        """An Attachment object naming its content by SHA-256; the bytes go in write_tar."""
        digest = hashlib.sha256(content)
        fields = {
            1: when or self.now,
            2: name,
            4: len(content),
            6: record_key,
            12: digest.digest(),
        }
        self._attachment_contents[digest.hexdigest()] = bytes(content)
        return self._add(CLASSES["Attachment"], fields, "attachment")

    def legacy_attach(
        self, record_key: uuid.UUID, name: str, content: bytes, when: dt.datetime | None = None
    ) -> uuid.UUID:
        """An Attachment without Sha256, its bytes in the Blobs table under its own key."""
        fields = {1: when or self.now, 2: name, 4: len(content), 6: record_key}
        key = self._add(CLASSES["Attachment"], fields, "attachment")
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._blobs.append((str(key), name, mime, bytes(content)))
        return key

    def blob(self, key: uuid.UUID, name: str, content_type: str, content: bytes | None) -> UUID:
        """A Blobs row as given."""
        self._blobs.append((_text(key), name, content_type, content))
        return key

    def image(self, object_key: uuid.UUID, content_type: str, content: bytes) -> uuid.UUID:
        self._images.append((str(object_key), content_type, content, self._tick()))
        return object_key

    def email(
        self,
        subject: str,
        body: str,
        recipient: str,
        sender: str = "",
        user: str = "",
        when: dt.datetime | None = None,
        object_key: uuid.UUID | None = None,
    ) -> uuid.UUID:
        key = self.new_key()
        self._emails.append(
            (
                str(key),
                str(object_key or EMPTY_GUID),
                sender,
                recipient,
                subject,
                body,
                None,
                None,
                ticks(when or self.now),
                0,
                user,
            )
        )
        return key

    def change(
        self,
        object_key: uuid.UUID,
        user: str | None,
        when: dt.datetime,
        kind: str = "update",
        before: bytes | None = None,
        after: bytes | None = None,
    ) -> uuid.UUID:
        """A history row for an object: ``kind`` update (both contents, by default the
        object's current one) or delete (after empty)."""
        row = self._rows[_text(object_key)]
        before = row.content if before is None else before
        if kind == "delete":
            type_after, after = str(EMPTY_GUID), None
        else:
            type_after, after = row.content_type, row.content if after is None else after
        key = self.new_key()
        self._changes.append(
            (
                str(key),
                str(self.new_key()),
                row.key,
                user,
                ticks(when),
                row.content_type,
                type_after,
                before,
                after,
            )
        )
        return key

    # -- writing ----------------------------------------------------------------------------------

    def _change_rows(self) -> list[tuple[Any, ...]]:
        created = [
            (
                str(row.change_key),
                str(row.commit),
                row.key,
                "admin",
                row.timestamp,
                str(EMPTY_GUID),
                row.content_type,
                None,
                row.content,
            )
            for row in self._rows.values()
            if row.history
        ]
        return created + self._changes

    def write(self, path: str | Path) -> Path:
        """The bare ``.manager`` SQLite file (§2)."""
        path = Path(path)
        if path.exists():
            path.unlink()
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
            for statement in DDL:
                connection.execute(statement)
            connection.executemany(
                'INSERT INTO "Objects" ("Key", "ContentType", "Content", "Timestamp") '
                "VALUES (?, ?, ?, ?)",
                [(r.key, r.content_type, r.content, r.timestamp) for r in self._rows.values()],
            )
            connection.executemany(
                'INSERT INTO "Blobs" ("Key", "Name", "ContentType", "Content") VALUES (?, ?, ?, ?)',
                self._blobs,
            )
            connection.executemany(
                'INSERT INTO "Changes" ("Key", "Commit", "Object", "User", "Timestamp", '
                '"ContentTypeBefore", "ContentTypeAfter", "ContentBefore", "ContentAfter") '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._change_rows(),
            )
            connection.executemany(
                'INSERT INTO "Emails" ("Key", "Object", "Sender", "Recipient", "Subject", "Body", '
                '"Content", "Filename", "Timestamp", "Seen", "User") '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._emails,
            )
            connection.executemany(
                'INSERT INTO "Images" ("Key", "ContentType", "Content", "Timestamp") '
                "VALUES (?, ?, ?, ?)",
                self._images,
            )
            connection.commit()
        finally:
            connection.close()
        return path

    @property
    def attachment_contents(self) -> dict[str, bytes]:
        """Attachment contents by lowercase hex SHA-256."""
        return dict(self._attachment_contents)

    def write_tar(self, path: str | Path, member: str | None = None, blobs: bool = True) -> Path:
        """A ``.manager.tar`` backup (§4): ``<name>.manager`` first, then ``Blobs/<h[0:2]>/<h>``
        once per distinct attachment content. ``member`` defaults to the tar's name without
        ``.tar``; ``blobs=False`` leaves the contents out (as for missing storage)."""
        path = Path(path)
        if member is None:
            member = path.name[: -len(".tar")] if path.name.endswith(".tar") else path.name
            if not member.endswith(".manager"):
                member += ".manager"
        with tempfile.TemporaryDirectory() as folder:
            database = self.write(Path(folder) / "business.manager")
            with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
                tar.add(database, arcname=member)
                if blobs:
                    for digest, content in self._attachment_contents.items():
                        info = tarfile.TarInfo(f"Blobs/{digest[:2]}/{digest}")
                        info.size = len(content)
                        info.mtime = int(self.now.timestamp())
                        tar.addfile(info, _BytesReader(content))
        return path

    # -- expected figures (§7) -------------------------------------------------------------------

    def expected(self) -> Expected:
        return Expected(_Poster(self).post(), self)


class _BytesReader:
    def __init__(self, content: bytes) -> None:
        self._content, self._offset = content, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._content) if size < 0 else self._offset + size
        chunk = self._content[self._offset : end]
        self._offset += len(chunk)
        return chunk


# ---------------------------------------------------------------------------------------------
# Posting rules (§7), by this module's own arithmetic


class _Poster:
    def __init__(self, business: Business) -> None:
        self.b = business
        self.quantum = Decimal(1).scaleb(-business.decimal_places)
        self.out: list[LedgerLine] = []

    def round(self, value: Decimal) -> Decimal:
        with localcontext() as context:
            context.prec = 28
            return value.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def emit(self, doc: _Doc, account: uuid.UUID, amount: Decimal, **refs: Any) -> None:
        if amount != 0:
            self.out.append(LedgerLine(doc.date, account, amount, document=doc.key, **refs))

    # receivable / payable / bank lines with the re-targeting of §7.2
    def receivable(self, doc: _Doc, amount: Decimal, customer: UUID | None, invoice: UUID | None):
        if invoice is not None and self.b.kinds.get(invoice) == "sales_invoice":
            customer = self.b._invoice_party[invoice] or customer
        if customer is None:
            self.emit(doc, SUSPENSE, amount)
        else:
            self.emit(doc, AR, amount, customer=customer, invoice=invoice)

    def payable(self, doc: _Doc, amount: Decimal, supplier: UUID | None, invoice: UUID | None):
        if invoice is not None and self.b.kinds.get(invoice) == "purchase_invoice":
            supplier = self.b._invoice_party[invoice] or supplier
        if supplier is None:
            self.emit(doc, SUSPENSE, amount)
        else:
            self.emit(doc, AP, amount, supplier=supplier, invoice=invoice)

    def bank(self, doc: _Doc, amount: Decimal, bank: uuid.UUID | None) -> None:
        if bank is None or self.b.kinds.get(bank) != "bank":
            self.emit(doc, SUSPENSE, amount)
        else:
            self.emit(doc, CASH, amount, bank=bank)

    def taxes(self, code_key: uuid.UUID | None, amount: Decimal, inclusive: bool):
        """[(tax account, tax amount)] for a line amount A (§7.3); (None, A) for TotalRate."""
        code = self.b._tax_codes.get(code_key) if code_key is not None else None
        if code is None or code.tax_rate == 0:
            return []
        account = code.account if self.b.kinds.get(code.account) == "bs_account" else TAX_PAYABLE
        if code.tax_rate == 1:
            return [(account, amount)]
        with localcontext() as context:
            context.prec = 28
            # division first, then multiplication (§7.3)
            divisor = 100 + code.rate if inclusive else Decimal(100)
            tax = amount / divisor * code.rate
        return [(account, self.round(tax))]

    def line_amount(self, doc: _Doc, line: Line) -> Decimal:
        money_document = doc.kind in ("receipt", "payment")
        if money_document and not doc.qty_columns:
            raw = line.price
        else:
            raw = line.price * line.qty if line.qty is not None else line.price
        amount = self.round(raw)
        if doc.discount == "percentage":
            if line.discount_percentage and amount:
                with localcontext() as context:
                    context.prec = 28
                    amount = self.round(amount / 100 * (100 - line.discount_percentage))
        elif doc.discount == "amount":
            amount = self.round(amount - line.discount_amount)
        return amount

    def expand(self, doc: _Doc, line: Any, amount: Decimal) -> None:
        """Post one line whose signed, discounted amount is ``amount`` (§7.2 steps 4–6)."""
        kinds = self.b.kinds
        account = line.account
        taxed = True
        target: tuple[str, Any, Any] | None = None  # (kind, party, invoice)
        if account == AR:
            own = doc.kind in ("sales_invoice", "credit_note")
            # a receipt's or payment's customer counts when PaidBy/Payee = Customer
            if own or (doc.kind in ("receipt", "payment") and doc.customer is not None):
                customer = doc.customer
            else:
                customer = line.customer
            invoice = doc.key if doc.kind == "sales_invoice" else getattr(line, "invoice", None)
            if doc.kind == "credit_note":
                invoice = None
            if customer is not None:
                target, taxed = ("ar", customer, invoice), False
        elif account == AP:
            own = doc.kind in ("purchase_invoice", "debit_note")
            if own or (doc.kind in ("receipt", "payment") and doc.supplier is not None):
                supplier = doc.supplier
            else:
                supplier = line.supplier
            invoice = doc.key if doc.kind == "purchase_invoice" else getattr(line, "invoice", None)
            if doc.kind == "debit_note":
                invoice = None
            if supplier is not None:
                target, taxed = ("ap", supplier, invoice), False
        elif account == CASH:
            bank = getattr(line, "bank", None)
            if doc.kind == "journal_entry" and bank is not None:
                target = ("cash", bank, None)
        elif account == TRANSFERS:
            transfer = getattr(line, "transfer_account", None)
            if doc.kind in ("receipt", "payment") and transfer is not None:
                target, taxed = ("transfers", transfer, None), False
        elif account == RETAINED or kinds.get(account) in ("bs_account", "pl_account"):
            target = ("account", account, None)
        if taxed:
            for tax_account, tax in self.taxes(line.tax_code, amount, doc.inclusive):
                self.emit(doc, tax_account, tax)
                code = self.b._tax_codes[line.tax_code]
                if code.tax_rate == 1:
                    amount = Decimal(0)
                elif doc.inclusive:
                    amount -= tax
        if target is None:
            self.emit(doc, SUSPENSE, amount)
        elif target[0] == "ar":
            self.receivable(doc, amount, target[1], target[2])
        elif target[0] == "ap":
            self.payable(doc, amount, target[1], target[2])
        elif target[0] == "cash":
            self.bank(doc, amount, target[1])
        elif target[0] == "transfers":
            self.emit(doc, TRANSFERS, amount, bank=target[1])
        else:
            self.emit(doc, target[1], amount)

    def post_lines(self, doc: _Doc, sign: int) -> Decimal:
        start = len(self.out)
        for line in doc.lines:
            if isinstance(line, JournalLine):
                amount = self.round(line.debit - line.credit)
            else:
                amount = sign * self.line_amount(doc, line)
            self.expand(doc, line, amount)
        return sum((x.amount for x in self.out[start:]), Decimal(0))

    def post(self) -> list[LedgerLine]:
        for doc in self.b._docs:
            getattr(self, f"post_{doc.kind}")(doc)
        return self.out

    def post_sales_invoice(self, doc: _Doc) -> None:
        total = -self.post_lines(doc, -1)
        if doc.rounding is not None:
            if doc.rounding == "down":
                whole = total.to_integral_value(rounding=ROUND_FLOOR)
            else:
                whole = total.to_integral_value(rounding=ROUND_HALF_UP)
            whole = whole.quantize(self.quantum)
            self.emit(doc, ROUNDING, total - whole)
            total = whole
        self.receivable(doc, total, doc.customer, doc.key)

    def post_credit_note(self, doc: _Doc) -> None:
        self.receivable(doc, -self.post_lines(doc, 1), doc.customer, doc.invoice)

    def post_purchase_invoice(self, doc: _Doc) -> None:
        self.payable(doc, -self.post_lines(doc, 1), doc.supplier, doc.key)

    def post_debit_note(self, doc: _Doc) -> None:
        self.payable(doc, -self.post_lines(doc, -1), doc.supplier, doc.invoice)

    def post_receipt(self, doc: _Doc) -> None:
        self.bank(doc, -self.post_lines(doc, -1), doc.bank)

    def post_payment(self, doc: _Doc) -> None:
        self.bank(doc, -self.post_lines(doc, 1), doc.bank)

    def post_transfer(self, doc: _Doc) -> None:
        amount = self.round(doc.amount)
        self.bank(doc, -amount, doc.bank)
        self.bank(doc, amount, doc.received_in)

    def post_journal_entry(self, doc: _Doc) -> None:
        difference = self.post_lines(doc, 1)
        self.emit(doc, SUSPENSE, -difference)

    def post_bank_sb(self, doc: _Doc) -> None:
        amount = self.round(doc.amount)
        self.bank(doc, amount, doc.bank)
        self.emit(doc, RETAINED, -amount)

    def post_account_sb(self, doc: _Doc) -> None:
        amount = self.round(doc.amount) * (-1 if doc.credit else 1)
        self.emit(doc, doc.account, amount)
        self.emit(doc, RETAINED, -amount)

    def post_sales_sb(self, doc: _Doc) -> None:
        amount = self.round(doc.amount)
        self.receivable(doc, -amount, self.b._invoice_party.get(doc.invoice), doc.invoice)
        self.emit(doc, RETAINED, amount)

    def post_purchase_sb(self, doc: _Doc) -> None:
        amount = self.round(doc.amount)
        self.payable(doc, amount, self.b._invoice_party.get(doc.invoice), doc.invoice)
        self.emit(doc, RETAINED, -amount)


def _sum(lines: Any) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))


class Expected:
    """Figures Manager's posting rules give for a business (§7.5)."""

    def __init__(self, lines: list[LedgerLine], business: Business) -> None:
        self.lines = lines
        self._kinds = dict(business.kinds)
        self.pl_accounts = {k for k, kind in self._kinds.items() if kind == "pl_account"}
        self.pl_accounts.add(ROUNDING)

    def _upto(self, upto: dt.date | None) -> list[LedgerLine]:
        return [x for x in self.lines if upto is None or x.date <= upto]

    def lines_for(self, document: uuid.UUID) -> list[LedgerLine]:
        return [x for x in self.lines if x.document == document]

    def by_account(self, document: uuid.UUID) -> dict[uuid.UUID, Decimal]:
        """One document's ledger lines summed per account."""
        totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        for line in self.lines_for(document):
            totals[line.account] += line.amount
        return dict(totals)

    def balance(self, account_key: uuid.UUID, upto: dt.date | None = None) -> Decimal:
        """Sum of the lines posted to the account (direct postings only)."""
        return _sum(x for x in self._upto(upto) if x.account == account_key)

    def trial_balance(
        self, upto: dt.date | None = None, start: dt.date | None = None
    ) -> dict[uuid.UUID, Decimal]:
        """{account: balance}, zero balances left out. Without ``start`` every account's
        cumulative sum; with it, P&L accounts show their movement in [start, upto] and earlier
        P&L lines are folded into Retained earnings. Either way it sums to zero."""
        totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        for line in self._upto(upto):
            account = line.account
            if start is not None and account in self.pl_accounts and line.date < start:
                account = RETAINED
            totals[account] += line.amount
        return {k: v for k, v in totals.items() if v != 0}

    def balance_sheet(self, upto: dt.date | None = None) -> dict[uuid.UUID, Decimal]:
        """Balance-sheet accounts to the date with all P&L folded into Retained earnings
        (signs as in the ledger: debit positive); zero balances left out."""
        totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        for line in self._upto(upto):
            account = RETAINED if line.account in self.pl_accounts else line.account
            totals[account] += line.amount
        return {k: v for k, v in totals.items() if v != 0}

    def profit_and_loss(self, start: dt.date, end: dt.date) -> dict[uuid.UUID, Decimal]:
        """Per P&L account, as the report shows it: −(sum of lines in [start, end]), income
        positive, expenses negative; accounts without lines in the period left out."""
        totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            if line.account in self.pl_accounts and start <= line.date <= end:
                totals[line.account] -= line.amount
        return dict(totals)

    def net_profit(self, start: dt.date, end: dt.date) -> Decimal:
        return sum(self.profit_and_loss(start, end).values(), Decimal(0))

    def _sub_ledger(self, account: uuid.UUID, attribute: str, upto: dt.date | None):
        totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        for line in self._upto(upto):
            if line.account == account and getattr(line, attribute) is not None:
                totals[getattr(line, attribute)] += line.amount
        return dict(totals)

    def customer_balances(self, upto: dt.date | None = None) -> dict[uuid.UUID, Decimal]:
        """{customer: sum of its receivable lines} (positive = owes the business)."""
        return self._sub_ledger(AR, "customer", upto)

    def supplier_balances(self, upto: dt.date | None = None) -> dict[uuid.UUID, Decimal]:
        """{supplier: sum of its payable lines} (negative = the business owes it)."""
        return self._sub_ledger(AP, "supplier", upto)

    def bank_balances(self, upto: dt.date | None = None) -> dict[uuid.UUID, Decimal]:
        """{bank or cash account: sum of its cash-at-bank lines}."""
        return self._sub_ledger(CASH, "bank", upto)

    def invoice_balance_due(self, invoice_key: uuid.UUID, upto: dt.date | None = None) -> Decimal:
        """What is still to be paid: the receivable lines linked to a sales invoice, or minus
        the payable lines linked to a purchase invoice (both positive while unpaid)."""
        if self._kinds.get(invoice_key) == "purchase_invoice":
            return -_sum(
                x for x in self._upto(upto) if x.account == AP and x.invoice == invoice_key
            )
        return _sum(x for x in self._upto(upto) if x.account == AR and x.invoice == invoice_key)
