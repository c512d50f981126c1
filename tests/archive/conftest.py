"""Helpers for the archive tests: real backups, and hostile files built by hand."""

from __future__ import annotations

import hashlib
import io
import tarfile
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest
import zstandard

from partida.archive import ArchiveWriter, Company, Manifest
from partida.archive.format import FORMAT_VERSION, make_trailer

COMPANY_ID = uuid.UUID("6f1c2d7e-0000-4000-8000-000000000001")
CREATED = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)


def uid(n: int) -> str:
    return str(uuid.UUID(int=(0x5A << 120) | n))


def sample_tables(n: int = 50) -> dict[str, list[dict[str, Any]]]:
    accounts = [
        {"id": uid(i), "code": f"{1000 + i}", "name": f"Account {i}", "parent_id": None}
        for i in range(10)
    ]
    accounts[5]["parent_id"] = uid(0)
    customers = [
        {"id": uid(100 + i), "name": f"Customer ñ {i}", "email": f"c{i}@example.com"}
        for i in range(n)
    ]
    invoices = [
        {
            "id": uid(1000 + i),
            "customer_id": uid(100 + i % n),
            "date": date(2024, 1 + i % 12, 1 + i % 28).isoformat(),
            "amount": str(Decimal(i) * Decimal("10.25")),
            "paid": bool(i % 2),
            "created_at": datetime(2024, 3, 1, 10, i % 60, tzinfo=UTC).isoformat(),
            "extra": {"lines": [1, 2, i]},
        }
        for i in range(n * 2)
    ]
    return {"accounts": accounts, "customers": customers, "invoices": invoices}


def sample_attachments() -> list[bytes]:
    return [b"%PDF-1.4 receipt " * 300, bytes(range(256)) * 10, b""]


def make_manifest(
    tables: dict[str, list[Any]], attachments: Iterable[bytes] = (), **kw: Any
) -> Manifest:
    atts = list(attachments)
    return Manifest(
        app_version="0.1.0",
        company=Company(COMPANY_ID, "Acme Ltd", "EUR"),
        tables={name: len(rows) for name, rows in tables.items()},
        attachment_count=len(atts),
        attachment_bytes=sum(len(a) for a in atts),
        created_at=kw.pop("created_at", CREATED),
        **kw,
    )


def build_backup(
    tables: dict[str, list[dict[str, Any]]] | None = None,
    attachments: list[bytes] | None = None,
    **kw: Any,
) -> bytes:
    tables = sample_tables() if tables is None else tables
    attachments = sample_attachments() if attachments is None else attachments
    buf = io.BytesIO()
    created = {"created_at": kw.pop("created_at")} if "created_at" in kw else {}
    with ArchiveWriter(buf, make_manifest(tables, attachments, **created), **kw) as w:
        for name, rows in tables.items():
            w.write_table(name, rows)
        for a in attachments:
            w.write_attachment(hashlib.sha256(a).hexdigest(), len(a), io.BytesIO(a))
    return buf.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_bytes(**over: Any) -> bytes:
    d: dict[str, Any] = {
        "format": "partida-backup",
        "format_version": FORMAT_VERSION,
        "app_version": "0.1.0",
        "created_at": "2025-01-31T12:00:00Z",
        "company": {"id": str(COMPANY_ID), "name": "Acme", "base_currency": "EUR"},
        "parts": {"attachments": True, "emails": True, "history": True},
        "tables": {"customers": 2},
        "attachments": {"count": 0, "bytes": 0},
    }
    d.update(over)
    return orjson.dumps(d)


GOOD_ROWS = b'{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n'


def tar_bytes(
    members: list[tuple[str, bytes] | tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]],
) -> bytes:
    """A pax tar with these members, written by the standard library."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tf.addfile(m)
            elif isinstance(m[0], tarfile.TarInfo):
                info, data = m  # type: ignore[misc]
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            else:
                name, data = m  # type: ignore[misc]
                info = tarfile.TarInfo(str(name))
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return out.getvalue()


def seal(tar: bytes) -> bytes:
    """zstd-compress a tar stream and add a CORRECT trailing digest (a forger's work)."""
    body = zstandard.ZstdCompressor(level=3).compress(tar)
    return body + make_trailer(hashlib.sha256(body).digest())


def forge(
    members: list[tuple[str, bytes] | tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]],
    checksums: bool = True,
) -> bytes:
    """A hostile file whose checksums.json and trailer are recomputed to match."""
    members = list(members)
    if checksums:
        sums = {
            m[0]: sha(m[1])  # type: ignore[index,arg-type]
            for m in members
            if isinstance(m, tuple) and isinstance(m[0], str)
        }
        body = orjson.dumps({"algorithm": "sha256", "members": sums})
        members.append(("checksums.json", body))
    return seal(tar_bytes(members))


@pytest.fixture(scope="session")
def backup_bytes() -> bytes:
    return build_backup()


@pytest.fixture
def backup_path(tmp_path: Any, backup_bytes: bytes) -> Any:
    p = tmp_path / "Acme (2025-01-31).manager"
    p.write_bytes(backup_bytes)
    return p
