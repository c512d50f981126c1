"""Untrusted input: every bad file is refused with one clear ArchiveError, within bounds."""

from __future__ import annotations

import hashlib
import io
import tarfile
from typing import Any

import orjson
import pytest
import zstandard

from partida.archive import (
    ArchiveError,
    ArchiveReader,
    Corrupted,
    Encrypted,
    InvalidData,
    LimitExceeded,
    Limits,
    NotABackup,
    Truncated,
    UnsafeMember,
    UnsupportedVersion,
)
from partida.archive.format import FORMAT_VERSION, TRAILER_SIZE, make_trailer

from .conftest import GOOD_ROWS, forge, manifest_bytes, seal, sha, tar_bytes


def refuse(data: bytes, exc: type[ArchiveError] = ArchiveError, **kw: Any) -> ArchiveError:
    """The file is refused by verify(), both from a seekable and from a one-pass stream."""
    with pytest.raises(exc) as e:
        ArchiveReader(io.BytesIO(data), **kw).verify()
    err = e.value
    assert err.message.endswith(".") and err.message.count(". ") == 0, err.message
    assert str(err) == err.message
    return err


def good_members() -> list[tuple[str, bytes]]:
    return [("manifest.json", manifest_bytes()), ("data/customers.jsonl", GOOD_ROWS)]


def test_a_forged_but_well_formed_file_is_accepted() -> None:
    """The helpers themselves make valid files: each test below changes one thing."""
    ArchiveReader(io.BytesIO(forge(good_members()))).verify()


def test_empty_file() -> None:
    err = refuse(b"", NotABackup)
    assert err.code == "empty"
    assert "empty" in str(err) and "copy the backup again" in str(err)


@pytest.mark.parametrize(
    "data", [b"PK\x03\x04 a zip file" * 10, b"x", bytes(200), b"SQLite format 3\x00" + bytes(90)]
)
def test_not_zstd(data: bytes) -> None:
    refuse(data, NotABackup)


def test_zstd_but_not_tar() -> None:
    refuse(seal(b"hello, world\n" * 100), NotABackup)


def test_plain_tar_zstd_without_our_manifest() -> None:
    refuse(forge([("data/customers.jsonl", GOOD_ROWS)]), NotABackup)


def test_a_foreign_tar_member_first() -> None:
    refuse(seal(tar_bytes([("README", b"hi")])), UnsafeMember)


def test_encrypted_backup_is_recognised() -> None:
    err = refuse(b"age-encryption.org/v1\n-> scrypt abc 18\n", Encrypted)
    assert "passphrase" in str(err)


