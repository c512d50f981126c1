"""The committed version-1 sample keeps importing, whatever the current format version."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from partida.archive import (
    ATTACHMENTS,
    ArchiveReader,
    AttachmentMember,
    Schema,
    Table,
    TableMember,
    Upgrade,
)
from partida.archive.format import FORMAT_VERSION

SAMPLE = Path(__file__).parent / "samples" / "v1.manager"

SCHEMA = Schema(
    [
        Table("company", {"id": "uuid", "name": "str(200)", "base_currency": "str(3)"}),
        Table(
            "accounts",
            {"id": "uuid", "company_id": "uuid", "code": "str(20)", "name": "str(200)"},
            references={"company_id": "company"},
        ),
        Table(
            "journal_entries",
            {
                "id": "uuid",
                "company_id": "uuid",
                "date": "date",
                "narration": "text",
                "created_at": "datetime",
            },
            references={"company_id": "company"},
        ),
        Table(
            "journal_entry_lines",
            {"id": "uuid", "entry_id": "uuid", "account_id": "uuid", "amount": "decimal(18,2)"},
            references={"entry_id": "journal_entries", "account_id": "accounts"},
        ),
        Table(
            "attachments",
            {"id": "uuid", "entry_id": "uuid", "sha256": "sha256", "name": "str(255)"},
            references={"entry_id": "journal_entries", "sha256": ATTACHMENTS},
            part="attachments",
        ),
        Table("emails", {"id": "uuid"}, part="emails"),
        Table("history", {"id": "uuid"}, part="history"),
    ],
    # These tables are the same in every version: upgrading version 1 changes nothing here.
    upgrades=[Upgrade(from_version=v) for v in range(1, FORMAT_VERSION)],
)


def test_version_1_sample_imports() -> None:
    reader = ArchiveReader(SAMPLE, schema=None)
    m = reader.manifest
    assert m.format_version == 1
    assert m.company.id == UUID("0b5e1a1e-0000-4000-8000-000000000001")
    assert m.created_at == datetime(2025, 1, 31, 9, 0, tzinfo=UTC)
    assert m.tables["journal_entry_lines"] == 2
    reader.verify()


def test_version_1_sample_validates_against_a_schema() -> None:
    # The sample has no emails/history tables although those parts are marked included,
    # so validate with a schema that has only the tables it holds.
    schema = Schema(
        [t for t in SCHEMA.tables.values() if t.part in (None, "attachments")],
        upgrades=SCHEMA.upgrades.values(),
    )
    rows: dict[str, list[dict[str, object]]] = {}
    blobs = {}
    for member in ArchiveReader(SAMPLE, schema=schema).iter_members():
        if isinstance(member, TableMember):
            rows[member.table] = list(member.rows())
        elif isinstance(member, AttachmentMember):
            blobs[member.sha256] = b"".join(member.chunks())
    lines = rows["journal_entry_lines"]
    assert sum(line["amount"] for line in lines) == Decimal(0)  # type: ignore[misc]
    assert rows["journal_entries"][0]["date"] == date(2025, 1, 15)
    assert rows["journal_entries"][0]["narration"] == "Cash sale ñ €"
    (blob,) = blobs.values()
    assert hashlib.sha256(blob).hexdigest() == rows["attachments"][0]["sha256"]
