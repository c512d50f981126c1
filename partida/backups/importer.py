"""Import company: a ``.manager`` file becomes a new company, all or nothing.

One pass over the file: each row is checked as it is read — against the schema, every
reference, the rules of the whole file — and then written where nobody sees it yet: on SQLite
into the import's own staging tables (so the books stay free for everyone else to save), on
PostgreSQL into its uncommitted transaction; each attachment is stored as it comes. Only when
the whole file has been read, its checksums and the digest of the whole file checked, are the
rows made part of the books (SQLite copies the staged rows in one short transaction). A bad
file is refused having changed nothing: the staging is dropped, the transaction rolled back,
the files it stored removed.

Keys are renamed as they are read, by a shift chosen before the file's keys are known. Where
that shift would take some key past the top of the key space (a file whose keys were chosen
near it), the import reads the file twice instead: a first pass checks everything and finds
the largest key, and the second inserts with a shift that leaves room. The second pass does
not validate the rows again: it reads the same bytes, and proves it before committing, by the
SHA-256 of the whole file being the one the first pass checked.

Keys are renamed so that importing one file twice gives two independent companies: every key
is shifted by one random offset for the whole import (modulo 2**128, see ``random_offset``).
Adding the same number to every key keeps references intact (a key and every reference to it
move together, even references to records since deleted, as the history holds) and, where the
keys leave room, keeps their order, so that a backup of the imported company lists its rows in
the same order as the file did.
"""

import dataclasses
import datetime
import hashlib
import os
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import islice
from operator import itemgetter
from typing import Any

import orjson
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils.translation import gettext_lazy

from partida.archive.encryption import Passphrase, open_decrypted
from partida.archive.errors import (
    ArchiveError,
    Corrupted,
    ImportRefused,
    InvalidData,
    ManifestMismatch,
    UnbalancedBooks,
    ValueNotAllowed,
)
from partida.archive.format import TRAILER_SIZE
from partida.archive.limits import Limits
from partida.archive.manifest import Manifest
from partida.archive.reader import ArchiveReader, AttachmentMember, TableMember
from partida.archive.writer import Progress
from partida.attachments.store import discard_new_blobs, store_blob_reporting
from partida.backups.figures import check_imported
from partida.backups.progress import work as weighed_work
from partida.backups.schema import archive_schema, declared_range, table_columns
from partida.backups.staging import Staging
from partida.backups.work_folders import WorkFolder
from partida.books.models import Company, CompanyOrigin, LedgerEntry, SalesInvoice
from partida.books.posting import rebuild_account_days
from partida.books.signals import company_created

INSERT_BATCH = 2000
KEY_SPACE = 2**128


@dataclass(frozen=True)
class Checked:
    manifest: Manifest
    company_key: int
    largest_key: int
    digest: str


def open_backup(
    source,
    progress: Callable | None = None,
    limits: Limits | None = None,
    validate: bool = True,
    convert: bool = True,
    passphrase: Passphrase | None = None,
):
    """A reader of the backup at ``source``; ``passphrase`` reads an encrypted one."""
    return ArchiveReader(
        source,
        schema=archive_schema(),
        progress=progress,
        limits=limits,
        validate_rows=validate,
        convert_rows=convert,
        passphrase=passphrase,
    )


def uuid_columns(table: str) -> list[str]:
    from partida.backups.schema import column_type

    columns = table_columns()[table]
    return [field.attname for field in columns.fields if column_type(field) == "uuid"]


