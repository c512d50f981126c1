"""One consistent moment of the books, read without blocking the people who keep working.

SQLite (WAL mode): a deferred read transaction sees one snapshot while writers carry on.
PostgreSQL: a REPEATABLE READ, READ ONLY transaction, with rows streamed from a server-side
cursor so that a large table never sits in memory.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

FETCH_ROWS = 1000


class Snapshot:
    def __init__(self, raw_connection, vendor: str) -> None:
        self.raw = raw_connection
        self.vendor = vendor
        self._cursors = 0

    @property
    def placeholder(self) -> str:
        return "?" if self.vendor == "sqlite" else "%s"

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        finally:
            cursor.close()
        return row[0] if row else None

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        """Stream the rows of a query."""
        for batch in self.batches(sql, params):
            yield from batch

    def batches(self, sql: str, params: Sequence[Any] = ()) -> Iterator[list[tuple]]:
        """Stream the rows of a query in lists of at most ``FETCH_ROWS``."""
        if self.vendor == "postgresql":
            self._cursors += 1
            cursor = self.raw.cursor(name=f"partida_export_{self._cursors}")
            cursor.itersize = FETCH_ROWS
        else:
            cursor = self.raw.cursor()
        try:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(FETCH_ROWS):
                yield batch
        finally:
            cursor.close()


@contextmanager
def read_snapshot() -> Iterator[Snapshot]:
    """A read-only view of the whole database at one moment."""
    vendor = connection.vendor
    if connection.in_atomic_block:
        # Already inside a transaction (a test, or a caller's own): read within it.
        connection.ensure_connection()
        yield Snapshot(connection.connection, vendor)
        return
    if vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        raw.execute("BEGIN DEFERRED")
        try:
            yield Snapshot(raw, vendor)
        finally:
            raw.execute("ROLLBACK")
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield Snapshot(connection.connection, vendor)
