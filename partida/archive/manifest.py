"""The manifest: first member of every backup, describing what the file holds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from .errors import InvalidData, NotABackup, UnsupportedVersion
from .figures import FIGURES_VERSION, Figures
from .format import FORMAT_NAME, FORMAT_VERSION, TABLE_NAME_RE
from .jsonstrict import loads_strict

CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

PARTS = ("attachments", "emails", "history")


@dataclass(frozen=True, slots=True)
class Company:
    id: UUID
    name: str
    base_currency: str


@dataclass(frozen=True, slots=True)
class Parts:
    """Which optional parts of the company the backup includes."""

    attachments: bool = True
    emails: bool = True
    history: bool = True


@dataclass(frozen=True, slots=True)
class Manifest:
    """Content of ``manifest.json``.

    The caller fills everything except ``format`` and ``format_version`` (owned by the package):
    ``tables`` maps each table, in the order it will be written, to its row count, and
    ``attachment_count`` / ``attachment_bytes`` give the distinct attachments to be written. These
    are known up front (count them inside the snapshot's read transaction); the writer checks
    them against what is actually written and fails the backup on any difference.

    ``figures`` (format version 4 on) are the books' figures at the snapshot's moment: a file
    of an older version has none (None), and so may one of a newer version read by this
    package, which leaves requiring them to the caller (see FORMAT.md).
    """

    app_version: str
    company: Company
    tables: Mapping[str, int]
    parts: Parts = field(default_factory=Parts)
    attachment_count: int = 0
    attachment_bytes: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    format_version: int = FORMAT_VERSION
    figures: Figures | None = None

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be an aware datetime")
        object.__setattr__(self, "created_at", self.created_at.astimezone(UTC))
        object.__setattr__(self, "tables", dict(self.tables))

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": self.format_version,
            "app_version": self.app_version,
            "created_at": created_at_text(self.created_at),
            "company": {
                "id": str(self.company.id),
                "name": self.company.name,
                "base_currency": self.company.base_currency,
            },
            "parts": {p: getattr(self.parts, p) for p in PARTS},
            "tables": dict(self.tables),
            "attachments": {"count": self.attachment_count, "bytes": self.attachment_bytes},
            **({"figures": self.figures.to_dict()} if self.figures is not None else {}),
        }

    def to_json(self) -> bytes:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2) + b"\n"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Manifest:
        """Build a manifest from the caller's dict (same keys as ``manifest.json``).

        ``format`` and ``format_version`` are ignored if present: the package owns them.
        """
        d = dict(d)
        d["format"] = FORMAT_NAME
        d["format_version"] = FORMAT_VERSION
        if "created_at" not in d:
            d["created_at"] = created_at_text(datetime.now(UTC))
        elif isinstance(d["created_at"], datetime):
            d["created_at"] = created_at_text(d["created_at"])
        if isinstance(d.get("figures"), Figures):
            d["figures"] = d["figures"].to_dict()
        if isinstance(d.get("company"), Mapping) and isinstance(d["company"].get("id"), UUID):
            d["company"] = {**d["company"], "id": str(d["company"]["id"])}
        try:
            return _validate(d)
        except InvalidData as e:
            raise ValueError(f"invalid manifest: {e.detail}") from None


def created_at_text(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def check_format(raw: bytes) -> dict[str, Any]:
    """First checks on untrusted ``manifest.json`` bytes: JSON object, format name, version.

    Returns the raw dict (still of its own version) for the upgrades; raises NotABackup,
    InvalidData or UnsupportedVersion. The version is checked before anything else is read.
    """
    # Read strictly: any integer size (so a format version of any size is named as too new),
    # and no member named twice (a second "format_version" must not win).
    d = loads_strict(raw, "manifest.json")
    if not isinstance(d, dict) or d.get("format") != FORMAT_NAME:
        raise NotABackup("manifest.json has no format 'partida-backup'")
    v = d.get("format_version")
    if type(v) is not int or v < 1:
        raise InvalidData(f"format_version {v!r} is not a positive integer", where="manifest.json")
    if v > FORMAT_VERSION:
        raise UnsupportedVersion(v, f"reader supports format versions 1..{FORMAT_VERSION}")
    return d


def parse(raw: bytes) -> Manifest:
    """Parse and fully validate ``manifest.json`` bytes of the CURRENT version."""
    return _validate(check_format(raw))


def _bad(what: str) -> InvalidData:
    return InvalidData(f"manifest.json: {what}", where="manifest.json")


def _validate(d: dict[str, Any]) -> Manifest:
    def get(m: Mapping[str, Any], key: str, typ: type, where: str) -> Any:
        v = m.get(key)
        if type(v) is not typ:
            raise _bad(f"{where}{key} must be {typ.__name__}")
        return v

    v = d.get("format_version")
    if type(v) is not int or d.get("format") != FORMAT_NAME:
        raise _bad("format")
    app_version = get(d, "app_version", str, "")
    created = get(d, "created_at", str, "")
    try:
        created_at = datetime.fromisoformat(created)
    except ValueError:
        raise _bad("created_at is not ISO 8601") from None
    if created_at.tzinfo is None:
        raise _bad("created_at has no UTC offset")
    company = get(d, "company", dict, "")
    cid = get(company, "id", str, "company.")
    if not CANONICAL_UUID.fullmatch(cid):
        raise _bad("company.id is not a canonical lowercase UUID")
    company_id = UUID(cid)
    name = get(company, "name", str, "company.")
    currency = get(company, "base_currency", str, "company.")
    if len(name) > 1000 or len(currency) > 32 or len(app_version) > 100:
        raise _bad("a text field is too long")
    parts = get(d, "parts", dict, "")
    flags = [get(parts, p, bool, "parts.") for p in PARTS]
    tables = get(d, "tables", dict, "")
    for t, n in tables.items():
        if not TABLE_NAME_RE.fullmatch(t):
            raise _bad(f"table name {t[:80]!r}")
        if type(n) is not int or n < 0:
            raise _bad(f"row count of {t}")
    att = get(d, "attachments", dict, "")
    count = get(att, "count", int, "attachments.")
    size = get(att, "bytes", int, "attachments.")
    if count < 0 or size < 0 or (count == 0 and size != 0):
        raise _bad("attachments count/bytes")
    if not (flags[0] or flags[1]) and count:
        # Files travel with attachments and with emails (what was sent); with neither, none.
        raise _bad("files listed but neither attachments nor emails are included")
    # Before version 4 "figures" meant nothing: an unknown field, ignored.
    figures = Figures.from_dict(d["figures"]) if v >= FIGURES_VERSION and "figures" in d else None
    return Manifest(
        app_version=app_version,
        company=Company(company_id, name, currency),
        tables=tables,
        parts=Parts(*flags),
        attachment_count=count,
        attachment_bytes=size,
        created_at=created_at,
        format_version=v,
        figures=figures,
    )
