"""The test-side Manager.io writer itself: its encodings reproduce the spec's check values, its
files have the spec's layout, and its expected figures follow the spec's posting rules.

A small protobuf decoder lives here (not in the writer) so the written bytes can be checked."""

import datetime as dt
import hashlib
import sqlite3
import tarfile
import uuid
from decimal import Decimal as D

import pytest

from tests.managerio import writer as w
from tests.managerio.fixtures import PDF, every_rule, small_spanish
from tests.managerio.writer import (
    AP,
    AR,
    CASH,
    RETAINED,
    ROUNDING,
    SUSPENSE,
    TAX_PAYABLE,
    Business,
    JournalLine,
    Line,
    Nullable,
)

# ---------------------------------------------------------------------------------------------
# A minimal protobuf reader for the tests


def read_varint(data: bytes, offset: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[offset]
        offset += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, offset


def fields(data: bytes) -> list[tuple[int, int, object]]:
    """[(field number, wire type, value)]: ints for varint/fixed, bytes for length-delimited."""
    out, offset = [], 0
    while offset < len(data):
        key, offset = read_varint(data, offset)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, offset = read_varint(data, offset)
        elif wire_type == 1:
            value, offset = int.from_bytes(data[offset : offset + 8], "little"), offset + 8
        elif wire_type == 5:
            value, offset = int.from_bytes(data[offset : offset + 4], "little"), offset + 4
        elif wire_type == 2:
            length, offset = read_varint(data, offset)
            value, offset = data[offset : offset + length], offset + length
        else:
            raise AssertionError(f"wire type {wire_type}")
        out.append((number, wire_type, value))
    return out


def as_dict(data: bytes) -> dict[int, object]:
    result: dict[int, object] = {}
    for number, _, value in fields(data):
        if number in result:
            existing = result[number]
            result[number] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            result[number] = value
    return result


def decode_guid(data: bytes) -> uuid.UUID:
    parts = dict((n, v) for n, _, v in fields(data))
    raw = parts.get(1, 0).to_bytes(8, "little") + parts.get(2, 0).to_bytes(8, "little")
    return uuid.UUID(bytes_le=raw)


def decode_decimal(data: bytes) -> D:
    parts = dict((n, v) for n, _, v in fields(data))
    coefficient = parts.get(1, 0) | parts.get(2, 0) << 64
    sign_scale = parts.get(3, 0)
    value = D(coefficient).scaleb(-(sign_scale >> 1))
    return -value if sign_scale & 1 else value


def unzigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def decode_date(data: bytes) -> dt.date:
    parts = dict((n, v) for n, _, v in fields(data))
    count, scale = unzigzag(parts.get(1, 0)), parts.get(2, 0)
    if scale == 15:
        return dt.date.min if count == -1 else dt.date.max
    assert scale == 0
    return dt.date(1970, 1, 1) + dt.timedelta(days=count)


# ---------------------------------------------------------------------------------------------
# §3 check values


def test_guid_check_value_of_protobuf_net():
    encoded = w.encode_guid(uuid.UUID("12345678-2345-3456-4567-56789a6789ab"))
    assert encoded == bytes.fromhex("09 7856341245235634 11 45675678 9a6789ab")
    parts = dict((n, v) for n, _, v in fields(encoded))
    assert parts == {1: 0x3456234512345678, 2: 0xAB89679A78566745}
    assert w.encode_guid(w.EMPTY_GUID) == b""


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("26.25", {1: 2625, 3: 4}),
        ("-12.345", {1: 12345, 3: 7}),
        ("1.0000000000000000000000000000", {1: 4477988020393345024, 2: 542101086, 3: 56}),
        ("0", {}),
        ("12.50", {1: 1250, 3: 4}),
        ("7", {1: 7}),
        ("1E+3", {1: 1000}),
    ],
)
def test_decimal_check_values(value, parts):
    encoded = w.encode_decimal(D(value))
    assert dict((n, v) for n, _, v in fields(encoded)) == parts
    assert decode_decimal(encoded) == D(value)


