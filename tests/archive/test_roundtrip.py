"""Writing a backup and reading it back."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import zstandard

from partida.archive import (
    ArchiveReader,
    ArchiveWriter,
    AttachmentMember,
    BackupFailed,
    Manifest,
    Progress,
    TableMember,
    write_atomically,
)
from partida.archive.format import FORMAT_VERSION, TRAILER_SIZE, parse_trailer

from .conftest import (
    COMPANY_ID,
    build_backup,
    make_manifest,
    sample_attachments,
    sample_tables,
)


def read_everything(source: Any) -> tuple[dict[str, list[dict[str, Any]]], dict[str, bytes]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    atts: dict[str, bytes] = {}
    for m in ArchiveReader(source).iter_members():
        if isinstance(m, TableMember):
            tables[m.table] = list(m.rows())
        else:
            atts[m.sha256] = b"".join(m.chunks(1000))
    return tables, atts


def test_round_trip_tables_and_attachments(backup_path: Path) -> None:
    tables, atts = read_everything(backup_path)
    assert tables == sample_tables()
    assert atts == {hashlib.sha256(a).hexdigest(): a for a in sample_attachments()}
    m = ArchiveReader(backup_path).verify()
    assert m.company.id == COMPANY_ID
    assert m.tables == {"accounts": 10, "customers": 50, "invoices": 100}
    assert m.created_at == datetime(2025, 1, 31, 12, 0, tzinfo=UTC)


def test_round_trip_from_a_non_seekable_stream(backup_bytes: bytes) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._b = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            return self._b.readinto(b)

    tables, atts = read_everything(Pipe(backup_bytes))
    assert tables == sample_tables()
    assert len(atts) == 3


def test_python_values_are_written_engine_neutral() -> None:
    rows = [
        (
            UUID(int=1),
            Decimal("1234.50"),
            Decimal("1E+3"),
            datetime(2024, 5, 1, 9, 30),
            datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
            None,
        )
    ]
    cols = ["id", "amount", "big", "naive", "aware", "nothing"]
    buf = io.BytesIO()
    with ArchiveWriter(buf, make_manifest({"t": rows})) as w:
        w.write_table("t", rows, columns=cols)
    buf.seek(0)
    (row,) = ArchiveReader(buf).iter_rows("t")
    assert row == {
        "id": "00000000-0000-0000-0000-000000000001",
        "amount": "1234.50",
        "big": "1000",
        "naive": "2024-05-01T09:30:00+00:00",
        "aware": "2024-05-01T09:30:00+00:00",
        "nothing": None,
    }


def test_data_and_attachment_members_are_byte_identical_across_backups() -> None:
    def members(data: bytes) -> dict[str, bytes]:
        raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data[:-TRAILER_SIZE])).read()
        out = {}
        offset = 0
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tf:
            for info in tf:
                # header + data + padding, exactly as stored in the stream
                end = info.offset_data + info.size + (-info.size % 512)
                out[info.name] = raw[info.offset : end]
                offset = end
        assert offset
        return out

    a = members(build_backup(created_at=datetime(2025, 1, 1, tzinfo=UTC)))
    b = members(build_backup(created_at=datetime(2026, 6, 1, tzinfo=UTC), threads=0))
    assert a.keys() == b.keys()
    for name in a:
        if name.startswith(("data/", "attachments/")):
            assert a[name] == b[name], name
    assert a["manifest.json"] != b["manifest.json"]


def test_same_input_same_file() -> None:
    assert build_backup(threads=0) == build_backup(threads=0)


def test_manifest_is_read_cheaply(tmp_path: Path) -> None:
    big = [{"id": i, "blob": hashlib.sha512(str(i).encode()).hexdigest() * 4} for i in range(60000)]
    data = build_backup({"big": big}, [])
    assert len(data) > 4 * 1024 * 1024

    class Counting(io.BytesIO):
        read_bytes = 0

        def read(self, n: int | None = -1) -> bytes:
            out = super().read(n)
            Counting.read_bytes += len(out)
            return out

    src = Counting(data)
    m = ArchiveReader(src).manifest
    assert m.tables == {"big": 60000}
    assert Counting.read_bytes <= 2 * 1024 * 1024 + 100


def test_real_tar_and_zstd_accept_the_file(backup_path: Path, tmp_path: Path) -> None:
    if not shutil.which("tar") or not shutil.which("zstd"):
        pytest.fail(
            "tar and zstd are needed to show any user can open a backup: install them with "
            "'apt-get install tar zstd' (scripts/test does this when run as root).",
            pytrace=False,
        )
    listing = subprocess.run(
        ["tar", "--zstd", "-tvf", str(backup_path)], capture_output=True, text=True, check=True
    )
    lines = listing.stdout.splitlines()
    names = [line.split()[-1] for line in lines]
    assert names[0] == "manifest.json"
    assert names[1:4] == ["data/accounts.jsonl", "data/customers.jsonl", "data/invoices.jsonl"]
    assert names[-1] == "checksums.json"
    assert all(line.startswith("-rw-r--r-- 0/0") for line in lines)
    assert listing.stderr == ""
    subprocess.run(["zstd", "-q", "-t", str(backup_path)], check=True)
    out = tmp_path / "x"
    out.mkdir()
    subprocess.run(["tar", "--zstd", "-xf", str(backup_path), "-C", str(out)], check=True)
    assert (out / "data/customers.jsonl").read_bytes().count(b"\n") == 50


def test_trailer_covers_every_byte_before_it(backup_bytes: bytes) -> None:
    digest = parse_trailer(backup_bytes[-TRAILER_SIZE:])
    assert digest == hashlib.sha256(backup_bytes[:-TRAILER_SIZE]).digest()


def test_attachments_stream_as_binary_files(backup_path: Path) -> None:
    for m in ArchiveReader(backup_path).iter_members():
        if isinstance(m, AttachmentMember):
            wrapped = io.BufferedReader(m, buffer_size=4096)
            assert hashlib.sha256(wrapped.read()).hexdigest() == m.sha256


def test_unconsumed_members_are_still_checked(backup_path: Path) -> None:
    seen = [m.name for m in ArchiveReader(backup_path).iter_members()]
    assert seen[0] == "data/accounts.jsonl"
    assert len(seen) == 6


def test_progress_is_reported() -> None:
    reports: list[Progress] = []
    build_backup(progress=reports.append)
    assert reports[-1].rows_done == reports[-1].rows_total == 160
    assert reports[-1].bytes_done == reports[-1].bytes_total == sum(map(len, sample_attachments()))


def test_writer_refuses_a_row_count_that_changed() -> None:
    tables = sample_tables()
    m = make_manifest(tables)
    with pytest.raises(BackupFailed) as e, ArchiveWriter(io.BytesIO(), m) as w:
        w.write_table("accounts", tables["accounts"][:-1])
    assert e.value.code == "snapshot_changed"


@pytest.mark.parametrize("damage", ["bytes", "short", "long"])
def test_writer_refuses_a_damaged_attachment(damage: str) -> None:
    data = b"attachment" * 1000
    digest = hashlib.sha256(data).hexdigest()
    stored = {"bytes": b"x" + data[1:], "short": data[:-1], "long": data + b"!"}[damage]
    m = make_manifest({}, [data])
    with pytest.raises(BackupFailed) as e, ArchiveWriter(io.BytesIO(), m) as w:
        w.write_attachment(digest, len(data), io.BytesIO(stored))
    assert e.value.code == "attachment_damaged"
    assert digest in str(e.value)


def test_writer_refuses_tables_out_of_order() -> None:
    tables = sample_tables()
    with pytest.raises(ValueError), ArchiveWriter(io.BytesIO(), make_manifest(tables)) as w:
        w.write_table("customers", tables["customers"])


def test_writer_refuses_an_unserializable_value() -> None:
    with (
        pytest.raises(BackupFailed) as e,
        ArchiveWriter(io.BytesIO(), make_manifest({"t": [1]})) as w,
    ):
        w.write_table("t", [{"x": Decimal("NaN")}])
    assert e.value.code == "unserializable"


def test_manifest_from_a_dict_owns_the_format_fields() -> None:
    m = Manifest.from_dict(
        {
            "format_version": 99,
            "app_version": "0.1.0",
            "created_at": "2025-01-31T12:00:00Z",
            "company": {"id": str(COMPANY_ID), "name": "Acme", "base_currency": "EUR"},
            "parts": {"attachments": False, "emails": True, "history": False},
            "tables": {"accounts": 0},
            "attachments": {"count": 0, "bytes": 0},
        }
    )
    assert m.format_version == FORMAT_VERSION
    assert m.to_dict()["format"] == "partida-backup"


def test_atomic_write_publishes_a_verified_file(tmp_path: Path) -> None:
    tables = sample_tables()
    target = tmp_path / "Acme (2025-01-31).manager"
    with write_atomically(target, make_manifest(tables)) as w:
        for name, rows in tables.items():
            w.write_table(name, rows)
        assert [p.name for p in tmp_path.iterdir()][0].endswith(".partial")
        assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    ArchiveReader(target).verify()


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_atomic_write_leaves_nothing_on_error(tmp_path: Path, exc: type[BaseException]) -> None:
    tables = sample_tables()
    target = tmp_path / "Acme.manager"
    with pytest.raises(exc), write_atomically(target, make_manifest(tables)) as w:
        w.write_table("accounts", tables["accounts"])
        raise exc()
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_leaves_nothing_when_the_backup_fails(tmp_path: Path) -> None:
    tables = sample_tables()
    with (
        pytest.raises(BackupFailed),
        write_atomically(tmp_path / "a.manager", make_manifest(tables)) as w,
    ):
        w.write_table("accounts", tables["accounts"] * 2)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "a.manager"
    target.write_bytes(b"old")
    with pytest.raises(ValueError), write_atomically(target, make_manifest({"x": []})):
        raise ValueError
    assert target.read_bytes() == b"old"
    assert len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize("where", [0.1, 0.5, -1])
def test_a_byte_changed_on_its_way_to_the_disk_is_caught_and_nothing_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: float
) -> None:
    """The file read back must be the bytes written: a disk that changed one is not trusted."""
    import os

    real_fsync = os.fsync

    def fsync_after_flipping_a_byte(fd: int) -> None:
        size = os.fstat(fd).st_size
        at = int(size * where) if where >= 0 else size - 1
        os.pwrite(fd, bytes([os.pread(fd, 1, at)[0] ^ 0x10]), at)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_after_flipping_a_byte)
    tables, attachments = sample_tables(), sample_attachments()
    target = tmp_path / "a.manager"
    with (
        pytest.raises(BackupFailed) as caught,
        write_atomically(target, make_manifest(tables, attachments)) as w,
    ):
        for name, rows in tables.items():
            w.write_table(name, rows)
        for data in attachments:
            w.write_attachment(hashlib.sha256(data).hexdigest(), len(data), io.BytesIO(data))
    assert caught.value.code == "not_stored"
    assert list(tmp_path.iterdir()) == []


def test_rows_given_as_json_lines_read_back_as_the_same_rows(tmp_path: Path) -> None:
    """``write_table_lines`` (rows a database made as JSON) gives the rows ``write_table`` does."""
    import orjson

    tables = sample_tables()
    as_rows, as_lines = tmp_path / "rows.manager", tmp_path / "lines.manager"
    with write_atomically(as_rows, make_manifest(tables)) as w:
        for name, rows in tables.items():
            w.write_table(name, rows)
    with write_atomically(as_lines, make_manifest(tables)) as w:
        for name, rows in tables.items():
            lines = [orjson.dumps(row, default=str) + b"\n" for row in rows]
            w.write_table_lines(name, [b"".join(lines[:3]), b"", b"".join(lines[3:])])
    assert read_everything(as_lines) == read_everything(as_rows)


def test_json_lines_cut_inside_a_row_are_refused(tmp_path: Path) -> None:
    tables = {"accounts": sample_tables()["accounts"]}
    with (
        pytest.raises(BackupFailed) as caught,
        write_atomically(tmp_path / "a.manager", make_manifest(tables)) as w,
    ):
        w.write_table_lines("accounts", [b'{"id":'])
    assert caught.value.code == "unserializable"
    assert list(tmp_path.iterdir()) == []
