"""Import company: a ``.manager`` file becomes a new company, all or nothing.

Two passes over the file. The first reads and checks everything — every checksum, the digest
of the whole file, every row against the schema, every reference — before anything is
written; a bad file is refused having changed nothing. The second inserts the rows in one
database transaction and stores the attachment bytes; on any error the transaction rolls back
and the files it stored are removed again.

Keys are renamed so that importing one file twice gives two independent companies: every key
is shifted by one random offset for the whole import. Adding the same number to every key keeps
references intact (a key and every reference to it move together, even references to records
since deleted, as the history holds) and keeps their order, so that a backup of the imported
company lists its rows in the same order as the file did.
"""

import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from partida.archive.errors import ArchiveError, InvalidData
from partida.archive.limits import Limits
from partida.archive.manifest import Manifest
from partida.archive.reader import ArchiveReader, AttachmentMember, TableMember
from partida.attachments.store import discard_new_blobs, store_blob_reporting
from partida.backups.schema import archive_schema, table_columns
from partida.backups.values import writer_for
from partida.books.models import Company
from partida.books.signals import company_created

INSERT_BATCH = 2000
KEY_SPACE = 2**128


@dataclass(frozen=True)
class Checked:
    manifest: Manifest
    company_key: int
    largest_key: int


def open_backup(source, progress: Callable | None = None, limits: Limits | None = None):
    return ArchiveReader(source, schema=archive_schema(), progress=progress, limits=limits)


def uuid_columns(table: str) -> list[str]:
    from partida.backups.schema import column_type

    columns = table_columns()[table]
    return [field.attname for field in columns.fields if column_type(field) == "uuid"]


def check_backup(reader: ArchiveReader) -> Checked:
    """Read and check the whole file; return its manifest and its largest key."""
    largest = 0
    company_keys = []
    for member in reader.iter_members():
        if isinstance(member, TableMember):
            keys = uuid_columns(member.table)
            for row in member.rows():
                if member.table == "company":
                    company_keys.append(row["id"].int)
                for column in keys:
                    value = row[column]
                    if value is not None and value.int > largest:
                        largest = value.int
        else:
            member._drain()
    if len(company_keys) != 1:
        # Every other row refers to the company row, so this holds the file together.
        raise InvalidData("data/company.jsonl must hold exactly one company", where="data")
    return Checked(reader.manifest, company_keys[0], largest)


def random_offset(largest_key: int) -> int:
    """A random shift that keeps every key below 2**128, so keys keep their order."""
    room = KEY_SPACE - 1 - largest_key
    if room < 1:
        raise InvalidData("the backup's keys leave no room to rename them", where="data")
    return 1 + secrets.randbelow(room)


def json_columns(table: str) -> list[str]:
    from partida.backups.schema import column_type

    columns = table_columns()[table]
    return [field.attname for field in columns.fields if column_type(field) == "json"]


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
                if str(key) == item and key.int + offset < KEY_SPACE:
                    item = str(uuid.UUID(int=key.int + offset))
        shifted[name] = shift_keys_in(item, offset)
    return shifted


def insert_sql(table: str) -> tuple[str, list]:
    columns = table_columns()[table]
    model = columns.table.model
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns.fields)
    marks = ", ".join(["%s"] * len(columns.fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"
    return sql, [writer_for(field, connection) for field in columns.fields]


def prepared_rows(
    table: str, rows: Iterator[dict[str, Any]], offset: int, new_name: str | None
) -> Iterator[tuple]:
    columns = table_columns()[table]
    names = columns.columns
    keys, documents = set(uuid_columns(table)), set(json_columns(table))
    _sql, writers = insert_sql(table)
    plan = [
        (name, name in keys, name in documents, write)
        for name, write in zip(names, writers, strict=True)
    ]
    for row in rows:
        if new_name is not None and table == "company":
            row["name"] = new_name
        values = []
        for name, is_key, is_document, write in plan:
            value = row[name]
            if value is not None:
                if is_key:
                    value = uuid.UUID(int=value.int + offset)
                elif is_document:
                    value = shift_keys_in(value, offset)
            values.append(write(value))
        yield tuple(values)


def insert_table(cursor, table: str, rows: Iterator[tuple]) -> int:
    sql, _writers = insert_sql(table)
    count = 0
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            cursor.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)
        count += len(batch)
    return count


def do_import_company(
    source: str | os.PathLike,
    new_name: str | None = None,
    progress: Callable | None = None,
) -> Company:
    """Restore a backup as a new company and return it; raise ArchiveError on a bad file.

    Nothing is written unless the whole file has been checked; if anything fails while
    writing, nothing is left behind: no company, no row, no stored file.
    """
    checked = check_backup(open_backup(source))
    offset = random_offset(checked.largest_key)
    new_blobs: list[str] = []
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                for member in open_backup(source, progress=progress).iter_members():
                    if isinstance(member, TableMember):
                        rows = prepared_rows(member.table, member.rows(), offset, new_name)
                        insert_table(cursor, member.table, rows)
                    else:
                        store_attachment(member, new_blobs)
            company = Company.objects.get(pk=uuid.UUID(int=checked.company_key + offset))
            # In the same transaction, so a company is never left without its owner.
            company_created.send(sender=Company, company=company)
    except BaseException:
        discard_new_blobs(new_blobs)
        raise
    return company


def store_attachment(member: AttachmentMember, new_blobs: list[str]) -> None:
    sha256, _size, created = store_blob_reporting(member)
    if created:
        new_blobs.append(sha256)
    if sha256 != member.sha256:
        raise ArchiveError(f"attachments/{member.sha256}: its bytes do not match its name")


__all__ = ["do_import_company", "check_backup", "open_backup", "ArchiveError"]
