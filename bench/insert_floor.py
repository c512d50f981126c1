"""The insert floor: what an import cannot do faster than, on this engine and this machine.

    python -m bench.insert_floor FILE.manager     # PARTIDA_HOME and DATABASE_URL: the target

Before the clock starts, the file is read with the product's own reader and every row is
prepared in memory exactly as ``partida import`` prepares it (keys renamed, values converted,
by ``partida.backups.importer``); the attachments' bytes are read into memory too. The clock
then times only this: in one transaction, through the connection the import uses (the same
settings, so the same durability), every table inserted in file order straight into the books
(``executemany`` in batches on SQLite, ``COPY`` on PostgreSQL, by the importer's own
``insert_table``), every attachment stored by the blob store's own function, and the commit.

It prints one JSON line: ``{"insert_seconds": ..., "rows": ..., "attachments": ...}``. The
process's peak memory holds the whole prepared company, so it measures nothing an import does.
"""

import gc
import io
import json
import sys
import time
from dataclasses import dataclass


@dataclass
class PreparedTable:
    table: str
    rows: list[list]


@dataclass
class Attachment:
    sha256: str
    data: bytes


def prepared_members(path: str) -> list[PreparedTable | Attachment]:
    """The file's members in file order, rows prepared as the import's second pass does."""
    from django.db import connection

    from partida.archive.reader import TableMember
    from partida.backups.importer import (
        KeyRenamer,
        check_backup,
        open_backup,
        prepared_rows,
        random_offset,
    )

    checked = check_backup(open_backup(path, convert=False))
    renamer = KeyRenamer(random_offset(checked.largest_key))
    members: list[PreparedTable | Attachment] = []
    for member in open_backup(path, validate=False).iter_members():
        if isinstance(member, TableMember):
            rows = prepared_rows(member.table, member.rows(), renamer, None, connection.vendor)
            members.append(PreparedTable(member.table, list(rows)))
        else:
            members.append(Attachment(member.sha256, b"".join(member.chunks())))
    return members


def insert_all(members: list[PreparedTable | Attachment]) -> int:
    """Every row into the books and every attachment into the blob store, in one transaction;
    the number of rows inserted."""
    from django.db import connection, transaction

    from partida.attachments.store import store_blob_reporting
    from partida.backups.importer import insert_table

    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for member in members:
            if isinstance(member, PreparedTable):
                count += insert_table(cursor, member.table, iter(member.rows))
            else:
                sha256, _size, _created = store_blob_reporting(io.BytesIO(member.data))
                if sha256 != member.sha256:
                    raise RuntimeError(f"attachment {member.sha256} stored as {sha256}")
    return count


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.db import connection

    (path,) = argv
    members = prepared_members(path)
    connection.ensure_connection()  # as the import's is, by the time it inserts
    # The prepared company is millions of objects the import never holds at once: kept out of
    # the collector's sight, a collection during the inserts does not walk them.
    gc.freeze()
    start = time.perf_counter()
    rows = insert_all(members)
    seconds = time.perf_counter() - start
    attachments = sum(isinstance(member, Attachment) for member in members)
    print(
        json.dumps({"insert_seconds": round(seconds, 3), "rows": rows, "attachments": attachments})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