def test_decimal_refuses_floats_and_what_dotnet_cannot_hold():
    with pytest.raises(TypeError):
        w.encode_decimal(1.5)
    with pytest.raises(ValueError):
        w.encode_decimal(D(2) ** 100)


def test_date_check_values():
    assert w.encode_datetime(dt.date(2025, 5, 6)) == bytes.fromhex("08 ec bb 02")
    assert w.encode_datetime(dt.date(1970, 1, 1)) == b""
    # DateTime.MinValue: {1: zigzag(-1), 2: 15}
    assert w.encode_datetime(w.MIN_DATE) == bytes.fromhex("08 01 10 0f")
    assert decode_date(w.encode_datetime(dt.date(1969, 12, 31))) == dt.date(1969, 12, 31)
    # A time of day takes the largest exact unit: 2025-05-06 10:00 in hours (scale 1).
    parts = dict((n, v) for n, _, v in fields(w.encode_datetime(dt.datetime(2025, 5, 6, 10, 0))))
    assert parts == {1: w.zigzag(20214 * 24 + 10), 2: 1}


def test_varints_and_negative_ints():
    assert w.varint(419) == bytes.fromhex("a3 03")
    assert w.varint(-1) == bytes.fromhex("ff ff ff ff ff ff ff ff ff 01")
    assert w.zigzag(-1) == 1 and w.zigzag(1) == 2 and w.zigzag(-2) == 3


def test_defaults_are_omitted_and_nullables_written_when_set():
    message = w.encode_message(
        {
            1: 0,
            2: "",
            3: D("0.00"),
            4: None,
            5: False,
            6: w.EMPTY_GUID,
            7: w.MIN_DATE,
            8: Nullable(D(0)),
            9: Nullable(w.EMPTY_GUID),
            10: Nullable(0),
        }
    )
    assert message == bytes.fromhex("42 00 4a 00 50 00")


def test_fields_in_ascending_order_and_repeated_sub_messages():
    message = w.encode_message({3: "b", 1: [{1: 1}, {}], 2: True})
    assert fields(message) == [(1, 2, b"\x08\x01"), (1, 2, b""), (2, 0, 1), (3, 2, b"b")]


# ---------------------------------------------------------------------------------------------
# §2 layout, §4 tar


@pytest.fixture
def written(tmp_path):
    business = every_rule(tmp_path)
    return business, business.write(tmp_path / "Ferretería Ejemplo.manager")


def test_file_is_sqlite_with_exactly_the_five_tables(written):
    business, path = written
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    db = sqlite3.connect(path)
    tables = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    assert set(tables) == set(w.TABLES)
    assert all(
        sql.endswith("WITHOUT ROWID") and '"Key" TEXT PRIMARY KEY' in sql for sql in tables.values()
    )
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert set(w.INDEXES) <= indexes
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
    columns = [row[1] for row in db.execute('PRAGMA table_info("Changes")')]
    assert columns == [
        "Key", "Commit", "Object", "User", "Timestamp",
        "ContentTypeBefore", "ContentTypeAfter", "ContentBefore", "ContentAfter",
    ]  # fmt: skip


def test_schema_row_is_419_and_guids_are_lowercase_text(written):
    _, path = written
    db = sqlite3.connect(path)
    schema = str(w.SCHEMA)
    content = db.execute('SELECT Content FROM "Objects" WHERE "Key" = ?', (schema,)).fetchone()
    assert content[0] == bytes.fromhex("08 a3 03")
    for key, content_type, timestamp in db.execute(
        'SELECT "Key", "ContentType", "Timestamp" FROM "Objects"'
    ):
        assert str(uuid.UUID(key)) == key and str(uuid.UUID(content_type)) == content_type
        # Ticks of 2025: between 2020 and 2030 in .NET ticks.
        assert 637134336000000000 < timestamp < 640290816000000000


