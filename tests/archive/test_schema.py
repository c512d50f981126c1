"""Row validation against a declared schema (what the Django side describes)."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partida.archive import (
    ATTACHMENTS,
    ArchiveReader,
    ArchiveWriter,
    Column,
    InvalidData,
    Parts,
    Schema,
    Table,
    TableMember,
)

from .conftest import make_manifest, uid

SCHEMA = Schema(
    [
        Table("company", {"id": "uuid", "name": "str(50)"}),
        Table(
            "accounts",
            {"id": "uuid", "company_id": "uuid", "parent_id": "uuid", "code": "str(10)"},
            references={"company_id": "company", "parent_id": "accounts"},
            nullable={"parent_id"},
        ),
        Table(
            "invoices",
            {
                "id": "uuid",
                "account_id": "uuid",
                "date": "date",
                "amount": "decimal(12,2)",
                "paid": "bool",
                "number": "int",
                "notes": "text",
                "created_at": "datetime",
                "extra": "json",
            },
            references={"account_id": "accounts"},
        ),
        Table(
            "attachments",
            {"id": "uuid", "invoice_id": "uuid", "sha256": "sha256"},
            references={"invoice_id": "invoices", "sha256": ATTACHMENTS},
            part="attachments",
        ),
        Table("history", {"id": "int", "what": "text"}, part="history"),
    ]
)

ATT = b"receipt bytes"
ATT_SHA = hashlib.sha256(ATT).hexdigest()


def good() -> dict[str, list[dict[str, Any]]]:
    return {
        "company": [{"id": uid(1), "name": "Acme"}],
        "accounts": [
            # Keys ascend; the first row refers forward to its parent, the second row.
            {"id": uid(11), "company_id": uid(1), "parent_id": uid(12), "code": "4000"},
            {"id": uid(12), "company_id": uid(1), "parent_id": None, "code": "1000"},
        ],
        "invoices": [
            {
                "id": uid(20),
                "account_id": uid(11),
                "date": "2024-02-29",
                "amount": "-1234.50",
                "paid": False,
                "number": 7,
                "notes": "ok",
                "created_at": "2024-02-29T23:30:00-02:00",
                "extra": {"a": [1]},
            }
        ],
        "attachments": [{"id": uid(30), "invoice_id": uid(20), "sha256": ATT_SHA}],
        "history": [{"id": 1, "what": "created"}],
    }


def backup(tables: dict[str, list[dict[str, Any]]], atts: list[bytes] | None = None, **kw: Any):
    atts = [ATT] if atts is None else atts
    buf = io.BytesIO()
    with ArchiveWriter(buf, make_manifest(tables, atts, **kw)) as w:
        for name, rows in tables.items():
            w.write_table(name, rows)
        for a in atts:
            w.write_attachment(hashlib.sha256(a).hexdigest(), len(a), io.BytesIO(a))
    buf.seek(0)
    return buf


def read(buf: io.BytesIO) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for m in ArchiveReader(buf, schema=SCHEMA).iter_members():
        if isinstance(m, TableMember):
            out[m.table] = list(m.rows())
    return out


def test_rows_are_converted_to_python_values() -> None:
    rows = read(backup(good()))
    inv = rows["invoices"][0]
    assert inv["id"] == UUID(uid(20))
    assert inv["date"] == date(2024, 2, 29)
    assert inv["amount"] == Decimal("-1234.50")
    assert inv["created_at"] == datetime(2024, 3, 1, 1, 30, tzinfo=UTC)
    assert inv["extra"] == {"a": [1]}
    assert rows["accounts"][1]["parent_id"] is None
    assert rows["attachments"][0]["sha256"] == ATT_SHA


def change(table: str, **values: Any) -> dict[str, list[dict[str, Any]]]:
    t = good()
    t[table][0].update(values)
    return t


@pytest.mark.parametrize(
    ("table", "values"),
    [
        ("invoices", {"amount": "1.234"}),
        ("invoices", {"amount": "12345678901.00"}),
        ("invoices", {"amount": "1e3"}),
        ("invoices", {"amount": "NaN"}),
        ("invoices", {"amount": 12.5}),
        ("invoices", {"amount": " 1.00"}),
        ("invoices", {"date": "2023-02-29"}),
        ("invoices", {"date": "20240101"}),
        ("invoices", {"date": None}),
        ("invoices", {"created_at": "2024-01-01T10:00:00"}),
        ("invoices", {"created_at": "2024-01-01"}),
        ("invoices", {"paid": 0}),
        ("invoices", {"number": True}),
        ("invoices", {"number": 2**63}),
        ("invoices", {"number": "7"}),
        ("invoices", {"notes": "nul\x00byte"}),
        ("invoices", {"notes": 5}),
        ("invoices", {"id": "6F1C2D7E-0000-4000-8000-000000000001"}),
        ("invoices", {"id": "{6f1c2d7e-0000-4000-8000-000000000001}"}),
        ("invoices", {"id": "not-a-uuid"}),
        ("invoices", {"account_id": uid(99)}),
        ("invoices", {"surprise": 1}),
        ("company", {"name": "x" * 51}),
        ("accounts", {"parent_id": uid(98)}),
        ("attachments", {"sha256": "A" * 64}),
    ],
)
def test_invalid_values_are_refused(table: str, values: dict[str, Any]) -> None:
    with pytest.raises(InvalidData) as e:
        read(backup(change(table, **values)))
    assert f"data/{table}.jsonl, line 1" in str(e.value)


def test_missing_column() -> None:
    t = good()
    del t["invoices"][0]["notes"]
    with pytest.raises(InvalidData):
        read(backup(t))


def test_duplicate_keys() -> None:
    t = good()
    t["accounts"][1]["id"] = uid(11)
    with pytest.raises(InvalidData, match="line 2") as caught:
        read(backup(t))
    assert "duplicate key" in caught.value.detail


def test_keys_out_of_order() -> None:
    """Rows are written in ascending key order; a file that is not was not made by Partida."""
    t = good()
    t["accounts"].reverse()
    with pytest.raises(InvalidData, match="line 2") as caught:
        read(backup(t))
    assert "ascending" in caught.value.detail


def test_reference_to_an_attachment_not_in_the_file() -> None:
    t = change("attachments", sha256="0" * 64)
    with pytest.raises(InvalidData):
        read(backup(t))


def test_unknown_table() -> None:
    t = good() | {"ghosts": []}
    with pytest.raises(InvalidData, match="manifest"):
        read(backup(t))


def test_tables_in_the_wrong_order() -> None:
    t = good()
    t = {"accounts": t["accounts"], "company": t["company"], **t}
    with pytest.raises(InvalidData):
        read(backup(t))


def test_a_table_missing_although_its_part_is_included() -> None:
    t = good()
    del t["history"]
    with pytest.raises(InvalidData, match="manifest"):
        read(backup(t))


def test_optional_parts_left_out() -> None:
    t = good()
    del t["history"], t["attachments"]
    rows = read(backup(t, [], parts=Parts(attachments=False, emails=True, history=False)))
    assert set(rows) == {"company", "accounts", "invoices"}


def test_column_specs() -> None:
    assert Column.parse("str(20)") == Column("str", max_length=20)
    assert Column.parse("decimal(18, 2)") == Column("decimal", max_digits=18, decimal_places=2)
    for bad in ["float", "uuid(3)", "decimal(3)", "str(a)"]:
        with pytest.raises(ValueError):
            Column.parse(bad)


def test_schema_refuses_references_to_later_tables() -> None:
    with pytest.raises(ValueError):
        Schema(
            [
                Table("a", {"id": "uuid", "b_id": "uuid"}, references={"b_id": "b"}),
                Table("b", {"id": "uuid"}),
            ]
        )


@settings(max_examples=200, deadline=None)
@given(
    numbers=st.lists(
        st.integers(0, 2**128 - 1)
        | st.integers(0, 3).map(lambda low: (7 << 64) + low),  # equal high halves
        unique=True,
        max_size=60,
    ),
    probes=st.lists(
        st.integers(0, 2**128 - 1) | st.integers(0, 5).map(lambda low: (7 << 64) + low)
    ),
)
def test_sorted_keys_hold_exactly_the_keys_added(numbers: list[int], probes: list[int]) -> None:
    """The 16-byte key store answers as a set would, before and after a key arrives."""
    from partida.archive.schema import SortedKeys

    def text(number: int) -> str:
        return str(UUID(int=number))

    keys = SortedKeys()
    added: set[str] = set()
    for number in sorted(numbers):
        for probe in probes:  # asked before it came, as a self-reference may be
            assert (text(probe) in keys) == (text(probe) in added)
        keys.add(text(number))
        added.add(text(number))
    for probe in probes + numbers:
        assert (text(probe) in keys) == (text(probe) in added)
    assert len(keys) == len(added)
