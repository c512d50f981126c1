"""The raw floor: what the machine does without Partida's logic.

    python -m bench.floor sqlite-backup SOURCE.sqlite3 COPY.sqlite3

SQLite's online backup API copies the database file page by page, consistently while others
write. The rest of the floor is ``tar`` with ``zstd -3`` (see ``bench/run.py``), and on
PostgreSQL ``pg_dump -Fc`` and ``pg_restore``.
"""

import sqlite3
import sys


def sqlite_backup(source: str, copy: str) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(copy)
    with dst:
        src.backup(dst, pages=-1)
    dst.close()
    src.close()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command != "sqlite-backup":
        raise SystemExit(f"unknown command {command}")
    sqlite_backup(*args)
