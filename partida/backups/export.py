"""Writing a company to a ``.manager`` file: one consistent snapshot, streamed, never in memory.

Rows are read with raw SQL from one read transaction, in key order (so an unchanged company
gives the same bytes every time), converted to the archive's neutral form and streamed to the
archive writer; attachment bytes are streamed from the store, each distinct file once.
"""

import datetime
import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from functools import partial

from django.db import connection, models
from django.utils import timezone

import partida
from partida.archive.encryption import DEFAULT_WORK_FACTOR
from partida.archive.figures import Tally
from partida.archive.manifest import Company as ManifestCompany
from partida.archive.manifest import Manifest, Parts
from partida.archive.writer import ArchiveWriter, ProgressCallback, write_atomically
from partida.attachments.store import open_blob
from partida.backups.figures import books_layout, check_written, company_figures
from partida.backups.json_rows import json_lines, key_order_index, table_query
from partida.backups.prefetch import read_ahead
from partida.backups.registry import ATTACHMENTS, EMAILS, HISTORY, Table, tables_for
from partida.backups.schema import table_columns
from partida.backups.snapshot import Snapshot, read_snapshot
from partida.backups.values import reader_for, select_sql, sqlite_datetimes_regular
from partida.books.models import Company

EXTENSION = ".manager"
# Characters no common file system accepts in a name, and control characters.
UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
MAX_NAME_CHARACTERS = 120


def safe_file_stem(name: str) -> str:
    """A name that every file system can hold and that still reads like the original."""
    stem = unicodedata.normalize("NFC", name)
    stem = UNSAFE_IN_FILE_NAMES.sub("-", stem)
    # A leading dot would hide the file; the date always follows, so a trailing dot is fine.
    stem = re.sub(r"\s+", " ", stem).strip().lstrip(".-").strip()
    return stem[:MAX_NAME_CHARACTERS].strip() or "Company"


def default_backup_name(company_name: str, today: datetime.date | None = None) -> str:
    """``<company name> (<YYYY-MM-DD>).manager``, today's local date."""
    today = today or timezone.localdate()
    return f"{safe_file_stem(company_name)} ({today.isoformat()}){EXTENSION}"


def parts_from(attachments: bool = True, emails: bool = True, history: bool = True) -> set[str]:
    chosen = {ATTACHMENTS: attachments, EMAILS: emails, HISTORY: history}
    return {part for part, wanted in chosen.items() if wanted}


def owner_column(table: Table) -> str:
    return "id" if table.name == "company" else "company_id"


def count_rows(snapshot: Snapshot, table: Table, company_id: str) -> int:
    db_table = connection.ops.quote_name(table.model._meta.db_table)
    sql = f"SELECT COUNT(*) FROM {db_table} WHERE {owner_column(table)} = {snapshot.placeholder}"
    return snapshot.scalar(sql, [company_id])


def table_json(snapshot: Snapshot, table: Table, company_id: str, rows: int) -> Iterator[bytes]:
    """The table's ``rows`` rows as JSON Lines the database makes (see ``json_rows``), in chunks.

    The query runs in a thread of its own (``read_ahead``) while the caller hashes and
    compresses. Requires ``sql_can_write``.
    """
    index = key_order_index(snapshot, table.name, rows)
    sql = table_query(snapshot, table.name, owner_column(table), index)
    params = [str(uuid.UUID(company_id)), company_id]
    return read_ahead(partial(json_lines, snapshot, sql, params))


def sql_can_write(snapshot: Snapshot, table: Table, company_id: str) -> bool:
    """Whether the database can put every value of the table in the file's form itself."""
    fields = table_columns()[table.name].fields
    return all(regular_values(snapshot, table, field, company_id) for field in fields)


def table_rows(snapshot: Snapshot, table: Table, company_id: str) -> Iterator[dict]:
    """The table's rows as the file's dicts, columns in the schema's order.

    The careful way, for tables ``table_json`` cannot write: the database converts the values
    it can (see ``select_sql``), Python the others.
    """
    columns = table_columns()[table.name]
    quote = connection.ops.quote_name
    owner = owner_column(table)
    db_table = quote(table.model._meta.db_table)
    selects, converters = [], []
    for field in columns.fields:
        column = quote(field.column)
        sql, convert = select_sql(field, snapshot.vendor, column)
        if sql != column and not regular_values(snapshot, table, field, company_id):
            sql, convert = column, reader_for(field, snapshot.vendor)  # the careful way
        selects.append(sql)
        if convert is not None:
            converters.append((field.attname, convert))
    sql = (
        f"SELECT {', '.join(selects)} FROM {db_table} "
        f"WHERE {owner} = {snapshot.placeholder} ORDER BY id"
    )
    dicts = map(dict, map(partial(zip, columns.columns), snapshot.rows(sql, [company_id])))
    if not converters:
        return dicts
    return converted(dicts, converters)


def converted(rows: Iterator[dict], converters: list[tuple[str, Callable]]) -> Iterator[dict]:
    for row in rows:
        for name, convert in converters:
            row[name] = convert(row[name])
        yield row