class FileChecks:
    """The rules of a whole file beyond each row's own, checked as its members go by.

    ``rows(member)`` yields the member's rows once each has passed; ``attachment(member)``
    checks a file before it is read; ``result()``, after the last member, gives what the
    import needs to know of the file. The values are the file's text
    (``open_backup(convert=False)``): canonical UUID strings sort as their numbers do, so no
    UUID object is built.
    """

    def __init__(self, reader: ArchiveReader) -> None:
        self.reader = reader
        self.largest = ""
        self.company_keys: list[int] = []
        self.sizes: dict[str, int] = {}  # the size each row that names a file says it has
        self.numbers: set[str] = set()  # the sales invoices' numbers so far

    def rows(self, member: TableMember) -> Iterator[dict[str, Any]]:
        table = member.table
        keys = uuid_columns(table)
        ranges = decimal_ranges().get(table, ())
        largest = self.largest
        for line, row in enumerate(member.rows(), start=1):
            if table == "company":
                check_company_matches_manifest(row, self.reader.manifest)
                self.company_keys.append(key_number(row["id"]))
            elif table in FILE_TABLES:
                check_same_size(self.sizes, row["sha256"], row["size"], table)
            elif table == "sales_invoices":
                check_number_given_once(self.numbers, row["number"], line)
            check_within_ranges(ranges, row, table, line)
            for column in keys:
                value = row[column]
                if value is not None and value > largest:
                    largest = value
            yield row
        self.largest = largest

    def attachment(self, member: AttachmentMember) -> None:
        check_same_size(self.sizes, member.sha256, member.size, "attachments")

    def result(self) -> Checked:
        if len(self.company_keys) != 1:
            # Every other row refers to the company row, so this holds the file together.
            raise InvalidData("data/company.jsonl must hold exactly one company", where="data")
        assert self.reader.digest is not None
        return Checked(
            self.reader.manifest,
            self.company_keys[0],
            key_number(self.largest or "0"),
            self.reader.digest,
        )


def check_backup(reader: ArchiveReader) -> Checked:
    """Read and check the whole file; return its manifest, its largest key and its digest."""
    checks = FileChecks(reader)
    for member in reader.iter_members():
        if isinstance(member, TableMember):
            for _row in checks.rows(member):
                pass
        else:
            checks.attachment(member)
            member._drain()
    return checks.result()


#: Tables whose rows name a file (``sha256``) and say its ``size``.
FILE_TABLES = ("attachments", "email_attachments")


def check_same_size(sizes: dict[str, int], sha256: str, size: int, table: str) -> None:
    """Every row naming a file, and the file itself, agree on its size: a row that says
    otherwise would make a company whose next backup cannot be written."""
    if sizes.setdefault(sha256, size) != size:
        where = f"data/{table}.jsonl, size of {sha256}"
        raise ValueNotAllowed(f"{where}: {size} is not the file's size", where=where)


@cache
def decimal_ranges() -> dict[str, list[tuple[str, Decimal | None, Decimal | None]]]:
    """Table -> its decimal columns whose model declares a least or greatest value (a tax rate
    is within −100 and 100 %): the archive's type says only how many digits they have."""
    ranges: dict[str, list[tuple[str, Decimal | None, Decimal | None]]] = {}
    for table, columns in table_columns().items():
        for field in columns.fields:
            if isinstance(field, models.DecimalField):
                least, greatest = declared_range(field)
                if least is not None or greatest is not None:
                    ranges.setdefault(table, []).append((field.attname, least, greatest))
    return ranges


def check_within_ranges(ranges, row: dict[str, Any], table: str, line: int) -> None:
    for column, least, greatest in ranges:
        value = row[column]
        if value is None:
            continue
        number = Decimal(value)
        if (least is not None and number < least) or (greatest is not None and number > greatest):
            where = f"data/{table}.jsonl, line {line}, {column}"
            raise ValueNotAllowed(f"{where}: {value} is outside {least} to {greatest}", where=where)


def check_number_given_once(numbers: set[str], number: str, line: int) -> None:
    """A sales invoice's number is given once in a company (the database would refuse the
    second only while writing, in words of its own)."""
    if number and number in numbers:
        where = f"data/sales_invoices.jsonl, line {line}, number"
        raise ValueNotAllowed(f"{where}: {number} is the number of an earlier invoice", where=where)
    numbers.add(number)


