"""Regenerate ``v1.manager``, the committed sample of format version 1.

Run once when the sample is created: ``python -m tests.archive.samples.make_v1_sample``. Do NOT
regenerate it with a newer writer: it is there so future readers keep importing version 1.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from partida.archive import ArchiveWriter, Company, Manifest

HERE = Path(__file__).parent
COMPANY = UUID("0b5e1a1e-0000-4000-8000-000000000001")
ATTACHMENT = b"%PDF-1.4\n% a tiny receipt\n"


def tables() -> dict[str, list[dict[str, object]]]:
    return {
        "company": [{"id": str(COMPANY), "name": "Sample Co.", "base_currency": "EUR"}],
        "accounts": [
            {
                "id": "0b5e1a1e-0000-4000-8000-000000000010",
                "company_id": str(COMPANY),
                "code": "1000",
                "name": "Bank",
            },
            {
                "id": "0b5e1a1e-0000-4000-8000-000000000011",
                "company_id": str(COMPANY),
                "code": "4000",
                "name": "Sales",
            },
        ],
        "journal_entries": [
            {
                "id": "0b5e1a1e-0000-4000-8000-000000000020",
                "company_id": str(COMPANY),
                "date": "2025-01-15",
                "narration": "Cash sale ñ €",
                "created_at": "2025-01-15T10:00:00+00:00",
            },
        ],
        "journal_entry_lines": [
            {
                "id": "0b5e1a1e-0000-4000-8000-000000000030",
                "entry_id": "0b5e1a1e-0000-4000-8000-000000000020",
                "account_id": "0b5e1a1e-0000-4000-8000-000000000010",
                "amount": "120.50",
            },
            {
                "id": "0b5e1a1e-0000-4000-8000-000000000031",
                "entry_id": "0b5e1a1e-0000-4000-8000-000000000020",
                "account_id": "0b5e1a1e-0000-4000-8000-000000000011",
                "amount": "-120.50",
            },
        ],
        "attachments": [
            {
                "id": "0b5e1a1e-0000-4000-8000-000000000040",
                "entry_id": "0b5e1a1e-0000-4000-8000-000000000020",
                "sha256": hashlib.sha256(ATTACHMENT).hexdigest(),
                "name": "receipt.pdf",
            },
        ],
    }


def main() -> None:
    t = tables()
    manifest = Manifest(
        app_version="0.1.0",
        company=Company(COMPANY, "Sample Co.", "EUR"),
        tables={k: len(v) for k, v in t.items()},
        attachment_count=1,
        attachment_bytes=len(ATTACHMENT),
        created_at=datetime(2025, 1, 31, 9, 0, tzinfo=UTC),
    )
    with open(HERE / "v1.manager", "wb") as f, ArchiveWriter(f, manifest, threads=0) as w:
        for name, rows in t.items():
            w.write_table(name, rows)
        w.write_attachment(
            hashlib.sha256(ATTACHMENT).hexdigest(), len(ATTACHMENT), io.BytesIO(ATTACHMENT)
        )


if __name__ == "__main__":
    main()
