"""The cloud edition's tests: PostgreSQL, and moto's standalone S3-compatible server on loopback.

``s3_server`` (session) starts ``python -m moto.server`` on 127.0.0.1 and a free port, waits
until it answers, creates a bucket and points the object store at it through the environment
(``PARTIDA_S3_*``), which the processes the tests start inherit. ``store`` (per test) empties
the bucket first and looks inside it. ``partida_env`` is the environment of a ``partida`` process
working on this test's database, files and store.
"""

import os
import sys
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection

from partida.devtools.s3 import S3Unavailable, start_s3_server

BUCKET = "partida-backups-test"


@dataclass
class S3Server:
    endpoint: str
    bucket: str
    client: object
    environment: dict[str, str]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    try:
        server = start_s3_server(tmp_path_factory.mktemp("moto"), BUCKET)
    except S3Unavailable as error:
        pytest.fail(str(error), pytrace=False)
    try:
        environment = server.environment
        saved = {name: os.environ.get(name) for name in environment}
        os.environ.update(environment)
        try:
            yield S3Server(server.endpoint, BUCKET, server.client(), environment)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    finally:
        server.stop()


class Store:
    """The test bucket, seen from outside Partida."""

    def __init__(self, server: S3Server) -> None:
        self.server = server
        self.client = server.client

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.server.bucket, Prefix=prefix
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.server.bucket, Key=key)["Body"].read()

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.server.bucket, Key=key, Body=data)

    def empty(self) -> None:
        for key in self.keys():
            self.client.delete_object(Bucket=self.server.bucket, Key=key)


@pytest.fixture
def store(s3_server, transactional_db):
    """An empty bucket, and a database whose rows other processes see (committed)."""
    if connection.vendor != "postgresql":
        pytest.fail(
            "The cloud edition's tests need PostgreSQL: run them with PARTIDA_TEST_DB=postgresql.",
            pytrace=False,
        )
    bucket = Store(s3_server)
    bucket.empty()
    yield bucket
    bucket.empty()


def database_url() -> str:
    """The address of the test database (pytest-django's ``test_…`` database)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def partida_env(store, s3_server):
    """The environment of a ``partida`` process of the cloud edition on this test's database,
    files and store."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PARTIDA_TEST_DB", "PARTIDA_EDITION"}
    }
    env.update(s3_server.environment)
    env.update(
        DATABASE_URL=database_url(),
        PARTIDA_HOME=str(settings.PARTIDA_HOME),  # the same attachment files as this process
        LANGUAGE="en",
        PYTHONUNBUFFERED="1",
        PARTIDA_BACKUP_HEARTBEAT_SECONDS="0.5",
        PARTIDA_EDITION="cloud",
        # The same secret key as this process, as every process of one service has: what one
        # seals (a job's passphrase), another opens.
        PARTIDA_SECRET_KEY=settings.SECRET_KEY,
        PARTIDA_SMTP_URL="smtp://127.0.0.1:2525",
    )
    return env


def partida_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "partida", *args]


@pytest.fixture
def english(monkeypatch):
    from django.utils import translation

    monkeypatch.setenv("LANGUAGE", "en")
    with translation.override("en"):
        yield