def regular_values(snapshot: Snapshot, table: Table, field, company_id: str) -> bool:
    """Whether SQL may convert this column: SQLite datetimes must have Django's usual form."""
    if snapshot.vendor != "sqlite" or not isinstance(field, models.DateTimeField):
        return True
    quote = connection.ops.quote_name
    sql = (
        f"SELECT COUNT(*) FROM {quote(table.model._meta.db_table)} "
        f"WHERE {owner_column(table)} = ? AND NOT ({sqlite_datetimes_regular(quote(field.column))})"
    )
    return snapshot.scalar(sql, [company_id]) == 0


def blob_list(snapshot: Snapshot, company_id: str, parts: set[str]) -> list[tuple[str, int]]:
    """The distinct files the backup carries: attachments' and sent emails' files."""
    p = snapshot.placeholder
    selects = []
    if ATTACHMENTS in parts:
        selects.append(f"SELECT sha256, size FROM attachments_attachment WHERE company_id = {p}")
    if EMAILS in parts:
        selects.append(f"SELECT sha256, size FROM mail_emailattachment WHERE company_id = {p}")
    if not selects:
        return []
    sql = f"SELECT DISTINCT sha256, size FROM ({' UNION '.join(selects)}) AS blobs ORDER BY sha256"
    return list(snapshot.rows(sql, [company_id] * len(selects)))


def company_key(company_id, vendor: str) -> str:
    return company_id.hex if vendor == "sqlite" else str(company_id)


def plan_backup(
    snapshot: Snapshot, company: Company, parts: set[str]
) -> tuple[Manifest, list[tuple[str, int]]]:
    """The manifest (row counts and the books' figures of this snapshot) and the distinct
    files to carry."""
    key = company_key(company.pk, snapshot.vendor)
    counts = {table.name: count_rows(snapshot, table, key) for table in tables_for(parts)}
    if counts["company"] != 1:
        raise Company.DoesNotExist("The company was deleted before its backup could start.")
    blobs = blob_list(snapshot, key, parts)
    documents = {kind: counts[table] for kind, table in books_layout().documents.items()}
    manifest = Manifest(
        app_version=partida.__version__,
        company=ManifestCompany(
            id=company.pk, name=company.name, base_currency=company.base_currency
        ),
        tables=counts,
        parts=Parts(
            attachments=ATTACHMENTS in parts, emails=EMAILS in parts, history=HISTORY in parts
        ),
        attachment_count=len(blobs),
        attachment_bytes=sum(size for _, size in blobs),
        figures=company_figures(company.pk, documents),  # in the snapshot's transaction
    )
    return manifest, blobs


def fill_backup(
    writer: ArchiveWriter,
    snapshot: Snapshot,
    company: Company,
    parts: set[str],
    blobs: list[tuple[str, int]],
) -> None:
    key = company_key(company.pk, snapshot.vendor)
    tally = Tally(books_layout())  # the figures again, from the rows as they are written
    for table in tables_for(parts):
        if sql_can_write(snapshot, table, key):
            rows = writer.manifest.tables[table.name]  # counted in this snapshot
            lines = table_json(snapshot, table, key, rows)
            writer.write_table_lines(table.name, tally.lines(table.name, lines))
        else:
            writer.write_table(table.name, tally.rows(table.name, table_rows(snapshot, table, key)))
    check_written(tally, writer.manifest.figures)
    for sha256, size in blobs:
        with open_blob(sha256) as blob:
            writer.write_attachment(sha256, size, blob)


def write_backup(
    company: Company, fileobj, parts: set[str], progress: ProgressCallback | None = None
) -> Manifest:
    """Write the company, with the optional ``parts``, to ``fileobj`` as one snapshot."""
    with read_snapshot() as snapshot:
        manifest, blobs = plan_backup(snapshot, company, parts)
        with ArchiveWriter(fileobj, manifest, progress=progress) as writer:
            fill_backup(writer, snapshot, company, parts, blobs)
    return manifest


def work_factor() -> int:
    """scrypt's work factor for encrypted backups: age's own 18 (256 MiB, about a second),
    unless the ``PARTIDA_SCRYPT_WORK_FACTOR`` setting lowers it (the tests do, to stay fast)."""
    from django.conf import settings

    return int(getattr(settings, "PARTIDA_SCRYPT_WORK_FACTOR", DEFAULT_WORK_FACTOR))


def backup_to_file(
    company: Company,
    path: str | os.PathLike,
    parts: set[str],
    progress: ProgressCallback | None = None,
    passphrase: str | None = None,
) -> Manifest:
    """Write the backup to ``path`` atomically: the file appears only complete and verified.

    With a ``passphrase`` the file is encrypted with age (scrypt), as ``age -p`` would: the
    same ``.manager`` bytes inside, streamed (see ``partida.archive.encryption``).
    """
    with read_snapshot() as snapshot:
        manifest, blobs = plan_backup(snapshot, company, parts)
        encryption = {"passphrase": passphrase, "work_factor": work_factor()} if passphrase else {}
        with write_atomically(path, manifest, progress=progress, **encryption) as writer:
            fill_backup(writer, snapshot, company, parts, blobs)
    return manifest