def test_other_version_and_no_schema(tmp_path):
    path = Business(version=300).write(tmp_path / "old.manager")
    row = sqlite3.connect(path).execute('SELECT Content FROM "Objects"').fetchone()
    assert as_dict(row[0]) == {1: 300}
    path = Business(version=None).write(tmp_path / "new.manager")
    assert sqlite3.connect(path).execute('SELECT count(*) FROM "Objects"').fetchone() == (0,)


def test_templates_singletons_and_history(written):
    business, path = written
    db = sqlite3.connect(path)
    singletons = {
        row[0] for row in db.execute('SELECT "Key" FROM "Objects" WHERE "Key" = "ContentType"')
    }
    assert {
        str(w.SCHEMA),
        str(w.CLASSES["BusinessDetails"]),
        str(w.CLASSES["BaseCurrency"]),
        str(AR),
        str(RETAINED),
        str(w.CLASSES["Receipt"]),
        str(w.CLASSES["SalesInvoice"]),
    } == singletons
    details = as_dict(business.content_of(w.CLASSES["BusinessDetails"]))
    assert details[1].decode() == "Ferretería Ejemplo"
    # One "created" change per object, its ContentAfter the object's content, plus the update.
    objects = db.execute('SELECT count(*) FROM "Objects"').fetchone()[0]
    created = db.execute(
        'SELECT count(*) FROM "Changes" c JOIN "Objects" o ON o."Key" = c."Object" '
        'WHERE c."ContentBefore" IS NULL AND c."ContentAfter" = o."Content" '
        "AND c.\"ContentTypeBefore\" = '00000000-0000-0000-0000-000000000000'"
    ).fetchone()[0]
    assert created == objects
    invoice = str(business.named["inv_example"])
    users = [
        r[0] for r in db.execute('SELECT "User" FROM "Changes" WHERE "Object" = ?', (invoice,))
    ]
    assert sorted(users) == ["admin", "lucia"]
    email = db.execute('SELECT "Subject", "Recipient", "Seen", "Object" FROM "Emails"').fetchone()
    assert email == (
        "Factura 2025-001",
        "pedidos@lopez.example;admin@lopez.example",
        0,
        "00000000-0000-0000-0000-000000000000",
    )


def test_invoice_content_follows_the_field_table(written):
    business, _ = written
    invoice = as_dict(business.content_of(business.named["inv_two_rates"]))
    assert decode_date(invoice[1]) == dt.date(2025, 1, 15)
    assert invoice[2] == b"2025-002"
    assert decode_guid(invoice[3]) == business.named["lopez"]
    assert invoice[31] == 1 and 32 not in invoice  # Discount on, DiscountType 0 omitted
    first, second, third = invoice[49]
    first = as_dict(first)
    assert decode_guid(first[2]) == business.named["sales"]
    assert decode_decimal(first[18]) == 3 and decode_decimal(first[19]) == 100
    assert decode_decimal(first[23]) == 10 and decode_guid(first[21]) == business.named["iva21"]
    assert 18 not in as_dict(second)  # Qty null: not written
    receipt = as_dict(business.content_of(business.named["receipt_two"]))
    assert receipt[3] == 1 and decode_guid(receipt[4]) == business.named["garcia"]
    line = as_dict(receipt[11][0])
    assert decode_guid(line[2]) == AR
    assert decode_guid(line[4]) == business.named["inv_inclusive"]
    sb = as_dict(business.content_of(business.named["old_purchase_sb"]))
    assert decode_guid(sb[1]) == business.named["old_purchase"]
    assert decode_decimal(sb[2]) == 100


def test_attachments_and_legacy_blob(written):
    business, path = written
    attachment = as_dict(business.content_of(business.named["attachment"]))
    assert attachment[2] == b"factura-2025-001.pdf" and attachment[4] == len(PDF)
    assert decode_guid(attachment[6]) == business.named["inv_example"]
    assert attachment[12] == hashlib.sha256(PDF).digest()
    legacy = as_dict(business.content_of(business.named["legacy_attachment"]))
    assert 12 not in legacy
    blob = sqlite3.connect(path).execute('SELECT "Key", "Name", "Content" FROM "Blobs"').fetchone()
    assert blob == (str(business.named["legacy_attachment"]), "antiguo.txt", b"legacy bytes")