def check_company_matches_manifest(row: dict[str, Any], manifest: Manifest) -> None:
    """What the manifest says of the company (shown by the preview and ``inspect``) is what
    the import makes: the same key, name and base currency."""
    stated = manifest.company
    for column, value in (
        ("id", str(stated.id)),
        ("name", stated.name),
        ("base_currency", stated.base_currency),
    ):
        if row[column] != value:
            raise ManifestMismatch(f"manifest.json: company.{column} differs from the company row")


def key_number(key: str) -> int:
    return int(key.replace("-", ""), 16)


#: The least room above a file's largest key for a shift that keeps the keys' order: a shift
#: drawn from 2**96 values leaves a file no say in the new keys, and no chance to meet others'.
ORDERED_ROOM = 2**96


def random_offset(largest_key: int) -> int:
    """A random shift of every key, modulo 2**128.

    Where the file's keys leave room (random keys always do: the largest of a million is about
    2**108 below the top), the shift keeps below 2**128, so keys keep their order and a backup
    of the new company lists its rows as the file did. Where they do not (a file that chose
    keys near the top, which would leave room for one shift only, and so decide every new
    key), the shift is drawn from the whole key space and wraps around: the new keys are as
    random as new UUIDs either way, so importing any file any number of times gives companies
    whose keys never meet.
    """
    room = KEY_SPACE - 1 - largest_key
    if room >= ORDERED_ROOM:
        return 1 + secrets.randbelow(room)
    return 1 + secrets.randbelow(KEY_SPACE - 1)


def shift_keys_in(value: Any, offset: int) -> Any:
    """Rename the keys a history snapshot holds: values of ``id`` and ``*_id`` fields."""
    if isinstance(value, list):
        return [shift_keys_in(item, offset) for item in value]
    if not isinstance(value, dict):
        return value
    shifted = {}
    for name, item in value.items():
        if (name == "id" or name.endswith("_id")) and isinstance(item, str):
            try:
                key = uuid.UUID(item)
            except ValueError:
                pass
            else:
                if str(key) == item:
                    item = str(uuid.UUID(int=(key.int + offset) % KEY_SPACE))
        shifted[name] = shift_keys_in(item, offset)
    return shifted


CANONICAL_KEY = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: Renamed keys remembered per import: foreign keys repeat (every row names its company).
REMEMBERED_KEYS = 10_000