def test_truncated_anywhere(backup_bytes: bytes) -> None:
    step = max(1, len(backup_bytes) // 150)
    for cut in [*range(1, len(backup_bytes), step), len(backup_bytes) - 1]:
        refuse(backup_bytes[:cut], (Truncated, NotABackup))  # type: ignore[arg-type]


def test_truncated_stream_without_seeking(backup_bytes: bytes) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._b = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            return self._b.readinto(b)

    for cut in range(100, len(backup_bytes), max(1, len(backup_bytes) // 40)):
        with pytest.raises((Truncated, Corrupted)):
            ArchiveReader(Pipe(backup_bytes[:cut])).verify()


def test_missing_trailer_is_refused(backup_bytes: bytes) -> None:
    err = refuse(backup_bytes[:-TRAILER_SIZE], Truncated)
    assert err.code == "truncated"


def test_wrong_trailer_digest_is_refused(backup_bytes: bytes) -> None:
    refuse(backup_bytes[:-TRAILER_SIZE] + make_trailer(bytes(32)), Corrupted)


def test_extra_bytes_after_the_trailer(backup_bytes: bytes) -> None:
    refuse(backup_bytes + b"\0", Truncated)


def test_any_single_byte_changed(backup_bytes: bytes) -> None:
    positions = range(0, len(backup_bytes), max(1, len(backup_bytes) // 400))
    for pos in [*positions, len(backup_bytes) - 1]:
        data = bytearray(backup_bytes)
        data[pos] ^= 0x40
        refuse(bytes(data))


def test_every_byte_of_a_small_file() -> None:
    small = forge(good_members())
    for pos in range(len(small)):
        data = bytearray(small)
        data[pos] ^= 0x01
        refuse(bytes(data))


# -- forged files: checksums and trailer recomputed, structure must still hold ------------


@pytest.mark.parametrize(
    "name",
    [
        "../evil",
        "/etc/passwd",
        "data/../../evil.jsonl",
        "data/Customers.jsonl",
        "data/customers.json",
        "data/sub/customers.jsonl",
        "attachments/ABCDEF",
        "attachments/" + "A" * 64,
        "attachments/" + "a" * 63,
        "notes.txt",
        "./manifest.json",
        "data\\customers.jsonl",
        "data/cüstomers.jsonl",
    ],
)
def test_member_names_outside_the_allowed_set(name: str) -> None:
    err = refuse(forge([*good_members(), (name, b"x")]), UnsafeMember)
    assert err.code == "unsafe_member"


def test_long_pax_path_outside_the_allowed_set() -> None:
    refuse(forge([*good_members(), ("data/" + "a" * 200 + ".jsonl", b"")]), UnsafeMember)


@pytest.mark.parametrize(
    "kind",
    [
        tarfile.SYMTYPE,
        tarfile.LNKTYPE,
        tarfile.DIRTYPE,
        tarfile.FIFOTYPE,
        tarfile.CHRTYPE,
        tarfile.BLKTYPE,
        tarfile.CONTTYPE,
    ],
)
def test_links_devices_directories(kind: bytes) -> None:
    info = tarfile.TarInfo("data/x.jsonl")
    info.type = kind
    info.linkname = "/etc/passwd"
    refuse(forge([*good_members(), info]), UnsafeMember)


def test_gnu_long_name() -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, data in good_members():
            info = tarfile.TarInfo(name if name != "data/customers.jsonl" else "a" * 150)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    refuse(seal(raw.getvalue()), ArchiveError)


def test_global_pax_header() -> None:
    raw = io.BytesIO()
    with tarfile.open(
        fileobj=raw, mode="w", format=tarfile.PAX_FORMAT, pax_headers={"comment": "x"}
    ) as tf:
        for name, data in good_members():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    refuse(seal(raw.getvalue()), ArchiveError)


def test_duplicate_members() -> None:
    refuse(forge([*good_members(), ("data/customers.jsonl", GOOD_ROWS)]), UnsafeMember)
    refuse(forge([*good_members(), ("manifest.json", manifest_bytes())]), UnsafeMember)


def test_missing_manifest() -> None:
    refuse(forge([("data/customers.jsonl", GOOD_ROWS)]), NotABackup)


def test_manifest_not_first() -> None:
    refuse(forge(list(reversed(good_members()))), NotABackup)


def test_missing_checksums() -> None:
    refuse(forge(good_members(), checksums=False), Corrupted)


def test_checksums_not_last() -> None:
    members = good_members()
    sums = orjson.dumps({"algorithm": "sha256", "members": {n: sha(d) for n, d in members}})
    att = b"late"
    data = seal(tar_bytes([*members, ("checksums.json", sums), ("attachments/" + sha(att), att)]))
    refuse(data, Corrupted)


def test_checksums_that_do_not_match() -> None:
    members = good_members()
    sums = {n: sha(d) for n, d in members}
    sums["data/customers.jsonl"] = sha(b"other")
    body = orjson.dumps({"algorithm": "sha256", "members": sums})
    refuse(seal(tar_bytes([*members, ("checksums.json", body)])), Corrupted)


@pytest.mark.parametrize(
    "body",
    [b"[]", b"{", b'{"algorithm": "md5", "members": {}}', b'{"algorithm": "sha256"}'],
)
def test_malformed_checksums(body: bytes) -> None:
    refuse(seal(tar_bytes([*good_members(), ("checksums.json", body)])), ArchiveError)


def test_checksums_listing_a_member_that_does_not_exist() -> None:
    members = good_members()
    sums = {n: sha(d) for n, d in members} | {"data/ghost.jsonl": sha(b"")}
    body = orjson.dumps({"algorithm": "sha256", "members": sums})
    refuse(seal(tar_bytes([*members, ("checksums.json", body)])), Corrupted)


def test_table_in_manifest_but_absent() -> None:
    m = manifest_bytes(tables={"customers": 2, "invoices": 0})
    refuse(forge([("manifest.json", m), ("data/customers.jsonl", GOOD_ROWS)]), InvalidData)


def test_table_absent_before_attachments() -> None:
    m = manifest_bytes(tables={"customers": 2}, attachments={"count": 1, "bytes": 1})
    refuse(forge([("manifest.json", m), ("attachments/" + sha(b"a"), b"a")]), InvalidData)


def test_table_not_in_manifest() -> None:
    refuse(forge([*good_members(), ("data/ghosts.jsonl", b"")]), InvalidData)


def test_tables_in_another_order_than_the_manifest() -> None:
    m = manifest_bytes(tables={"a": 0, "b": 0})
    refuse(forge([("manifest.json", m), ("data/b.jsonl", b""), ("data/a.jsonl", b"")]), InvalidData)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_row_count_differs_from_manifest(count: int) -> None:
    m = manifest_bytes(tables={"customers": count})
    err = refuse(forge([("manifest.json", m), ("data/customers.jsonl", GOOD_ROWS)]), InvalidData)
    assert "data/customers.jsonl" in str(err)


def test_attachment_whose_bytes_do_not_hash_to_its_name() -> None:
    m = manifest_bytes(attachments={"count": 1, "bytes": 5})
    data = forge(
        [
            ("manifest.json", m),
            ("data/customers.jsonl", GOOD_ROWS),
            ("attachments/" + sha(b"right"), b"wrong"),
        ]
    )
    refuse(data, Corrupted)


def test_attachments_not_matching_the_manifest_totals() -> None:
    att = ("attachments/" + sha(b"abc"), b"abc")
    for totals in [{"count": 0, "bytes": 0}, {"count": 2, "bytes": 6}, {"count": 1, "bytes": 2}]:
        m = manifest_bytes(attachments=totals)
        refuse(forge([("manifest.json", m), ("data/customers.jsonl", GOOD_ROWS), att]), InvalidData)


def test_files_when_neither_attachments_nor_emails_are_included() -> None:
    """Files travel with attachments and with emails; with neither part there are none."""
    m = manifest_bytes(
        parts={"attachments": False, "emails": False, "history": True},
        attachments={"count": 1, "bytes": 3},
    )
    att = ("attachments/" + sha(b"abc"), b"abc")
    refuse(forge([("manifest.json", m), ("data/customers.jsonl", GOOD_ROWS), att]), InvalidData)


@pytest.mark.parametrize(
    "rows",
    [
        b'{"id": 1}\n{"id": \n',
        b'{"id": 1}\n\n',
        b'{"id": 1}\n[1, 2]\n',
        b'{"id": 1}\n"text"\n',
        b'{"id": 1}\nnull\n',
        b'{"id": 1}\n{"id": 2}',
        b'{"id": 1}\n{"id": NaN}\n',
        b'{"id": 1}\n\xff\xfe\n',
    ],
)
def test_invalid_rows(rows: bytes) -> None:
    m = manifest_bytes(tables={"customers": 2})
    err = refuse(forge([("manifest.json", m), ("data/customers.jsonl", rows)]), InvalidData)
    assert err.code == "invalid_data"


def test_a_newer_format_version_is_refused_before_anything_else() -> None:
    newer = FORMAT_VERSION + 1
    m = manifest_bytes(format_version=newer, tables="whatever", future={"x": 1})
    data = seal(tar_bytes([("manifest.json", m), ("future/thing.bin", b"x" * 100)]))
    for read in (lambda r: r.manifest, lambda r: r.verify()):
        with pytest.raises(UnsupportedVersion) as e:
            read(ArchiveReader(io.BytesIO(data)))
        assert e.value.version_needed == newer
        assert e.value.code == "unsupported_version"
        assert f"format version {newer}" in str(e.value)
        assert "upgrade Partida" in str(e.value)


def test_newer_version_with_a_known_app_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from partida.archive import errors

    newer = FORMAT_VERSION + 1
    monkeypatch.setitem(errors.APP_VERSION_FOR_FORMAT, newer, "2.4.0")
    data = forge([("manifest.json", manifest_bytes(format_version=newer))])
    err = refuse(data, UnsupportedVersion)
    assert "upgrade Partida to version 2.4.0 or later" in str(err)


@pytest.mark.parametrize("version", ["1", 1.0, True, None, 0, -1, [1]])
def test_format_version_must_be_a_positive_integer(version: Any) -> None:
    refuse(forge([("manifest.json", manifest_bytes(format_version=version))]), InvalidData)


@pytest.mark.parametrize(
    "change",
    [
        {"format": "something-else"},
        {"company": {"id": "not-a-uuid", "name": "x", "base_currency": "EUR"}},
        {"company": "Acme"},
        {"tables": {"../x": 1}},
        {"tables": {"customers": -1}},
        {"tables": {"customers": "2"}},
        {"created_at": "yesterday"},
        {"created_at": "2025-01-31T12:00:00"},
        {"parts": {"attachments": 1, "emails": True, "history": True}},
        {"app_version": 1},
    ],
)
def test_invalid_manifest(change: dict[str, Any]) -> None:
    refuse(forge([("manifest.json", manifest_bytes(**change))]), ArchiveError)


def test_manifest_not_json() -> None:
    refuse(forge([("manifest.json", b"\x00\x01 not json")]), InvalidData)


# -- bombs and limits ---------------------------------------------------------------------


def test_decompression_bomb_is_stopped_by_the_ratio() -> None:
    # 512 MiB of zeros in a file of ~20 KB: refused after the grace bytes, long before the end.
    size = 512 * 1024 * 1024
    m = manifest_bytes(attachments={"count": 1, "bytes": size})
    out = io.BytesIO()
    with zstandard.ZstdCompressor(level=3).stream_writer(out, closefd=False) as w:
        for name, data in [("manifest.json", m), ("data/customers.jsonl", GOOD_ROWS)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            w.write(info.tobuf(tarfile.PAX_FORMAT) + data + bytes(-len(data) % 512))
        info = tarfile.TarInfo("attachments/" + "0" * 64)
        info.size = size
        w.write(info.tobuf(tarfile.PAX_FORMAT))
        zeros = bytes(1 << 20)
        for _ in range(512):
            w.write(zeros)
    body = out.getvalue()
    data = body + make_trailer(hashlib.sha256(body).digest())
    assert len(data) < 100_000
    err = refuse(data, LimitExceeded)
    assert err.params["limit"] == "max_ratio"
    # with a tiny grace, it stops at once
    refuse(data, LimitExceeded, limits=Limits(ratio_grace_bytes=1 << 20))


def test_total_size_limit() -> None:
    err = refuse(forge(good_members()), LimitExceeded, limits=Limits(max_total_bytes=2048))
    assert err.params["limit"] == "max_total_bytes"


def test_member_size_limit() -> None:
    err = refuse(forge(good_members()), LimitExceeded, limits=Limits(max_member_bytes=10))
    assert err.params["limit"] == "max_member_bytes"


def test_member_count_limit() -> None:
    refuse(forge(good_members()), LimitExceeded, limits=Limits(max_members=2))


def test_manifest_size_limit() -> None:
    refuse(forge(good_members()), LimitExceeded, limits=Limits(max_manifest_bytes=100))


def test_line_length_limit() -> None:
    rows = b'{"id": "' + b"x" * 5000 + b'"}\n{"id": 2}\n'
    m = manifest_bytes(tables={"customers": 2})
    data = forge([("manifest.json", m), ("data/customers.jsonl", rows)])
    refuse(data, LimitExceeded, limits=Limits(max_line_bytes=1000))
    big = b'{"id": "' + b"x" * (3 << 20) + b'"}\n{"id": 2}\n'
    data = forge([("manifest.json", m), ("data/customers.jsonl", big)])
    refuse(data, LimitExceeded, limits=Limits(max_line_bytes=1 << 20))


def test_huge_declared_size_in_header() -> None:
    tar = bytearray(tar_bytes(good_members()))
    # data/customers.jsonl header is the second block after the manifest's data
    idx = tar.find(b"data/customers.jsonl")
    tar[idx + 124 : idx + 136] = b"77777777777\0"
    tar[idx + 148 : idx + 156] = b"        "
    chk = sum(tar[idx : idx + 512])
    tar[idx + 148 : idx + 156] = b"%06o\0 " % chk
    refuse(seal(bytes(tar)), ArchiveError)


def test_huge_pax_header() -> None:
    info = tarfile.TarInfo("data/customers.jsonl")
    info.pax_headers = {"comment": "x" * 200_000}
    refuse(forge([("manifest.json", manifest_bytes()), (info, GOOD_ROWS)]), LimitExceeded)


def test_sparse_pax_member() -> None:
    info = tarfile.TarInfo("data/customers.jsonl")
    info.pax_headers = {"GNU.sparse.map": "0,1"}
    refuse(forge([("manifest.json", manifest_bytes()), (info, GOOD_ROWS)]), UnsafeMember)


def test_non_zero_padding() -> None:
    tar = bytearray(tar_bytes([*good_members()]))
    idx = tar.find(GOOD_ROWS) + len(GOOD_ROWS)
    tar[idx] = ord("!")
    refuse(seal(bytes(tar)), ArchiveError)


def test_data_after_the_end_of_the_archive() -> None:
    ok = forge(good_members())
    tar = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(ok[:-TRAILER_SIZE])).read()
    refuse(seal(tar + b"hidden data" + bytes(501)), Corrupted)
    refuse(seal(tar + bytes(1 << 20)), Corrupted)


def test_bad_header_checksum() -> None:
    tar = bytearray(tar_bytes(good_members()))
    idx = tar.find(b"data/customers.jsonl")
    tar[idx + 100] ^= 1  # mode field, checksum now wrong
    refuse(seal(bytes(tar)), Corrupted)


def test_garbage_between_the_zstd_stream_and_the_trailer(backup_bytes: bytes) -> None:
    body = backup_bytes[:-TRAILER_SIZE] + b"garbage!"
    refuse(body + make_trailer(hashlib.sha256(body).digest()), Corrupted)


def test_huge_zstd_window_is_refused() -> None:
    params = zstandard.ZstdCompressionParameters(window_log=30, enable_ldm=True)
    body = zstandard.ZstdCompressor(compression_params=params).compress(tar_bytes(good_members()))
    data = body + make_trailer(hashlib.sha256(body).digest())
    refuse(data, ArchiveError, limits=Limits(max_window_bytes=1 << 20))


def test_reader_never_writes_files(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    refuse(forge([*good_members(), ("../evil", b"x")]), UnsafeMember)
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "evil").exists()