def test_tar_has_the_business_first_then_blobs_named_by_sha256(tmp_path):
    business = every_rule(tmp_path)
    path = business.write_tar(tmp_path / "Ferretería Ejemplo.manager.tar")
    assert path.read_bytes()[257:262] == b"ustar"
    with tarfile.open(path) as tar:
        members = tar.getmembers()
        assert members[0].name == "Ferretería Ejemplo.manager"
        assert tar.extractfile(members[0]).read()[:16] == b"SQLite format 3\x00"
        blobs = {}
        for member in members[1:]:
            content = tar.extractfile(member).read()
            digest = hashlib.sha256(content).hexdigest()
            assert member.name == f"Blobs/{digest[:2]}/{digest}"
            blobs[digest] = content
    # The PDF is attached twice but travels once; the legacy attachment is not in the tar.
    assert len(members) == 3
    assert set(blobs.values()) == {PDF, "Albarán nº 77\n".encode()}


def test_same_calls_give_the_same_file(tmp_path):
    first = every_rule().write(tmp_path / "a.manager")
    second = every_rule().write(tmp_path / "b.manager")
    dump = [list(sqlite3.connect(p).iterdump()) for p in (first, second)]
    assert dump[0] == dump[1]


# ---------------------------------------------------------------------------------------------
# §7 expected figures


def test_every_rule_balances():
    business = every_rule()
    expected = business.expected()
    assert sum(expected.trial_balance().values()) == 0
    assert sum(expected.trial_balance(dt.date(2025, 2, 1), start=dt.date(2025, 1, 1)).values()) == 0
    assert sum(expected.balance_sheet().values()) == 0
    documents = {line.document for line in expected.lines}
    for document in documents:
        assert sum(line.amount for line in expected.lines_for(document)) == 0, document
    # Every amount is already rounded to cents.
    assert all(line.amount == line.amount.quantize(D("0.01")) for line in expected.lines)


def test_worked_examples_of_section_7_3():
    business = every_rule()
    n, expected = business.named, business.expected()
    assert expected.by_account(n["inv_example"]) == {
        n["sales"]: D("-37.25"),
        n["vat_10_account"]: D("-3.73"),
        AR: D("40.98"),
    }
    assert expected.by_account(n["receipt_counter"]) == {
        TAX_PAYABLE: D("-2.10"),
        n["sales"]: D("-10.00"),
        CASH: D("12.10"),
    }
    assert [x.bank for x in expected.lines_for(n["receipt_counter"]) if x.account == CASH] == [
        n["cash"]
    ]
    assert expected.by_account(n["purchase"]) == {
        n["purchases"]: D("1200.00"),
        TAX_PAYABLE: D("252.00"),
        AP: D("-1452.00"),
    }


def test_worked_examples_alone():
    business = Business()
    income = business.pl_account("Sales", business.pl_group("Income"))
    ten = business.tax_code("10%", D(10))
    customer = business.customer("C")
    invoice = business.sales_invoice(
        dt.date(2025, 1, 1), customer, [Line(income, D("37.25"), tax_code=ten)]
    )
    expected = business.expected()
    assert expected.by_account(invoice) == {
        income: D("-37.25"),
        TAX_PAYABLE: D("-3.73"),
        AR: D("40.98"),
    }
    assert expected.customer_balances() == {customer: D("40.98")}


