"""The Manager.io reader: the kinds of file it tells apart, the sentences it refuses with, and
the ledger it derives by Manager's posting rules, on files written here from the reference.

The small encoder below is written from ``manager-format.md`` §2–§3, never from the reader.
"""

import datetime
import sqlite3
import struct
import uuid
from decimal import Decimal

import pytest

from partida.managerio import errors
from partida.managerio.ledger import (
    AR,
    CASH,
    TAX_PAYABLE,
    account_balances,
    build_ledger,
    invoice_balances,
    party_balances,
)
from partida.managerio.reader import kind_of_file, read_business

CLASS = {
    "Schema": "a9a71e47-82b3-49db-8aec-898adb460a80",
    "Customer": "ec37c11e-2b67-49c6-8a58-6eccb7dd75ee",
    "TaxCode": "7f368d97-8b7f-4b39-b156-dc66afd9496a",
    "Income": "26b9e4a5-ce10-4f30-94c7-23a1ca4428f9",
    "SalesInvoice": "ad12b60b-23bf-4421-94df-8be79cef533e",
    "Receipt": "7662b887-c8d8-486e-98fd-f9dbcd41c6dc",
    "Bank": "1408c33b-6284-4f50-9e31-48cbea21f3cf",
}


def varint(number: int) -> bytes:
    number &= (1 << 64) - 1
    out = b""
    while True:
        low, number = number & 0x7F, number >> 7
        if not number:
            return out + bytes([low])
        out += bytes([low | 0x80])


def length_delimited(field: int, data: bytes) -> bytes:
    return varint(field << 3 | 2) + varint(len(data)) + data


def number(field: int, value: int) -> bytes:
    return varint(field << 3) + varint(value)


def guid(field: int, key) -> bytes:
    low, high = struct.unpack("<QQ", uuid.UUID(str(key)).bytes_le)
    halves = varint(1 << 3 | 1) + struct.pack("<Q", low) + varint(2 << 3 | 1)
    return length_delimited(field, halves + struct.pack("<Q", high))


def decimal(field: int, value: str) -> bytes:
    sign, digits, exponent = Decimal(value).as_tuple()
    coefficient = int("".join(map(str, digits)))
    body = number(1, coefficient & (1 << 64) - 1) if coefficient & (1 << 64) - 1 else b""
    sign_scale = (-exponent) << 1 | sign
    return length_delimited(field, body + (number(3, sign_scale) if sign_scale else b""))


def date(field: int, day: datetime.date) -> bytes:
    days = (day - datetime.date(1970, 1, 1)).days
    return length_delimited(field, number(1, days << 1 ^ days >> 63))


def text(field: int, value: str) -> bytes:
    return length_delimited(field, value.encode())


def business_file(path, rows, version=419):
    database = sqlite3.connect(path)
    database.execute(
        'CREATE TABLE "Objects" ("Key" TEXT PRIMARY KEY, "ContentType" TEXT, "Content" BLOB, '
        '"Timestamp" INTEGER) WITHOUT ROWID'
    )
    schema = [(CLASS["Schema"], CLASS["Schema"], number(1, version))]
    database.executemany('INSERT INTO "Objects" VALUES (?, ?, ?, 0)', schema + rows)
    database.commit()
    database.close()
    return path


@pytest.fixture
def sale_and_partial_receipt(tmp_path):
    """The reference's worked example (§7.3): 37.25 at 10 % exclusive, then 20.00 received."""
    keys = {name: uuid.uuid4() for name in ("customer", "tax", "income", "invoice", "bank")}
    line = guid(2, keys["income"]) + decimal(19, "37.25") + guid(21, keys["tax"])
    receipt_line = guid(2, AR) + guid(4, keys["invoice"]) + decimal(18, "20.00")
    rows = [
        (str(keys["customer"]), CLASS["Customer"], text(1, "Ferretería López")),
        (str(keys["tax"]), CLASS["TaxCode"], text(1, "IVA 10 %") + decimal(4, "10") + number(5, 2)),
        (str(keys["income"]), CLASS["Income"], text(1, "Ventas")),
        (str(keys["bank"]), CLASS["Bank"], text(1, "Banco")),
        (
            str(keys["invoice"]),
            CLASS["SalesInvoice"],
            date(1, datetime.date(2025, 5, 6))
            + guid(3, keys["customer"])
            + length_delimited(49, line),
        ),
        (
            str(uuid.uuid4()),
            CLASS["Receipt"],
            date(1, datetime.date(2025, 5, 7))
            + number(3, 1)
            + guid(4, keys["customer"])
            + guid(7, keys["bank"])
            + length_delimited(11, receipt_line),
        ),
        # A template (Key == ContentType) is never a record, so it posts nothing.
        (
            CLASS["Receipt"],
            CLASS["Receipt"],
            guid(7, keys["bank"]) + length_delimited(11, receipt_line),
        ),
    ]
    return business_file(tmp_path / "Ferretería.manager", rows), keys


