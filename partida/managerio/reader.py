"""Reading a Manager.io business file: the container, the SQLite database, and its objects.

A Manager file is untrusted input like any upload. It is never opened where it lies: a bare
``.manager`` is copied into the caller's folder, a ``.manager.tar`` has its first business and
its attachments written there under names of our own (reference §4), and the copy is opened
read-only and immutable, with ``trusted_schema`` off and no extension loading, after
SQLite's own integrity check. Every record is then decoded under the bounds of ``protobuf``.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tarfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from partida.managerio import errors as e
from partida.managerio.classes import CLASSES, DECODED, Record, decode
from partida.managerio.content_types import CLASS_NAMES

SQLITE_MAGIC = b"SQLite format 3\x00"
LEGACY_MAGIC = b"MNGR|"
TAR_MAGIC_AT, TAR_MAGIC = 257, b"ustar"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

#: Most objects (rows of Objects) read: the largest real businesses hold a few hundred thousand.
MAX_OBJECTS = 5_000_000
#: Most rows of Changes or Emails read.
MAX_HISTORY_ROWS = 20_000_000
#: Most members of a ``.manager.tar``: one business and its attachments.
MAX_TAR_MEMBERS = 1_000_000
COPY_CHUNK = 1024 * 1024
REQUIRED_COLUMNS = {"Objects": {"Key", "ContentType", "Content"}}
SCHEMA = uuid.UUID("a9a71e47-82b3-49db-8aec-898adb460a80")
#: .NET ticks (100 ns since 0001-01-01) of the Unix epoch.
UNIX_EPOCH_TICKS = 621_355_968_000_000_000


def kind_of_file(head: bytes) -> str:
    """``"manager"`` (a bare Manager business), ``"manager-tar"``, ``"manager-legacy"``,
    ``"manager-empty"``, or ``"other"`` (Partida's own backups and anything else)."""
    if not head:
        return "manager-empty"
    if head.startswith(SQLITE_MAGIC):
        return "manager"
    if head.startswith(LEGACY_MAGIC):
        return "manager-legacy"
    if head[TAR_MAGIC_AT : TAR_MAGIC_AT + len(TAR_MAGIC)] == TAR_MAGIC:
        return "manager-tar"
    return "other"


def file_kind(path: str | Path) -> str:
    with open(path, "rb") as stream:
        return kind_of_file(stream.read(512))


def is_manager_file(path: str | Path) -> bool:
    return file_kind(path) != "other"


@dataclass
class Change:
    object: uuid.UUID
    user: str
    ticks: int
    before_kind: str | None
    after_kind: str | None
    before: bytes | None
    after: bytes | None


@dataclass
class SentEmail:
    key: uuid.UUID
    object: uuid.UUID | None
    sender: str
    recipients: str
    subject: str
    body: str
    ticks: int
    user: str


@dataclass
class Business:
    """What a Manager business file holds, decoded. ``records`` and ``singletons`` hold the
    classes of ``classes.CLASSES``; ``other_counts`` counts the records of every other class."""

    version: int
    #: The business's name in Manager: its file's name without the extension (§1, §4).
    file_name: str = ""
    records: dict[str, list[Record]] = field(default_factory=dict)
    singletons: dict[str, Record] = field(default_factory=dict)
    by_key: dict[uuid.UUID, Record] = field(default_factory=dict)
    other_counts: Counter[str] = field(default_factory=Counter)
    other_singletons: set[str] = field(default_factory=set)
    changes: list[Change] = field(default_factory=list)
    emails: list[SentEmail] = field(default_factory=list)
    #: Attachment contents: SHA-256 hex -> path of the bytes (from the tar's ``Blobs/``).
    blob_files: dict[str, Path] = field(default_factory=dict)
    #: Legacy attachment contents in the Blobs table: key -> (name, MIME type, bytes).
    table_blobs: dict[uuid.UUID, tuple[str, str, bytes]] = field(default_factory=dict)

    def all(self, kind: str) -> list[Record]:
        return self.records.get(kind, [])

    def singleton(self, kind: str) -> Record:
        """The settings object of ``kind``; a missing one means every field at its default."""
        found = self.singletons.get(kind)
        return found if found is not None else decode(kind, None)

    @property
    def name(self) -> str:
        return str(self.singleton("BusinessDetails").name)

    @property
    def currency(self) -> str:
        return str(self.singleton("BaseCurrency").code)

    @property
    def decimal_places(self) -> int:
        places = self.singleton("BaseCurrency").decimal_places
        return places if 0 < places <= 10 else 2


def read_business(source: str | Path, folder: str | Path) -> Business:
    """Decode the Manager business in ``source``, working in ``folder`` (a fresh private
    folder the caller removes). Raises a ``ManagerFileError`` with one sentence on a bad file."""
    folder = Path(folder)
    kind = file_kind(source)
    if kind == "manager-empty":
        raise e.NeverOpened()
    if kind == "manager-legacy":
        raise e.LegacyFormat(supported=e.SUPPORTED_SCHEMA)
    database = folder / "business.sqlite"
    blob_files: dict[str, Path] = {}
    if kind == "manager-tar":
        blob_files = unpack_tar(source, database, folder / "blobs")
    elif kind == "manager":
        copy_file(source, database)
    else:
        raise e.NotABusiness()
    with open_database(database) as connection:
        business = read_objects(connection)
        business.changes = read_changes(connection)
        business.emails = read_emails(connection)
        business.table_blobs = read_table_blobs(connection)
    business.blob_files = blob_files
    business.file_name = business_name_of(Path(source).name)
    return business


def business_name_of(file_name: str) -> str:
    for extension in (".tar", ".manager", ".bak"):
        if file_name.lower().endswith(extension):
            file_name = file_name[: -len(extension)]
    return file_name


def copy_file(source: str | Path, target: Path) -> None:
    with open(source, "rb") as reading, open(target, "xb") as writing:
        shutil.copyfileobj(reading, writing, COPY_CHUNK)


def unpack_tar(source: str | Path, database: Path, blobs: Path) -> dict[str, Path]:
    """The tar's first ``*.manager`` member written to ``database``, and each ``Blobs/`` member
    kept under the SHA-256 of its bytes, as Manager's import does (the names are not trusted)."""
    blobs.mkdir()
    found: dict[str, Path] = {}
    have_business = False
    try:
        with tarfile.open(source, mode="r:") as archive:
            for count, member in enumerate(archive, start=1):
                if count > MAX_TAR_MEMBERS:
                    raise e.HostileRecord(f"more than {MAX_TAR_MEMBERS} files in the tar")
                if not member.isfile():
                    continue
                is_business = member.name.lower().endswith((".manager", ".bak"))
                if is_business and not have_business:
                    with member_stream(archive, member) as stream, open(database, "xb") as target:
                        shutil.copyfileobj(stream, target, COPY_CHUNK)
                    have_business = True
                elif member.name.startswith("Blobs/"):
                    with member_stream(archive, member) as stream:
                        digest, path = keep_blob(stream, blobs)
                    found.setdefault(digest, path)
    except (tarfile.TarError, EOFError):
        raise e.Damaged(where="the tar archive ends early or is not a tar") from None
    if not have_business:
        raise e.NotABusiness()
    return found


def member_stream(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    stream = archive.extractfile(member)
    assert stream is not None  # a regular file always has a stream
    return stream


def keep_blob(stream: IO[bytes], folder: Path) -> tuple[str, Path]:
    digest = hashlib.sha256()
    temporary = folder / f"incoming-{uuid.uuid4().hex}"
    with open(temporary, "xb") as target:
        while chunk := stream.read(COPY_CHUNK):
            digest.update(chunk)
            target.write(chunk)
    path = folder / digest.hexdigest()
    if path.exists():
        temporary.unlink()
    else:
        temporary.rename(path)
    return digest.hexdigest(), path


class open_database:
    """The copied database, read-only and immutable, with nothing in it trusted."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True
            )
        except sqlite3.Error:
            raise e.Damaged(where="it cannot be opened as a database") from None
        self.connection = connection
        try:
            # Off by default; a Python built without it cannot load extensions at all.
            if hasattr(connection, "enable_load_extension"):
                connection.enable_load_extension(False)
            connection.execute("PRAGMA trusted_schema = OFF")
            (verdict,) = connection.execute("PRAGMA integrity_check(1)").fetchone()
            if verdict != "ok":
                raise e.Damaged(where="its database fails SQLite's integrity check")
            check_tables(connection)
        except sqlite3.DatabaseError:
            connection.close()
            raise e.Damaged(where="its database cannot be read") from None
        except BaseException:
            connection.close()
            raise
        return connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


def table_columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute("SELECT * FROM pragma_table_info(?)", (table,))}


def check_tables(connection: sqlite3.Connection) -> None:
    for table, columns in REQUIRED_COLUMNS.items():
        if not columns <= table_columns(connection, table):
            raise e.NotABusiness()


def parse_guid(text: object, where: str) -> uuid.UUID:
    """A GUID as .NET writes it (lenient, like ``Guid.TryParse``: any case, braces allowed)."""
    if not isinstance(text, str) or len(text) > 38:
        raise e.HostileRecord(f"{where} is not a GUID")
    try:
        return uuid.UUID(text.strip("{}"))
    except ValueError:
        raise e.HostileRecord(f"{where} is not a GUID") from None


def blob_or_none(value: object, where: str) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    raise e.HostileRecord(f"{where} is not binary")


def read_objects(connection: sqlite3.Connection) -> Business:
    rows = connection.execute('SELECT "Key", "ContentType", "Content" FROM "Objects"')
    business = Business(version=0)
    schema = None
    for count, (key_text, type_text, content) in enumerate(rows, start=1):
        if count > MAX_OBJECTS:
            raise e.HostileRecord(f"more than {MAX_OBJECTS} objects")
        key = parse_guid(key_text, "an object's key")
        content_type = parse_guid(type_text, "an object's class")
        content = blob_or_none(content, "an object's content")
        if content_type == SCHEMA:
            if key == SCHEMA:
                schema = decode("Schema", content)
            continue
        name = DECODED.get(content_type)
        if name is None:
            other = CLASS_NAMES.get(str(content_type), "unknown")
            if key == content_type:
                business.other_singletons.add(other)
            else:
                business.other_counts[other] += 1
            continue
        record = decode(name, content, key)
        if key == content_type:
            business.singletons[name] = record  # settings, or a template: never a record
        else:
            business.records.setdefault(name, []).append(record)
            business.by_key[key] = record
    # No Schema row: a new business, which Manager stamps with the current version (§2.5).
    business.version = schema.version if schema is not None else e.SUPPORTED_SCHEMA
    if business.version != e.SUPPORTED_SCHEMA:
        raise e.OtherVersion(found=business.version, supported=e.SUPPORTED_SCHEMA)
    return business


def ticks_of(value: object, where: str) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or not 0 <= value <= 3_155_378_975_999_999_999:
        raise e.HostileRecord(f"{where} is not a time")
    return value


def text_or_empty(value: object, where: str, longest: int = 1_000_000) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > longest:
        raise e.HostileRecord(f"{where} is not text")
    return value


def class_name(value: object, where: str) -> str | None:
    if value is None:
        return None
    guid = parse_guid(value, where)
    if guid.int == 0:
        return None
    return CLASS_NAMES.get(str(guid), "unknown")


def read_changes(connection: sqlite3.Connection) -> list[Change]:
    needed = {"Object", "User", "Timestamp", "ContentTypeBefore", "ContentTypeAfter"}
    needed |= {"ContentBefore", "ContentAfter"}
    if not needed <= table_columns(connection, "Changes"):
        return []
    rows = connection.execute(
        'SELECT "Object", "User", "Timestamp", "ContentTypeBefore", "ContentTypeAfter", '
        '"ContentBefore", "ContentAfter" FROM "Changes" ORDER BY "Timestamp", "Key"'
    )
    changes = []
    for count, row in enumerate(rows, start=1):
        if count > MAX_HISTORY_ROWS:
            raise e.HostileRecord(f"more than {MAX_HISTORY_ROWS} changes")
        changes.append(
            Change(
                object=parse_guid(row[0], "a change's object"),
                user=text_or_empty(row[1], "a change's user", 200),
                ticks=ticks_of(row[2], "a change's time"),
                before_kind=class_name(row[3], "a change's class"),
                after_kind=class_name(row[4], "a change's class"),
                before=blob_or_none(row[5], "a change's content"),
                after=blob_or_none(row[6], "a change's content"),
            )
        )
    return changes


def read_emails(connection: sqlite3.Connection) -> list[SentEmail]:
    needed = {"Key", "Object", "Sender", "Recipient", "Subject", "Body", "Timestamp", "User"}
    if not needed <= table_columns(connection, "Emails"):
        return []
    rows = connection.execute(
        'SELECT "Key", "Object", "Sender", "Recipient", "Subject", "Body", "Timestamp", "User" '
        'FROM "Emails" ORDER BY "Timestamp", "Key"'
    )
    emails = []
    for count, row in enumerate(rows, start=1):
        if count > MAX_HISTORY_ROWS:
            raise e.HostileRecord(f"more than {MAX_HISTORY_ROWS} emails")
        about = parse_guid(row[1], "an email's record") if row[1] else None
        emails.append(
            SentEmail(
                key=parse_guid(row[0], "an email's key"),
                object=about if about and about.int else None,
                sender=text_or_empty(row[2], "an email's sender", 254),
                recipients=text_or_empty(row[3], "an email's recipients", 10_000),
                subject=text_or_empty(row[4], "an email's subject", 500),
                body=text_or_empty(row[5], "an email's body"),
                ticks=ticks_of(row[6], "an email's time"),
                user=text_or_empty(row[7], "an email's user", 200),
            )
        )
    return emails


def read_table_blobs(connection: sqlite3.Connection) -> dict[uuid.UUID, tuple[str, str, bytes]]:
    if not {"Key", "Name", "ContentType", "Content"} <= table_columns(connection, "Blobs"):
        return {}
    blobs = {}
    for key, name, mime, content in connection.execute(
        'SELECT "Key", "Name", "ContentType", "Content" FROM "Blobs"'
    ):
        blobs[parse_guid(key, "a stored file's key")] = (
            text_or_empty(name, "a stored file's name", 255),
            text_or_empty(mime, "a stored file's type", 127) or "application/octet-stream",
            blob_or_none(content, "a stored file's content") or b"",
        )
    return blobs


def utc_seconds(ticks: int) -> float:
    """Seconds since the Unix epoch of a .NET UTC tick count."""
    return (ticks - UNIX_EPOCH_TICKS) / 10_000_000


__all__ = ["Business", "CLASSES", "read_business", "file_kind", "is_manager_file"]