def test_other_rules_of_every_rule():
    business = every_rule()
    n, expected = business.named, business.expected()
    two = expected.by_account(n["inv_two_rates"])
    # 300 − 10 % = 270 → 56.70 at 21 %; 50 at 10 % (no discount) → 5.00; 20 at 4 % → 0.80,
    # its code's account being a P&L account ⇒ Tax payable.
    assert two == {
        n["sales"]: D("-290.00"),
        n["services"]: D("-50.00"),
        TAX_PAYABLE: D("-57.50"),
        n["vat_10_account"]: D("-5.00"),
        AR: D("402.50"),
    }
    assert expected.by_account(n["inv_inclusive"]) == {
        n["sales"]: D("-100.00"),
        TAX_PAYABLE: D("-21.00"),
        AR: D("121.00"),
    }
    assert expected.by_account(n["inv_discount_amount"])[AR] == D("223.85")
    assert expected.by_account(n["inv_round_nearest"]) == {
        n["sales"]: D("-10.35"),
        TAX_PAYABLE: D("-2.17"),
        ROUNDING: D("-0.48"),
        AR: D("13.00"),
    }
    assert expected.by_account(n["inv_round_down"]) == {
        n["sales"]: D("-45.50"),
        ROUNDING: D("0.50"),
        AR: D("45.00"),
    }  # zero-rate code with a Rate set: no tax
    assert expected.by_account(n["inv_group_line"])[SUSPENSE] == D("-5.00")
    assert expected.by_account(n["credit_note"]) == {
        n["sales"]: D("10.00"),
        n["vat_10_account"]: D("1.00"),
        AR: D("-11.00"),
    }
    assert expected.by_account(n["debit_note"]) == {
        n["purchases"]: D("-100.00"),
        TAX_PAYABLE: D("-21.00"),
        AP: D("121.00"),
    }
    assert expected.by_account(n["payment_expense"]) == {
        n["supplies"]: D("50.00"),
        TAX_PAYABLE: D("10.50"),
        CASH: D("-60.50"),
    }
    # Unknown account, Tax payable key and AR without customer ⇒ Suspense; imbalance too.
    assert expected.by_account(n["journal_unbalanced"]) == {
        n["supplies"]: D("25.00"),
        n["loan"]: D("-20.00"),
        SUSPENSE: D("7.00") + D("3.00") + D("4.00") - D("15.00"),
        AP: D("-4.00"),
    }
    transfer = [(x.account, x.bank, x.amount) for x in expected.lines_for(n["transfer"])]
    assert transfer == [(CASH, n["bank"], D("-300.00")), (CASH, n["cash"], D("300.00"))]
    assert expected.bank_balances() == {
        # opening, partial receipt, two invoices, old invoice, payment, expense, transfer, loan
        n["bank"]: D("5000") + D("200") + D("344.85") + D("300") - D("1000") - D("60.50")
        - D("300") + D("500"),
        n["cash"]: D("12.10") - D("200") + D("300"),
    }  # fmt: skip
    # Starting balances on DateTime.MinValue against Retained earnings.
    assert {x.date for x in expected.lines_for(n["bank_sb"])} == {w.MIN_DATE}
    assert expected.balance(RETAINED, upto=dt.date(2000, 1, 1)) == D("-5000") + D("2000") + D(
        "200"
    ) - D("100")


def test_invoice_balance_due_after_partial_receipt_credit_note_and_starting_balance():
    business = every_rule()
    n, expected = business.named, business.expected()
    assert expected.invoice_balance_due(n["inv_two_rates"]) == D("202.50")
    assert expected.invoice_balance_due(n["inv_two_rates"], upto=dt.date(2025, 2, 14)) == D(
        "402.50"
    )
    assert expected.invoice_balance_due(n["inv_example"]) == D("29.98")
    assert expected.invoice_balance_due(n["inv_inclusive"]) == 0
    assert expected.invoice_balance_due(n["inv_discount_amount"]) == 0
    assert expected.invoice_balance_due(n["old_sale"]) == 0
    assert expected.invoice_balance_due(n["old_sale"], upto=dt.date(2025, 1, 1)) == D("300.00")
    assert expected.invoice_balance_due(n["purchase"]) == D("331.00")
    assert expected.invoice_balance_due(n["old_purchase"]) == 0
    assert expected.supplier_balances() == {n["diaz"]: D("-335.00")}
    assert sum(expected.customer_balances().values()) == expected.balance(AR)


def test_templates_and_unknown_rows_post_nothing():
    business = every_rule()
    documents = {line.document for line in business.expected().lines}
    assert w.CLASSES["Receipt"] not in documents and w.CLASSES["SalesInvoice"] not in documents
    assert business.named["unknown_object"] not in documents


