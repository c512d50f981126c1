"""Rows as JSON Lines made by the database itself: the fast way a backup reads a table.

The engine's own JSON row builder (SQLite's ``json_object``, PostgreSQL's ``row_to_json``)
writes each row in C, in the file's form (see ``values.json_value_sql``): no Python object per
value, and valid JSON by construction.

Measured on the large demo, SQLite spends about 2 µs per key turning Django's 32 hex digits
into the canonical ``8-4-4-4-12`` form, and more than that doing it in Python afterwards (a
regular expression over the chunks scans at about 50 MB/s): the company's key, in every row,
is the one given ready-made.
"""

from collections.abc import Iterator
from operator import itemgetter

from django.db import connection, models

from partida.backups.schema import table_columns
from partida.backups.snapshot import Snapshot
from partida.backups.values import json_value_sql


def table_query(snapshot: Snapshot, table: str, owner: str, key_index: str | None = None) -> str:
    """The query giving one JSON text per row, in key order.

    Its parameters are the company's key in canonical form (written into every row as is,
    rather than converted once per row) and then as the owner column holds it. ``key_index``
    (SQLite): read the table through its primary key's index, already in key order, instead
    of sorting the company's rows (see ``key_order_index``).
    """
    columns = table_columns()[table]
    quote = connection.ops.quote_name
    p = snapshot.placeholder
    db_table = quote(columns.table.model._meta.db_table)
    where = f"WHERE t.{owner} = {p} ORDER BY t.id"
    if snapshot.vendor == "sqlite":
        pairs = ", ".join(
            f"'{field.attname}', "
            + (
                p
                if field.attname == owner
                else json_value_sql(field, "sqlite", quote(field.column))
            )
            for field in columns.fields
        )
        source = f"{db_table} AS t" + (f" INDEXED BY {quote(key_index)}" if key_index else "")
        return f"SELECT json_object({pairs}) FROM {source} {where}"
    named = ", ".join(
        f"{p}::text AS {quote(field.attname)}"
        if field.attname == owner
        else f"{json_value_sql(field, 'postgresql', quote(field.column))} AS {quote(field.attname)}"
        for field in columns.fields
    )
    return (
        f"SELECT row_to_json(r)::text FROM {db_table} AS t, LATERAL (SELECT {named}) AS r {where}"
    )


def json_lines(snapshot: Snapshot, sql: str, params: list) -> Iterator[bytes]:
    """Run a query whose rows are one JSON text each; yield them as chunks of JSON Lines."""
    first = itemgetter(0)
    if snapshot.vendor != "sqlite":
        for batch in snapshot.batches(sql, params):
            yield ("\n".join(map(first, batch)) + "\n").encode()
        return
    # SQLite hands over its UTF-8 bytes as they are: no decoding to str and encoding back.
    raw = snapshot.raw
    text_factory, raw.text_factory = raw.text_factory, bytes
    try:
        for batch in snapshot.batches(sql, params):
            yield b"\n".join(map(first, batch)) + b"\n"
    finally:
        raw.text_factory = text_factory


def key_order_index(snapshot: Snapshot, table: str, company_rows: int) -> str | None:
    """On SQLite, the primary key's index when reading the table through it beats sorting.

    Sorting a company's rows holds them in SQLite's sorter, which spills to temporary files
    and merges them. For rows that carry documents (the history's before and after, about
    1 KB a row) that costs more than reading the rows in key order: on the large demo's
    history, 15 s and 11 MB of memory, against 11.7 s and none. For narrow rows (the ledger's)
    sorting is faster (2.5 s against 2.8 s), and so is it when the company owns a small part
    of the table, since reading through the index passes over every company's rows: the index
    is chosen only for rows with documents in a table this company owns at least half of.
    """
    if snapshot.vendor != "sqlite" or not company_rows:
        return None
    columns = table_columns()[table]
    if not any(isinstance(field, models.JSONField) for field in columns.fields):
        return None
    db_table = columns.table.model._meta.db_table
    quote = connection.ops.quote_name
    if snapshot.scalar(f"SELECT COUNT(*) FROM {quote(db_table)}") > 2 * company_rows:
        return None
    return snapshot.scalar("SELECT name FROM pragma_index_list(?) WHERE origin = 'pk'", [db_table])
