"""An import's staging tables on SQLite: the new company's rows, before they join the books.

SQLite lets one connection write at a time. Inserting a company's rows straight into the books
holds that lock for the whole import (minutes for a large company), and every save elsewhere,
on the screens or from the command line, would wait and fail. So the import first inserts into
temporary tables of its own connection (SQLite's ``temp`` database, a file of that connection
that no one else sees or waits for), and then copies the rows into the books with one
``INSERT … SELECT`` per table, inside SQLite, in one transaction: the only moment the import
holds the books' write lock.

The staging tables have the books' column names and no types, constraints or indexes: a value
is kept exactly as the import prepared it, and takes its column's type as it is copied, just as
if it had been inserted into the books directly. They are dropped at the end; a process that
dies takes its ``temp`` database with it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice

from django.db import connection, transaction

from partida.backups.schema import table_columns

BATCH = 2000
PREFIX = "partida_staging_"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: How long the import's last step waits for another writer (another import's last step).
WAIT_FOR_WRITERS_MS = 10 * 60 * 1000


@contextmanager
def waiting_for_other_writers(raw) -> Iterator[None]:
    """Everything is checked and staged by now: wait for the write lock rather than fail after
    all that work (screens wait only a moment, see ``partida.errors``)."""
    (before,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.execute(f"PRAGMA busy_timeout = {WAIT_FOR_WRITERS_MS}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(before)}")


class Staging:
    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        # Inside a caller's transaction the books are locked already; otherwise each table is
        # staged in a transaction of the temp database alone, which locks nothing else.
        self.own_transactions = not connection.in_atomic_block
        self.tables: list[tuple[str, str, str, int]] = []  # (books table, staged, columns, rows)
        if self.own_transactions:
            # Nothing staged is ever rolled back (a failed import drops it all), so the temp
            # database keeps no journal: dropping the large demo's staged rows took 10 s of a
            # 250 s import with one, and a quarter of that without. Inside a caller's
            # transaction a rollback may come, and so the journal stays.
            self.raw.execute("PRAGMA temp.journal_mode = OFF")

    def insert(self, table: str, rows: Iterator[list]) -> None:
        columns = table_columns()[table]
        names = ", ".join(quote(field.column) for field in columns.fields)
        db_table = columns.table.model._meta.db_table
        staged = quote(PREFIX + db_table)
        self.raw.execute(f"CREATE TEMP TABLE {staged} ({names})")
        marks = ", ".join(["?"] * len(columns.fields))
        sql = f"INSERT INTO temp.{staged} ({names}) VALUES ({marks})"
        count = 0
        if self.own_transactions:
            self.raw.execute("BEGIN DEFERRED")
        try:
            while batch := list(islice(rows, BATCH)):
                self.raw.executemany(sql, batch)
                count += len(batch)
        finally:
            if self.own_transactions:
                self.raw.execute("COMMIT")
        self.tables.append((quote(db_table), staged, names, count))

    def close(self) -> None:
        for _table, staged, _names, _rows in self.tables:
            self.raw.execute(f"DROP TABLE IF EXISTS temp.{staged}")
        self.tables = []
        if self.own_transactions:
            self.raw.execute("PRAGMA temp.journal_mode = DELETE")  # SQLite's own default

    def copy_into_books(self, finish: Callable, bar) -> object:
        """Copy every staged table into the books in one transaction; ``finish()`` runs last in
        it, and its result is returned. The books' own constraints check every row as it
        arrives (foreign keys at the commit)."""
        total = sum(rows for *_rest, rows in self.tables) or 1
        done = 0
        with (
            waiting_for_other_writers(self.raw),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            for db_table, staged, names, rows in self.tables:
                cursor.execute(
                    f"INSERT INTO main.{db_table} ({names}) SELECT {names} FROM temp.{staged}"
                )
                done += rows
                bar.at(done / total)
            return finish()
