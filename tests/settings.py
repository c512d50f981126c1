"""Test settings: the application's settings, on SQLite or on a PostgreSQL cluster of its own.

``PARTIDA_TEST_DB=postgresql`` starts a new cluster in a temporary folder for this run (it is
stopped and removed at exit); anything else runs on SQLite.
"""

import os
import tempfile

os.environ.setdefault("PARTIDA_HOME", tempfile.mkdtemp(prefix="partida-test-home-"))

if os.environ.get("PARTIDA_TEST_DB") == "postgresql" and not os.environ.get("DATABASE_URL"):
    from partida.devtools.postgres import PostgresUnavailable, start_cluster

    try:
        _cluster = start_cluster()
    except PostgresUnavailable as error:
        raise SystemExit(str(error)) from None
    os.environ["DATABASE_URL"] = _cluster.url

from partida.settings import *  # noqa: E402, F403

# Hashing with argon2 at full strength makes every sign-in in a test take a moment.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Jobs run within the request in tests, so the test client sees them finished; the browser
# tests turn threads back on to show the progress screen.
PARTIDA_JOBS_IN_THREADS = False

# On SQLite the tests use a database file, as the desktop edition does, not Django's shared-cache
# in-memory database: there, a job's thread and a request could fail at once with "database
# table is locked" (shared-cache table locks ignore the busy timeout), which never happens to
# a user.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.mkdtemp(prefix="partida-test-db-"), "test.sqlite3")
    }