def test_receipt_lines_on_cash_or_transfers_and_quantity_columns():
    business = Business()
    bank = business.bank_account("B")
    other = business.bank_account("O")
    income = business.pl_account("I", None)
    receipt = business.receipt(
        dt.date(2025, 1, 1),
        bank,
        [
            Line(CASH, D("5")),
            Line(w.TRANSFERS, D("7"), transfer_account=other),
            Line(income, unit_price=D("2.50"), qty=D("3"), discount_percentage=D(0)),
        ],
        exclusive=True,
    )
    expected = business.expected()
    assert expected.by_account(receipt) == {
        SUSPENSE: D("-5"),
        w.TRANSFERS: D("-7"),
        income: D("-7.50"),
        CASH: D("19.50"),
    }
    content = as_dict(business.content_of(receipt))
    assert content[32] == 1 and content[33] == 1 and content[31] == 1


def test_journal_entry_taxes_are_inclusive():
    business = Business()
    expense = business.pl_account("E", None)
    bank = business.bank_account("B")
    iva = business.tax_code("IVA", D(21))
    entry = business.journal_entry(
        dt.date(2025, 1, 1),
        [
            JournalLine(expense, debit=D("121.00"), tax_code=iva),
            JournalLine(CASH, credit=D("121.00"), bank=bank),
        ],
    )
    assert business.expected().by_account(entry) == {
        expense: D("100.00"),
        TAX_PAYABLE: D("21.00"),
        CASH: D("-121.00"),
    }


def test_half_cents_round_away_from_zero_and_currency_places():
    business = Business()
    business.base_currency("JPY", "Yen", decimal_places=0)
    income = business.pl_account("I", None)
    invoice = business.sales_invoice(
        dt.date(2025, 1, 1), business.customer("C"), [Line(income, D("2.5"))]
    )
    assert business.expected().by_account(invoice) == {income: D("-3"), AR: D("3")}


def test_small_spanish_balances():
    business = small_spanish()
    n, expected = business.named, business.expected()
    assert sum(expected.trial_balance().values()) == 0
    assert expected.customer_balances() == {
        n["ana"]: D("96.80") + D("36.30") - D("96.80"),
        n["ebro"]: D("241.88"),
    }
    assert expected.invoice_balance_due(n["inv1"]) == 0
    assert expected.profit_and_loss(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == {
        n["repairs"]: D("80.00") + D("180.00") + D("19.90") + D("30.00"),
        n["rent"]: D("-600.00"),
    }


def test_raw_rows_are_written_exactly_as_given(tmp_path):
    business = Business()
    business.raw_row("NOT-A-GUID", str(w.CLASSES["SalesInvoice"]).upper(), None)
    business.raw_row(uuid.UUID(int=7), w.CLASSES["Customer"], b"\xff\xff\xff")
    business.image(uuid.UUID(int=7), "image/png", b"\x89PNG")
    db = sqlite3.connect(business.write(tmp_path / "hostile.manager"))
    rows = set(db.execute('SELECT "Key", "ContentType", "Content", "Timestamp" FROM "Objects"'))
    assert ("NOT-A-GUID", str(w.CLASSES["SalesInvoice"]).upper(), None, 0) in rows
    assert (str(uuid.UUID(int=7)), str(w.CLASSES["Customer"]), b"\xff\xff\xff", 0) in rows
    # Raw rows get no automatic history; the Schema row does.
    assert db.execute('SELECT "Object" FROM "Changes"').fetchall() == [(str(w.SCHEMA),)]
    assert db.execute('SELECT "ContentType", "Content" FROM "Images"').fetchall() == [
        ("image/png", b"\x89PNG")
    ]


def test_tar_uses_pax_entries(tmp_path):
    path = every_rule().write_tar(tmp_path / "Ferretería Ejemplo.manager.tar")
    with tarfile.open(path) as tar:
        first = tar.getmembers()[0]
    assert first.pax_headers.get("path") == "Ferretería Ejemplo.manager"
