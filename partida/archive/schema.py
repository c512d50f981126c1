"""Pure-Python description of the tables in a backup, and validation of their rows.

The Django side describes its tables here (without the archive importing Django)::

    SCHEMA = Schema([
        Table("companies", {"id": "uuid", "name": "str(200)", "base_currency": "str(3)"}),
        Table("accounts", {"id": "uuid", "company_id": "uuid", "parent_id": "uuid",
                           "code": "str(20)", "name": "str(200)"},
              references={"company_id": "companies", "parent_id": "accounts"},
              nullable={"parent_id"}),
        Table("invoices", {"id": "uuid", "date": "date", "amount": "decimal(18,2)", ...},
              references={...}),
        Table("attachments", {"id": "uuid", "sha256": "sha256", ...},
              references={"sha256": ATTACHMENTS}, part="attachments"),
    ])

Column types: ``uuid``, ``str`` / ``str(N)`` (max N characters, default 255), ``text``,
``int`` (64-bit signed), ``bool``, ``decimal`` / ``decimal(D,P)`` (a string in the file:
at most D digits, at most P after the point; default 28,10), ``date`` (``YYYY-MM-DD``),
``datetime`` (ISO 8601 with a UTC offset; converted to an aware UTC datetime), ``json`` (a
JSON object nested at most 32 deep) and ``sha256`` (64 lowercase hex). Numbers, dates and times
are ASCII digits only. Strings may not contain NUL characters; a ``str`` column with
``choices`` holds one of them.

Validation converts each row to Python values (UUID, Decimal, date, aware datetime) and checks:
unknown or missing columns, types, lengths, digits, duplicate keys within a table, references
to keys of earlier tables (or of the same table, checked when the table ends), references to
attachments present in the file, table order, and unknown tables.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final
from uuid import UUID, SafeUUID

from .errors import InvalidData, LimitExceeded, UnusedAttachments, ValueNotAllowed
from .format import TABLE_NAME_RE
from .jsonstrict import deeper_than
from .manifest import PARTS, Manifest

#: Reference target meaning "an attachment present in this backup" (for sha256 columns).
ATTACHMENTS: Final = "@attachments"

_TYPE_RE = re.compile(r"(\w+)(?:\((\d+)(?:,\s*(\d+))?\))?")
# ASCII digits only: Python's \d, int() and Decimal() also take other scripts' digits
# ("１２３" or "١٢٣"), which a database would store as text and sum as zero.
_DECIMAL_RE = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_SHA_RE = re.compile(r"[0-9a-f]{64}")
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
TYPES: Final = (
    "uuid",
    "str",
    "text",
    "int",
    "bool",
    "decimal",
    "date",
    "datetime",
    "json",
    "sha256",
)


class _Bad(Exception):
    """Internal: a value is invalid (message says why)."""


class _TooDeep(_Bad):
    """Internal: a document nests beyond MAX_DOCUMENT_DEPTH (refused with the limit's words)."""


@dataclass(frozen=True, slots=True)
class Column:
    """A column type. ``max_length`` for str; ``max_digits``/``decimal_places`` for decimal."""

    type: str
    max_length: int = 255
    max_digits: int = 28
    decimal_places: int = 10
    #: For ``str``: the only values allowed (None: any string of the length).
    choices: frozenset[str] | None = None
    #: For ``int``: the least and the greatest value allowed (None: the 64-bit range's).
    min_value: int | None = None
    max_value: int | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown column type {self.type!r}")

    @classmethod
    def parse(cls, spec: str | Column) -> Column:
        """``"uuid"``, ``"str(200)"``, ``"decimal(18,2)"``... or a Column (returned as is)."""
        if isinstance(spec, Column):
            return spec
        m = _TYPE_RE.fullmatch(spec.strip())
        if not m:
            raise ValueError(f"bad column type {spec!r}")
        t, a, b = m.group(1), m.group(2), m.group(3)
        if t == "str" and a and not b:
            return cls("str", max_length=int(a))
        if t == "decimal" and a and b:
            return cls("decimal", max_digits=int(a), decimal_places=int(b))
        if a:
            raise ValueError(f"bad column type {spec!r}")
        return cls(t)

    def converter(self, convert: bool = True) -> Callable[[Any], Any]:
        """A function converting one file value to its Python value, raising _Bad.

        ``convert=False``: a function making the same checks that returns the file's value
        unchanged (a first pass that only checks need not build UUIDs and Decimals).
        """
        t = self.type
        if t == "uuid":
            return _uuid if convert else _uuid_text
        if t in ("str", "text"):
            limit = self.max_length if t == "str" else None
            choices = self.choices

            def conv_str(v: Any) -> Any:
                if type(v) is not str:
                    raise _Bad("not a string")
                if choices is not None:
                    if v not in choices:
                        raise _Bad(f"{v[:40]!r} is not one of its choices")
                    return v
                if limit is not None and len(v) > limit:
                    raise _Bad(f"longer than {limit} characters")
                if "\x00" in v:
                    raise _Bad("contains a NUL character")
                return v

            return conv_str
        if t == "int":
            if self.min_value is None and self.max_value is None:
                return _int
            least = _INT_MIN if self.min_value is None else self.min_value
            greatest = _INT_MAX if self.max_value is None else self.max_value

            def conv_int(v: Any) -> int:
                if not least <= _int(v) <= greatest:
                    raise _Bad(f"not an integer from {least} to {greatest}")
                return v  # type: ignore[no-any-return]

            return conv_int
        if t == "bool":
            return _bool
        if t == "decimal":
            whole = self.max_digits - self.decimal_places
            places = self.decimal_places

            def conv_decimal(v: Any) -> Any:
                if type(v) is not str:
                    raise _Bad("not a decimal string")
                m = _DECIMAL_RE.fullmatch(v)
                if m is None:
                    raise _Bad("not a decimal number")
                i, f = m.group(1), m.group(2)
                if len(i.lstrip("0")) > whole or (f is not None and len(f) > places):
                    raise _Bad("too many digits")
                return Decimal(v) if convert else v

            return conv_decimal
        if t == "date":
            return _date if convert else _checked(_date)
        if t == "datetime":
            return _datetime if convert else _checked(_datetime)
        if t == "sha256":
            return _sha256
        return _json


_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_new = object.__new__
_setattr = object.__setattr__
_UNKNOWN = SafeUUID.unknown


def _uuid(v: Any) -> UUID:
    if type(v) is not str or not _UUID_RE.fullmatch(v):
        raise _Bad("not a canonical lowercase UUID")
    # UUID(v) re-parses and normalises; v is already canonical, so build it directly (3x faster).
    u: UUID = _new(UUID)
    _setattr(u, "int", int(v.replace("-", ""), 16))
    _setattr(u, "is_safe", _UNKNOWN)
    return u


def _uuid_text(v: Any) -> str:
    if type(v) is not str or not _UUID_RE.fullmatch(v):
        raise _Bad("not a canonical lowercase UUID")
    return v


def _checked(conv: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        conv(v)
        return v

    return check


def _nullable(conv: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def nullable(v: Any) -> Any:
        return None if v is None else conv(v)

    return nullable


def _int(v: Any) -> int:
    if type(v) is not int or not _INT_MIN <= v <= _INT_MAX:
        raise _Bad("not a 64-bit integer")
    return v


def _bool(v: Any) -> bool:
    if type(v) is not bool:
        raise _Bad("not true/false")
    return v


def _date(v: Any) -> date:
    if type(v) is not str or not _DATE_RE.fullmatch(v):
        raise _Bad("not a YYYY-MM-DD date")
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise _Bad("not a valid date") from None


def _datetime(v: Any) -> datetime:
    if type(v) is not str or not _DATETIME_RE.fullmatch(v):
        raise _Bad("not an ISO 8601 date and time")
    try:
        d = datetime.fromisoformat(v)
    except ValueError:
        raise _Bad("not a valid date and time") from None
    if d.tzinfo is None:
        raise _Bad("date and time without UTC offset")
    try:
        return d.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _Bad("date and time out of range") from None


def _sha256(v: Any) -> str:
    if type(v) is not str or not _SHA_RE.fullmatch(v):
        raise _Bad("not a sha256 hex string")
    return v


def _ignore(_value: Any) -> None:
    return None


#: Deepest nesting of a ``json`` document (an object holding objects...).
MAX_DOCUMENT_DEPTH: Final = 32


def _json(v: Any) -> Any:
    """A document: a JSON object (a record as it was), nested at most MAX_DOCUMENT_DEPTH deep."""
    if type(v) is not dict:
        raise _Bad("not a JSON object")
    if deeper_than(v, MAX_DOCUMENT_DEPTH):
        raise _TooDeep(f"nested deeper than {MAX_DOCUMENT_DEPTH} levels")
    return v


_LOW_64 = (1 << 64) - 1
_RECENT_LOOKUPS = 4096


class SortedKeys:
    """The keys of one table, which arrive in ascending order, in 16 bytes each.

    A set of the keys' strings costs about 110 bytes a key: 25 MB for the large demo's
    referenced tables, a third of an import's memory, growing with the company. Here each key
    is two 64-bit numbers in arrays, found by bisection (in C); recent answers are remembered,
    since most references name a few rows again and again (the company, its accounts).
    Keys given to ``add`` and looked up must be canonical (already checked).
    """

    __slots__ = ("_high", "_low", "_recent")

    def __init__(self) -> None:
        self._high = array("Q")
        self._low = array("Q")
        self._recent: dict[str, bool] = {}

    def add(self, key: str) -> None:
        number = int(key.replace("-", ""), 16)
        self._high.append(number >> 64)
        self._low.append(number & _LOW_64)
        self._recent.pop(key, None)  # it may have been looked up before it came

    def __len__(self) -> int:
        return len(self._high)

    def __contains__(self, key: object) -> bool:
        if type(key) is not str:
            return False
        found = self._recent.get(key)
        if found is None:
            found = self._find(int(key.replace("-", ""), 16))
            if len(self._recent) >= _RECENT_LOOKUPS:
                self._recent.clear()
            self._recent[key] = found
        return found

    def _find(self, number: int) -> bool:
        high, low = number >> 64, number & _LOW_64
        i = bisect_left(self._high, high)
        # Equal high halves are next to each other, their low halves ascending.
        j = bisect_left(self._low, low, i, bisect_right(self._high, high, i))
        return j < len(self._low) and self._high[j] == high and self._low[j] == low


KeyStore = SortedKeys | set[Any]


@dataclass(frozen=True)
class Table:
    """One table: its name, columns (name -> type spec), key column, references, nullables.

    ``references`` maps a column to the table whose key it holds (or :data:`ATTACHMENTS`).
    ``part`` is None (or ``"books"``) for tables always present, or ``"attachments"``,
    ``"emails"``, ``"history"`` for tables present exactly when that optional part is included.
    """

    name: str
    columns: Mapping[str, str | Column]
    key: str | None = "id"
    references: Mapping[str, str] = field(default_factory=dict)
    nullable: Iterable[str] = ()
    part: str | None = None

    def __post_init__(self) -> None:
        if self.part == "books":  # the registry's name for "always included"
            object.__setattr__(self, "part", None)
        if self.part not in (None, *PARTS):
            raise ValueError(f"{self.name}: unknown part {self.part!r}")
        if not TABLE_NAME_RE.fullmatch(self.name):
            raise ValueError(f"bad table name {self.name!r}")
        cols = {c: Column.parse(s) for c, s in self.columns.items()}
        object.__setattr__(self, "columns", cols)
        object.__setattr__(self, "nullable", frozenset(self.nullable))
        for c in (self.key, *self.references, *self.nullable):
            if c is not None and c not in cols:
                raise ValueError(f"{self.name}: unknown column {c!r}")


@dataclass(frozen=True)
class Upgrade:
    """How to bring data of format version ``from_version`` to ``from_version + 1``.

    ``manifest`` transforms the raw manifest dict (before validation); ``renames`` maps old
    table names to new ones; ``rows(table, rows)`` transforms the (renamed) table's rows.
    """

    from_version: int
    manifest: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    renames: Mapping[str, str] = field(default_factory=dict)
    rows: Callable[[str, Iterator[dict[str, Any]]], Iterator[dict[str, Any]]] | None = None


class Schema:
    """The ordered list of tables a backup may hold (parents before children), and upgrades."""

    def __init__(self, tables: Sequence[Table], upgrades: Iterable[Upgrade] = ()) -> None:
        self.tables = {t.name: t for t in tables}
        if len(self.tables) != len(tables):
            raise ValueError("duplicate table names")
        self.order = {name: i for i, name in enumerate(self.tables)}
        self.upgrades = {u.from_version: u for u in upgrades}
        names = set(self.tables)
        self.referenced: set[str] = set()
        #: Whether some column names attachments: then a file carries exactly those it names.
        self.names_attachments = any(
            target == ATTACHMENTS for t in tables for target in t.references.values()
        )
        for t in tables:
            for col, target in t.references.items():
                if target != ATTACHMENTS and target not in names:
                    raise ValueError(f"{t.name}.{col} references unknown table {target!r}")
                if target != ATTACHMENTS and self.order[target] > self.order[t.name]:
                    raise ValueError(f"{t.name}.{col} references later table {target!r}")
                self.referenced.add(target)

    def upgrade_chain(self, version: int, current: int) -> list[Upgrade]:
        """The upgrades to apply to data of ``version``; raises if one is missing."""
        chain = []
        for v in range(version, current):
            if v not in self.upgrades:
                raise ValueError(f"no upgrade from format version {v}")
            chain.append(self.upgrades[v])
        return chain

    def validator(self, manifest: Manifest, convert: bool = True) -> Validator:
        """A fresh validator for one backup; checks the manifest's tables first."""
        return Validator(self, manifest, convert)


def _invalid(where: str, why: str) -> InvalidData:
    return InvalidData(f"{where}: {why}", where=where)


class Validator:
    """Validates and converts the rows of one backup, table after table (one pass)."""

    def __init__(self, schema: Schema, manifest: Manifest, convert: bool = True) -> None:
        self.schema = schema
        self.manifest = manifest
        # False: rows are checked as thoroughly, but yielded as they are in the file.
        self.convert = convert
        self.keys: dict[str, KeyStore] = {}
        self.attachment_refs: set[str] = set()
        last = -1
        for name in manifest.tables:
            t = schema.tables.get(name)
            if t is None:
                raise _invalid("manifest.json", f"unknown table {name!r}")
            if schema.order[name] < last:
                raise _invalid("manifest.json", f"table {name!r} is out of order")
            last = schema.order[name]
        for t in schema.tables.values():
            included = t.part is None or bool(getattr(manifest.parts, t.part))
            if included != (t.name in manifest.tables):
                state = "missing" if included else "present though its part is excluded"
                raise _invalid("manifest.json", f"table {t.name!r} is {state}")

    def rows(
        self, table: str, rows: Iterable[dict[str, Any]], start_line: int = 1
    ) -> Iterator[dict[str, Any]]:
        """Yield the converted rows of ``table``; raise InvalidData on the first bad one."""
        t = self.schema.tables[table]
        where_file = f"data/{table}.jsonl"
        colset = frozenset(t.columns)
        convs = [
            (
                c,
                _nullable(Column.parse(col).converter(self.convert))
                if c in t.nullable
                else Column.parse(col).converter(self.convert),
            )
            for c, col in t.columns.items()
        ]
        convert = self.convert
        key = t.key
        # Rows come in ascending key order, so a duplicate key shows as a key not above the
        # previous one: no set is needed for that. Only tables whose keys other rows refer to
        # keep their keys: UUIDs in 16 bytes each (``SortedKeys``), other keys in a set.
        keep_keys = table in self.schema.referenced
        seen: KeyStore = (
            SortedKeys() if key and Column.parse(t.columns[key]).type == "uuid" else set()
        )
        seen_add = seen.add if keep_keys else _ignore
        previous: Any = None
        ref_checks: list[tuple[str, KeyStore | None, bool]] = []
        for col, target in t.references.items():
            if target == ATTACHMENTS:
                ref_checks.append((col, None, False))
            elif target == table:
                ref_checks.append((col, seen, True))
            else:
                ref_checks.append((col, self.keys.get(target, SortedKeys()), False))
        pending_self: list[tuple[Any, int]] = []
        line = start_line - 1
        for row in rows:
            line += 1
            if row.keys() != colset:
                missing = sorted(colset - row.keys())
                extra = sorted(str(k)[:40] for k in row.keys() - colset)
                raise _invalid(
                    f"{where_file}, line {line}", f"missing columns {missing}, unknown {extra}"
                )
            try:
                if convert:
                    out = {c: conv(row[c]) for c, conv in convs}
                else:
                    for c, conv in convs:
                        conv(row[c])
                    out = row
            except _Bad:
                for c, conv in convs:
                    try:
                        conv(row[c])
                    except _TooDeep as e:
                        where = f"{where_file}, line {line}, column {c}"
                        raise LimitExceeded(f"{where}: {e}", limit="max_json_depth") from None
                    except _Bad as e:
                        where = f"{where_file}, line {line}, column {c}"
                        raise ValueNotAllowed(f"{where}: {e}", where=where) from None
                raise
            if key is not None:
                k = row[key]
                if previous is not None and not k > previous:
                    why = "duplicate key" if k == previous else "key out of ascending order"
                    raise _invalid(f"{where_file}, line {line}", f"{why} {k}")
                previous = k
                seen_add(k)
            for col, keyset, is_self in ref_checks:
                v = row[col]
                if v is None:
                    continue
                if keyset is None:
                    self.attachment_refs.add(v)
                elif v not in keyset:
                    if is_self:
                        pending_self.append((v, line))
                    else:
                        raise _invalid(
                            f"{where_file}, line {line}", f"{col} refers to a missing row"
                        )
            yield out
        for v, ln in pending_self:
            if v not in seen:
                raise _invalid(f"{where_file}, line {ln}", "refers to a missing row")
        if table in self.schema.referenced:
            self.keys[table] = seen

    def finish(self, attachments: set[str]) -> None:
        """Check, at the end of the file, that the attachments are exactly those referenced."""
        missing = self.attachment_refs - attachments
        if missing:
            raise _invalid("attachments", f"{len(missing)} referenced attachments are missing")
        unused = attachments - self.attachment_refs
        if unused and self.schema.names_attachments:
            # A file may carry only the attachments its rows use: nothing would ever refer to
            # another, and storing it would keep bytes nobody can see or delete.
            raise UnusedAttachments(f"{len(unused)} attachments no row refers to")