class KeyRenamer:
    """One import's renaming: every key plus the same offset, each computed once."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self._known: dict[tuple[str, str], str] = {}

    def _remember(self, form: str, key: str, new: str) -> None:
        if len(self._known) >= REMEMBERED_KEYS:
            self._known.clear()
        self._known[form, key] = new

    def shifted(self, key: str) -> int:
        return (key_number(key) + self.offset) % KEY_SPACE

    def hex(self, key: str) -> str:
        """The renamed key as Django keeps UUIDs in SQLite: 32 hex digits."""
        new = self._known.get(("hex", key))
        if new is None:
            new = f"{self.shifted(key):032x}"
            self._remember("hex", key, new)
        return new

    def canonical(self, key: str) -> str:
        """The renamed key in the canonical ``8-4-4-4-12`` form."""
        new = self._known.get(("canonical", key))
        if new is None:
            new = canonical(self.shifted(key))
            self._remember("canonical", key, new)
        return new

    def _in_document(self, key: str) -> str:
        # Only a canonical key is renamed, as in ``shift_keys_in``.
        new = self._known.get(("document", key))
        if new is None:
            new = canonical(self.shifted(key)) if CANONICAL_KEY.fullmatch(key) else key
            self._remember("document", key, new)
        return new

    def document(self, value: Any) -> Any:
        """The document with the keys it holds renamed, as ``shift_keys_in`` does.

        Measured on the large demo's history, converting its rows with this walk (keys
        remembered) takes half the time that a regular expression over each document's JSON
        text did (1.7 s against 3.4 s for 50,000 rows).
        """
        kind = type(value)
        if kind is dict:
            renamed = {}
            for name, item in value.items():
                if type(item) is str:
                    if len(item) == 36 and (name == "id" or name.endswith("_id")):
                        item = self._in_document(item)
                elif type(item) is dict or type(item) is list:
                    item = self.document(item)
                renamed[name] = item
            return renamed
        if kind is list:
            return [self.document(item) for item in value]
        return value

    def json(self, value: Any) -> str:
        """The document as JSON text with the keys it holds renamed."""
        return orjson.dumps(self.document(value)).decode()


def canonical(key: int) -> str:
    h = f"{key:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def sqlite_datetime(text: str) -> str:
    """A file datetime as Django keeps it in SQLite: naive UTC, ``str(datetime)``."""
    if len(text) == 32 and text[10] == "T" and text.endswith("+00:00") and text[19] == ".":
        moment = f"{text[:10]} {text[11:26]}"
        return moment[:19] if moment.endswith(".000000") else moment
    moment = datetime.datetime.fromisoformat(text).astimezone(datetime.UTC)
    return str(moment.replace(tzinfo=None))


def value_writers(table: str, renamer: KeyRenamer, vendor: str) -> list[tuple[int, Callable]]:
    """(column index, conversion) for the columns whose file value is not the query value."""
    from partida.backups.schema import column_type

    sqlite = vendor == "sqlite"
    writers: list[tuple[int, Callable]] = []
    for index, field in enumerate(table_columns()[table].fields):
        kind = column_type(field)
        if kind == "uuid":
            # Django keeps UUIDs in SQLite as 32 hex digits. A primary key never repeats:
            # nothing to remember.
            if not field.primary_key:
                write = renamer.hex if sqlite else renamer.canonical
            elif sqlite:

                def write(v, shifted=renamer.shifted):
                    return f"{shifted(v):032x}"
            else:

                def write(v, shifted=renamer.shifted):
                    return canonical(shifted(v))
        elif kind == "datetime" and sqlite:
            write = sqlite_datetime
        elif kind == "json":
            write = renamer.json
        else:
            continue  # text, integers, booleans, amounts and dates are already right
        writers.append((index, write))
    return writers


def prepared_rows(
    table: str,
    rows: Iterator[dict[str, Any]],
    renamer: KeyRenamer,
    new_name: str | None,
    vendor: str,
) -> Iterator[list]:
    """The file's rows (checked by the first pass) as lists of query parameters."""
    names = table_columns()[table].columns
    pick = itemgetter(*names)
    writers = value_writers(table, renamer, vendor)
    for row in rows:
        if new_name is not None and table == "company":
            row["name"] = new_name
        values = list(pick(row))
        for index, write in writers:
            value = values[index]
            if value is not None:
                values[index] = write(value)
        yield values