def test_a_sale_and_a_partial_receipt_post_as_manager_posts_them(
    sale_and_partial_receipt, tmp_path
):
    path, keys = sale_and_partial_receipt
    work = tmp_path / "work"
    work.mkdir()
    lines = build_ledger(read_business(path, work))
    balances = account_balances(lines)
    assert balances[keys["income"], None] == Decimal("-37.25")
    assert balances[TAX_PAYABLE, None] == Decimal("-3.73")  # -3.725 rounds away from zero
    assert balances[AR, None] == Decimal("20.98")
    assert balances[CASH, keys["bank"]] == Decimal("20.00")
    assert sum(balances.values()) == 0
    assert invoice_balances(lines) == {keys["invoice"]: Decimal("20.98")}
    assert party_balances(lines, "customer") == {keys["customer"]: Decimal("20.98")}


def work_folder(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def test_kinds_of_file_are_told_apart_by_their_first_bytes():
    assert kind_of_file(b"SQLite format 3\x00rest") == "manager"
    assert kind_of_file(b"MNGR|...") == "manager-legacy"
    assert kind_of_file(b"") == "manager-empty"
    assert kind_of_file(b"\0" * 257 + b"ustar\x0000") == "manager-tar"
    assert kind_of_file(b"\x28\xb5\x2f\xfd partida") == "other"


@pytest.mark.parametrize(
    ("content", "refusal"),
    [(b"", errors.NeverOpened), (b"MNGR|\x00\x00\x00\x00", errors.LegacyFormat)],
)
def test_an_empty_or_legacy_file_is_refused_with_its_sentence(tmp_path, content, refusal):
    path = tmp_path / "old.manager"
    path.write_bytes(content)
    with pytest.raises(refusal) as raised:
        read_business(path, work_folder(tmp_path))
    assert "Manager" in str(raised.value)


def test_another_schema_version_names_the_one_found_and_the_one_read(tmp_path):
    path = business_file(tmp_path / "old.manager", [], version=300)
    with pytest.raises(errors.OtherVersion) as raised:
        read_business(path, work_folder(tmp_path))
    assert "300" in str(raised.value) and "419" in str(raised.value)


def test_an_sqlite_database_that_is_not_a_business_is_refused(tmp_path):
    path = tmp_path / "notes.manager"
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE notes (body TEXT)")
    database.commit()
    database.close()
    with pytest.raises(errors.NotABusiness):
        read_business(path, work_folder(tmp_path))


def test_a_truncated_business_is_refused_as_damaged(sale_and_partial_receipt, tmp_path):
    path, _keys = sale_and_partial_receipt
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])
    with pytest.raises((errors.Damaged, errors.HostileRecord)):
        read_business(path, work_folder(tmp_path))


@pytest.mark.parametrize(
    "content",
    [
        b"\x0a\xff\xff\xff\xff\x0f",  # a text field longer than the record
        b"\x08" + b"\xff" * 11,  # a varint of more than ten bytes
        b"\x0b",  # a group, which protobuf-net never writes
        b"\x0a\x02\xff\xfe",  # a name that is not UTF-8
    ],
)
def test_a_hostile_record_is_refused_in_one_sentence(tmp_path, content):
    rows = [(str(uuid.uuid4()), CLASS["Customer"], content)]
    path = business_file(tmp_path / "hostile.manager", rows)
    with pytest.raises(errors.HostileRecord) as raised:
        read_business(path, work_folder(tmp_path))
    assert str(raised.value).count(".") <= 2


