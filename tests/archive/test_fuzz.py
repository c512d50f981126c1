"""Fuzzing: mutated backups raise ArchiveError (never another exception, never hang)."""

from __future__ import annotations

import hashlib
import io
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partida.archive import ArchiveError, ArchiveReader, Limits, Schema, Table, TableMember
from partida.archive.format import TRAILER_SIZE, make_trailer

from .conftest import build_backup, sample_tables

ORIGINAL = build_backup(
    {k: v[:8] for k, v in sample_tables(8).items()},
    [b"attachment one" * 20, b"two"],
)
TAR = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(ORIGINAL[:-TRAILER_SIZE])).read()
LIMITS = Limits(max_total_bytes=64 << 20, ratio_grace_bytes=8 << 20)
SCHEMA = Schema(
    [
        Table(
            "accounts",
            {"id": "uuid", "code": "str", "name": "str", "parent_id": "uuid"},
            nullable={"parent_id"},
            references={"parent_id": "accounts"},
        ),
        Table("customers", {"id": "uuid", "name": "str", "email": "str"}),
        Table(
            "invoices",
            {
                "id": "uuid",
                "customer_id": "uuid",
                "date": "date",
                "amount": "decimal",
                "paid": "bool",
                "created_at": "datetime",
                "extra": "json",
            },
            references={"customer_id": "customers"},
        ),
    ]
)

mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.integers(0, 10**9), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("delete"), st.integers(0, 10**9), st.integers(1, 64)),
    st.tuples(st.just("truncate"), st.integers(0, 10**9), st.just(0)),
    st.tuples(st.just("overwrite"), st.integers(0, 10**9), st.binary(min_size=1, max_size=16)),
)


def mutate(data: bytes, ops: list[tuple[str, int, Any]]) -> bytes:
    b = bytearray(data)
    for op, pos, arg in ops:
        pos %= max(len(b), 1)
        if op == "flip" and b:
            b[pos] ^= arg
        elif op == "insert":
            b[pos:pos] = arg
        elif op == "delete":
            del b[pos : pos + arg]
        elif op == "truncate":
            del b[pos:]
        elif op == "overwrite":
            b[pos : pos + len(arg)] = arg
    return bytes(b)


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def boom(*_: Any) -> None:
        raise TimeoutError("reader hung")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def read_fully(data: bytes, schema: Schema | None = None) -> None:
    with time_limit(20):
        try:
            r = ArchiveReader(io.BytesIO(data), limits=LIMITS, schema=schema)
            r.manifest  # noqa: B018
            for m in r.iter_members():
                if isinstance(m, TableMember):
                    for _ in m.rows():
                        pass
                else:
                    while m.read(7000):
                        pass
        except ArchiveError:
            pass


def seal(body: bytes) -> bytes:
    return body + make_trailer(hashlib.sha256(body).digest())


FUZZ = settings(
    max_examples=int(os.environ.get("ARCHIVE_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_file(ops: list[tuple[str, int, Any]]) -> None:
    data = mutate(ORIGINAL, ops)
    if data == ORIGINAL:
        return
    try:
        with time_limit(20):
            ArchiveReader(io.BytesIO(data), limits=LIMITS).verify()
    except ArchiveError:
        return
    raise AssertionError("a changed file was accepted")


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_compressed_stream_with_a_forged_trailer(ops: list[tuple[str, int, Any]]) -> None:
    read_fully(seal(mutate(ORIGINAL[:-TRAILER_SIZE], ops)))


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4), st.booleans())
def test_mutated_tar_recompressed_and_resealed(
    ops: list[tuple[str, int, Any]], with_schema: bool
) -> None:
    tar = mutate(TAR, ops)
    read_fully(
        seal(zstandard.ZstdCompressor(level=1).compress(tar)), SCHEMA if with_schema else None
    )


def test_the_fuzz_base_is_valid() -> None:
    ArchiveReader(io.BytesIO(ORIGINAL), schema=SCHEMA).verify()