def insert_table(cursor, table: str, rows: Iterator[list]) -> int:
    """Insert the rows in bulk: COPY on PostgreSQL, executemany on SQLite."""
    columns = table_columns()[table]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns.fields)
    db_table = quote(columns.table.model._meta.db_table)
    count = 0
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {db_table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join(["?"] * len(columns.fields))
    sql = f"INSERT INTO {db_table} ({names}) VALUES ({marks})"
    raw = connection.connection.cursor()
    try:
        while batch := list(islice(rows, INSERT_BATCH)):
            raw.executemany(sql, batch)
            count += len(batch)
    finally:
        raw.close()
    return count


class KeysWouldWrap(Exception):
    """The one pass's shift would take some key of the file past the top (see ``in_one_pass``)."""


class Cancelled(BaseException):
    """The person asked the import to stop. A BaseException, like KeyboardInterrupt, so that
    the reader's guards (which turn unexpected errors into "damaged file") let it through."""


#: Each phase's share of the bar, from the times measured on the medium and large demos.
PHASES_SQLITE = (("checking", 25), ("importing", 35), ("saving", 40))
#: SQLite's one pass checks and stages each row as it is read (see ``ImportRun.in_one_pass``).
PHASES_SQLITE_ONE_PASS = (("checking", 55), ("saving", 45))
PHASES_POSTGRESQL_ONE_PASS = (("checking", 85), ("saving", 15))
PHASES_POSTGRESQL = (("checking", 40), ("importing", 60))
PROGRESS_TOTAL = 1000
CHECK_EVERY_SECONDS = 0.2


class ImportProgress:
    """One bar over the import's phases: ``report(phase, done, total)``, and the cancel check.

    ``report`` is called at most five times a second; each call first asks ``cancelled``, and a
    requested cancel stops the import there (it raises ``Cancelled``).
    """

    def __init__(self, report, cancelled, phases) -> None:
        self.report = report
        self.cancelled = cancelled
        self.starts, start = {}, 0
        for phase, weight in phases:
            self.starts[phase] = (start, weight)
            start += weight
        self.scale = PROGRESS_TOTAL / start
        self.phase = self.label = phases[0][0]
        self.last = 0.0

    def begin(self, phase: str) -> None:
        self.phase = self.label = phase
        self.at(0.0, force=True)

    def at(self, fraction: float, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < CHECK_EVERY_SECONDS:
            return
        self.last = now
        if self.cancelled():
            raise Cancelled()
        start, weight = self.starts[self.phase]
        done = int((start + weight * min(max(fraction, 0.0), 1.0)) * self.scale)
        self.report(self.label, done, PROGRESS_TOTAL)

    def of_pass(self, progress: Progress) -> None:
        """The reader's progress through the file, as a fraction of the current phase."""
        done, total = weighed_work(progress)
        self.at(done / total if total else 0.0)

    def end(self) -> None:
        self.report(self.label, PROGRESS_TOTAL, PROGRESS_TOTAL)


def do_import_company(
    source: str | os.PathLike,
    new_name: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    work: WorkFolder | None = None,
    cancelled: Callable[[], bool] | None = None,
    backup_file: str | None = None,
    passphrase: Passphrase | None = None,
) -> Company:
    """Restore a backup as a new company and return it; raise ArchiveError on a bad file.

    ``progress(phase, done, total)`` hears how far it has got (phases ``checking``,
    ``importing``, ``attachments``, ``saving``); ``work`` is the work folder to use (the job's),
    else one of its own. Nothing is written unless the whole file has been checked; if anything
    fails while writing, or the process dies, nothing is left behind: no company, no row, no
    stored file. When ``cancelled()`` (by default: a cancel requested in the work folder) says
    so, the import stops and undoes itself, raising ``Cancelled``. ``backup_file`` is the
    file's name as the person chose it (by default the source's own), which the company's
    origin records. ``passphrase`` opens an encrypted backup: both passes decrypt as they read
    (the key derived once), so the plain books are never written to the disk.
    """
    if work is None:
        with WorkFolder() as own:
            return do_import_company(
                source, new_name, progress, own, cancelled, backup_file, passphrase
            )
    if backup_file is None:
        backup_file = os.path.basename(source) if isinstance(source, str | os.PathLike) else ""
    sqlite = connection.vendor == "sqlite"
    report, cancelled = progress or (lambda *_: None), cancelled or work.cancel_requested
    phases = PHASES_SQLITE_ONE_PASS if sqlite else PHASES_POSTGRESQL_ONE_PASS
    bar = ImportProgress(report, cancelled, phases)
    run = ImportRun(source, None, KeyRenamer(one_pass_offset()), new_name, backup_file)
    company = run.guarded(bar, work, passphrase, run.in_one_pass)
    if company is not None:
        bar.end()
        return company
    # The file has keys near the top, which the one pass's shift would take past it and so
    # out of their order: a first pass finds the largest key, and the shift leaves room.
    bar = ImportProgress(report, cancelled, PHASES_SQLITE if sqlite else PHASES_POSTGRESQL)
    bar.begin("checking")
    work.pause_for_tests("checking")
    checked = check_backup(
        open_backup(source, convert=False, progress=bar.of_pass, passphrase=passphrase)
    )
    run = ImportRun(
        source, checked, KeyRenamer(random_offset(checked.largest_key)), new_name, backup_file
    )
    company = run.guarded(bar, work, passphrase, run.in_two_passes)
    bar.end()
    return company


def one_pass_offset() -> int:
    """The shift of an import that renames each key as it reads it, before it knows the
    file's largest: from the least room random keys leave (see ``random_offset``)."""
    return 1 + secrets.randbelow(ORDERED_ROOM)


def refusal_reason(error: Exception) -> object:
    """The rule a database error says the checked rows break, in the person's words."""
    text = str(error).lower()
    if "overflow" in text or "out of range" in text or "too large" in text:
        return gettext_lazy("a total too large for the books")
    if isinstance(error, IntegrityError | connection.Database.IntegrityError):
        return gettext_lazy("two records share a key, or a record refers to a missing one")
    return gettext_lazy("it breaks a rule of the books")


@dataclass
class ImportRun:
    """One import's writing: the checked file, its renaming, and what it stored."""

    source: str | os.PathLike
    checked: Checked | None  # None until the one pass has read the whole file
    renamer: KeyRenamer
    new_name: str | None
    backup_file: str
    bar: ImportProgress = dataclasses.field(init=False)
    work: WorkFolder = dataclasses.field(init=False)
    new_blobs: list[str] = dataclasses.field(default_factory=list)
    passphrase: Passphrase | None = None

    def guarded(self, bar, work, passphrase, write: Callable[[], Company | None]):
        """``write()``'s company; whatever it stored is removed if it fails or gives None."""
        self.bar, self.work, self.passphrase = bar, work, passphrase
        try:
            company = write()
        except (DatabaseError, connection.Database.Error) as error:
            discard_new_blobs(self.new_blobs)
            raise ImportRefused(str(error), reason=refusal_reason(error)) from None
        except BaseException:
            discard_new_blobs(self.new_blobs)
            raise
        if company is None:
            discard_new_blobs(self.new_blobs)
        return company

    def in_two_passes(self) -> Company:
        self.bar.begin("importing")
        if connection.vendor == "sqlite":
            return self.through_staging()
        with transaction.atomic():
            self.insert_pass(staging=None)
            return self.finish_company()

    def in_one_pass(self) -> Company | None:
        """Each row checked and written as it is read, each file stored; None (nothing kept)
        if some key of the file, shifted by this import's offset, would pass the top of the key
        space and so lose its order.

        On the large demo this reads the file once instead of twice (parsing it, hashing and
        decompressing its 1 GB of files again was a fifth of the import). Nothing is visible
        to anyone before the whole file, its digest included, was checked: on SQLite the rows
        wait in the import's staging tables, on PostgreSQL in its uncommitted transaction. A
        file refused midway leaves its staging dropped, or its transaction rolled back, and
        its files removed.
        """
        self.bar.begin("checking")
        self.work.pause_for_tests("checking")
        if connection.vendor != "sqlite":
            return self.in_one_transaction()
        staging = Staging()
        try:
            self.checked = self.check_and_write(staging)
            if self.keys_would_wrap():
                return None
            self.bar.begin("saving")
            return staging.copy_into_books(self.finish_company, self.bar)
        finally:
            staging.close()

    def keys_would_wrap(self) -> bool:
        assert self.checked is not None
        return self.checked.largest_key + self.renamer.offset >= KEY_SPACE

    def in_one_transaction(self) -> Company | None:
        try:
            with transaction.atomic():
                self.checked = self.check_and_write(staging=None)
                if self.keys_would_wrap():
                    raise KeysWouldWrap()
                self.bar.begin("saving")
                return self.finish_company()
        except KeysWouldWrap:
            return None
        except (DatabaseError, connection.Database.Error):
            # The database refused a row before the whole file was checked: the file may be
            # what is wrong (a later row, its digest), and then that is the sentence to say.
            check_backup(open_backup(self.source, convert=False, passphrase=self.passphrase))
            raise

    def check_and_write(self, staging: Staging | None) -> Checked:
        """The whole file read once, each row checked, then inserted (into ``staging``, or
        the database itself)."""
        reader = open_backup(
            self.source, convert=False, progress=self.bar.of_pass, passphrase=self.passphrase
        )
        checks = FileChecks(reader)
        vendor = "sqlite" if staging is not None else connection.vendor
        for member in reader.iter_members():
            if isinstance(member, TableMember):
                self.bar.label = "checking"
                rows = prepared_rows(
                    member.table, checks.rows(member), self.renamer, self.new_name, vendor
                )
                if staging is not None:
                    staging.insert(member.table, rows)
                else:
                    with connection.cursor() as cursor:
                        insert_table(cursor, member.table, rows)
                self.work.pause_for_tests("importing")
            else:
                self.bar.label = "attachments"
                checks.attachment(member)
                store_attachment(member, self.new_blobs, self.work)
                self.work.pause_for_tests("attachments")
        return checks.result()

    def insert_pass(self, staging: Staging | None) -> None:
        """Every row inserted (into ``staging``, or the database itself), every attachment
        stored, and the file proven to be the very bytes the first pass checked."""
        reader = open_backup(
            self.source, progress=self.bar.of_pass, validate=False, passphrase=self.passphrase
        )
        vendor = "sqlite" if staging is not None else connection.vendor
        try:
            with connection.cursor() as cursor:
                for member in reader.iter_members():
                    if isinstance(member, TableMember):
                        self.bar.label = "importing"
                        rows = prepared_rows(
                            member.table, member.rows(), self.renamer, self.new_name, vendor
                        )
                        if staging is not None:
                            staging.insert(member.table, rows)
                        else:
                            insert_table(cursor, member.table, rows)
                        self.work.pause_for_tests("importing")
                    else:
                        self.bar.label = "attachments"
                        store_attachment(member, self.new_blobs, self.work)
                        self.work.pause_for_tests("attachments")
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            raise Corrupted(f"the file changed while it was imported ({error})") from None
        except (DatabaseError, connection.Database.Error):  # COPY raises the driver's
            # The rows were checked: a database refusing them means the file changed since,
            # unless its bytes are still those checked (then it is the database).
            if not still_the_checked_file(self.source, self.checked.digest, self.passphrase):
                raise Corrupted("the file changed while it was imported") from None
            raise
        if reader.digest != self.checked.digest:
            # The rows were checked in the first pass: only those very bytes may be kept.
            raise Corrupted("the file changed while it was imported")

    def finish_company(self) -> Company:
        """In the import's transaction: what follows from the rows, and the news of a company."""
        assert self.checked is not None
        key = uuid.UUID(int=self.renamer.shifted(canonical(self.checked.company_key)))
        company = Company.objects.get(pk=key)
        check_ledger_balances(company.pk)
        check_drafts_post_nothing(company.pk)
        # Derived from the ledger, not carried in the file; first, so that a daily total no
        # counter holds is refused as such on every engine (PostgreSQL sums figures exactly).
        rebuild_account_days(company.pk)
        # Success only when the new books give the figures the file records of the old ones.
        check_imported(company.pk, self.checked.manifest, self.renamer.canonical)
        # This copy's own origin, not the file's: the file carries the books only.
        CompanyOrigin.objects.create(
            company=company, how=CompanyOrigin.How.IMPORTED, backup_file=self.backup_file[:255]
        )
        # In the same transaction, so a company is never left without its owner.
        company_created.send(sender=Company, company=company)
        self.work.pause_for_tests("committing")
        return company

    def through_staging(self) -> Company:
        """SQLite has one writer at a time: the rows go first into staging tables of the
        import's own (no lock on the books), then into the books in one short transaction.

        The rest of the program keeps saving while the file is checked and staged; only the
        last step, copying the staged rows inside SQLite, holds the write lock.
        """
        staging = Staging()
        try:
            self.insert_pass(staging)
            self.bar.begin("saving")
            return staging.copy_into_books(self.finish_company, self.bar)
        finally:
            staging.close()


def check_ledger_balances(company_id) -> None:
    """Every transaction's ledger entries sum to zero, so the balance sheet balances.

    The one rule of the books that no single row shows: a file whose rows are each valid can
    still post a receipt's debit without its credit. Summed in whole cents, as integers, since
    SQLite keeps amounts as floating point numbers.
    """
    ledger = connection.ops.quote_name(LedgerEntry._meta.db_table)
    company = LedgerEntry._meta.pk.get_db_prep_value(company_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_id FROM {ledger} WHERE company_id = %s GROUP BY source_id "
            f"HAVING SUM(CAST(ROUND(amount * 100) AS BIGINT)) <> 0 LIMIT 1",
            [company],
        )
        unbalanced = cursor.fetchone()
    if unbalanced is not None:
        raise UnbalancedBooks(f"the ledger entries of {unbalanced[0]} do not sum to zero")


def check_drafts_post_nothing(company_id) -> None:
    """A draft invoice is not in the books yet: a file whose draft has ledger entries would
    show in the books an invoice the screens say was never issued."""
    ledger = connection.ops.quote_name(LedgerEntry._meta.db_table)
    invoices = connection.ops.quote_name(SalesInvoice._meta.db_table)
    company = LedgerEntry._meta.pk.get_db_prep_value(company_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.id FROM {invoices} i JOIN {ledger} l ON l.source_id = i.id "
            f"WHERE i.company_id = %s AND i.draft LIMIT 1",
            [company],
        )
        posted = cursor.fetchone()
    if posted is not None:
        raise UnbalancedBooks(f"the draft invoice {posted[0]} has ledger entries")


def still_the_checked_file(source, digest: str, passphrase: Passphrase | None = None) -> bool:
    """Whether the file's bytes before its trailer still hash to the digest first checked
    (an encrypted file's plain bytes: its key was kept from the first pass)."""
    sha = hashlib.sha256()
    if passphrase is not None and passphrase.unlocked:
        try:
            opened = open_decrypted(source, passphrase)
        except ArchiveError:
            return False
    elif isinstance(source, str | os.PathLike):
        opened = open(source, "rb")  # noqa: SIM115 (closed by with)
    else:
        opened = nullcontext(source)
    with opened as f:
        f.seek(0, os.SEEK_END)
        remaining = f.tell() - TRAILER_SIZE
        f.seek(0)
        while remaining > 0:
            chunk = f.read(min(remaining, 1024 * 1024))
            if not chunk:
                return False
            sha.update(chunk)
            remaining -= len(chunk)
    return sha.hexdigest() == digest


def store_attachment(member: AttachmentMember, new_blobs: list[str], work: WorkFolder) -> None:
    # Noted before the file exists: a process killed while storing it leaves the note, and the
    # next start removes the file unless some row uses it.
    work.note("blob", member.sha256)
    sha256, _size, created = store_blob_reporting(member, temp_dir=work.path)
    if created:
        new_blobs.append(sha256)
    if sha256 != member.sha256:
        raise ArchiveError(f"attachments/{member.sha256}: its bytes do not match its name")


__all__ = ["do_import_company", "check_backup", "open_backup", "ArchiveError"]