@pytest.fixture
def mixed_business(tmp_path):
    """§7.3's other examples, a journal entry that does not balance (the rest to Suspense), a
    line to a key that is no account (Suspense) and a bank starting balance (on the first day
    .NET knows, against Retained earnings)."""
    keys = {name: uuid.uuid4() for name in ("tax", "income", "expense", "bank", "supplier")}
    day = datetime.date(2025, 6, 1)
    receipt_line = guid(2, keys["income"]) + decimal(18, "12.10") + guid(20, keys["tax"])
    purchase_line = guid(2, keys["expense"]) + decimal(19, "1200.00") + guid(21, keys["tax"])
    journal = length_delimited(14, guid(1, keys["expense"]) + decimal(13, "50.00"))
    journal += length_delimited(14, guid(1, uuid.uuid4()) + decimal(14, "30.00"))
    rows = [
        (str(keys["tax"]), CLASS["TaxCode"], text(1, "IVA 21 %") + decimal(4, "21") + number(5, 2)),
        (str(keys["income"]), CLASS["Income"], text(1, "Ventas")),
        (str(keys["expense"]), CLASS["Income"], text(1, "Compras")),
        (str(keys["bank"]), CLASS["Bank"], text(1, "Caja")),
        (str(keys["supplier"]), "6d2dc48d-2053-4e45-8330-285ebd431242", text(1, "Proveedor")),
        (
            str(uuid.uuid4()),
            CLASS["Receipt"],
            date(1, day) + guid(7, keys["bank"]) + length_delimited(11, receipt_line),
        ),
        (
            str(uuid.uuid4()),
            "58b9eb90-f6b8-4abc-8ea1-12fd77b8336e",
            date(1, day) + guid(3, keys["supplier"]) + length_delimited(23, purchase_line),
        ),
        (str(uuid.uuid4()), "5ea52bc4-90ae-4e4a-aec4-ef1224b279ad", date(1, day) + journal),
        (
            str(uuid.uuid4()),
            "0c1000da-6cc3-4448-8245-6f1eeccab8d6",
            guid(1, keys["bank"]) + decimal(2, "500.00"),
        ),
    ]
    return business_file(tmp_path / "b.manager", rows), keys, day


def test_inclusive_receipts_exclusive_purchases_and_an_unbalanced_journal(mixed_business, tmp_path):
    from partida.managerio.ledger import RETAINED, STARTING, SUSPENSE

    path, keys, day = mixed_business
    lines = build_ledger(read_business(path, work_folder(tmp_path)))
    on_the_day = account_balances([line for line in lines if line.date == day])
    # Receipt 12.10 at 21 %, amounts inclusive by default: tax -2.10, income -10.00.
    assert on_the_day[keys["income"], None] == Decimal("-10.00")
    assert on_the_day[CASH, keys["bank"]] == Decimal("12.10")
    # Purchase 1,200.00 at 21 % exclusive: +1,200.00 and +252.00, payable -1,452.00; the
    # journal's 30.00 credit to an unknown key and the 20.00 by which it does not balance
    # both go to Suspense, as credits.
    assert on_the_day[keys["expense"], None] == Decimal("1250.00")
    assert on_the_day[TAX_PAYABLE, None] == Decimal("252.00") - Decimal("2.10")
    assert party_balances(lines, "supplier") == {keys["supplier"]: Decimal("-1452.00")}
    assert on_the_day[SUSPENSE, None] == Decimal("-30.00") - Decimal("20.00")
    starting = account_balances([line for line in lines if line.date == STARTING])
    assert starting == {
        (CASH, keys["bank"]): Decimal("500.00"),
        (RETAINED, None): Decimal("-500.00"),
    }
    assert sum(account_balances(lines).values()) == 0


def test_a_tar_backup_brings_its_business_and_its_attachments_by_their_digest(
    sale_and_partial_receipt, tmp_path
):
    import hashlib
    import io
    import tarfile

    path, _keys = sale_and_partial_receipt
    content = b"%PDF-1.4 factura"
    digest = hashlib.sha256(content).hexdigest()
    backup = tmp_path / "Ferretería.manager.tar"
    with tarfile.open(backup, "w", format=tarfile.PAX_FORMAT) as archive:
        archive.add(path, arcname="Ferretería.manager")
        member = tarfile.TarInfo(f"Blobs/{digest[:2]}/not-its-name")
        member.size = len(content)
        archive.addfile(member, io.BytesIO(content))
    business = read_business(backup, work_folder(tmp_path))
    assert business.blob_files[digest].read_bytes() == content
    assert len(business.all("SalesInvoice")) == 1
