"""Encrypted backups: the age v1 format (scrypt passphrase), read and written in constant memory.

Interoperability is checked against the real ``age`` command (Debian's package) both ways and
against pyrage; hostile, damaged and cut-short files each get their own error.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import tracemalloc
from pathlib import Path

import pyrage
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partida.archive import ArchiveReader, Encrypted, TableMember, write_atomically
from partida.archive.encryption import (
    CHUNK_SIZE,
    DEFAULT_WORK_FACTOR,
    DecryptingReader,
    EncryptedToKey,
    EncryptingWriter,
    EncryptionUnsupported,
    Passphrase,
    WrongPassphrase,
    check_header,
    encrypt_stream,
)
from partida.archive.errors import MESSAGES, Corrupted, LimitExceeded, Truncated
from tests.age_tool import age_decrypt, age_encrypt, run_age

from .conftest import build_backup, make_manifest, sample_attachments, sample_tables

#: A low scrypt work factor keeps the suite fast; the real default is tested with age below.
FAST = 10
SECRET = "caballo grapa batería correcta"


def encrypt(data: bytes, passphrase: str = SECRET, work_factor: int = FAST) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, passphrase, work_factor)
    return out.getvalue()


def decrypt(data: bytes, passphrase: str = SECRET) -> bytes:
    return DecryptingReader(io.BytesIO(data), Passphrase(passphrase)).read()


@pytest.fixture(scope="module")
def plain_backup() -> bytes:
    return build_backup()


# -- the format, and other implementations of it --------------------------------------------


def test_our_file_at_the_default_work_factor_decrypts_with_age_and_lists_with_tar(
    tmp_path: Path,
) -> None:
    """What Partida writes is what `age -d` reads, and the result is the plain backup."""
    path = tmp_path / "Acme (2026-12-03).manager"
    tables, attachments = sample_tables(), sample_attachments()
    with write_atomically(path, make_manifest(tables, attachments), passphrase=SECRET) as w:
        for name, rows in tables.items():
            w.write_table(name, rows)
        for a in attachments:
            import hashlib

            w.write_attachment(hashlib.sha256(a).hexdigest(), len(a), io.BytesIO(a))
    head = path.read_bytes()[:80]
    assert head.startswith(b"age-encryption.org/v1\n-> scrypt ")
    assert f" {DEFAULT_WORK_FACTOR}\n".encode() in head
    plain = tmp_path / "plain.manager"
    age_decrypt(path, plain, SECRET)
    listing = subprocess.run(
        ["tar", "--zstd", "-tf", str(plain)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert listing[0] == "manifest.json" and listing[-1] == "checksums.json"
    assert "data/customers.jsonl" in listing
    assert (
        ArchiveReader(plain).verify().tables
        == ArchiveReader(path, passphrase=SECRET).verify().tables
    )


def test_a_file_made_by_age_p_reads_with_partida(tmp_path: Path, plain_backup: bytes) -> None:
    plain = tmp_path / "plain.manager"
    plain.write_bytes(plain_backup)
    encrypted = tmp_path / "by-age.manager"
    age_encrypt(plain, encrypted, SECRET)
    reader = ArchiveReader(encrypted, passphrase=SECRET)
    assert reader.verify().tables == {"accounts": 10, "customers": 50, "invoices": 100}
    assert reader.encrypted


def test_age_refuses_our_file_with_another_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "x.manager"
    path.write_bytes(encrypt(b"books"))
    status, said = run_age(["-d", "-o", str(tmp_path / "out"), str(path)], "not it")
    assert status != 0 and "incorrect passphrase" in said.lower()


def test_pyrage_reads_ours_and_we_read_pyrages() -> None:
    data = os.urandom(3 * CHUNK_SIZE + 17)
    assert pyrage.passphrase.decrypt(encrypt(data), SECRET) == data
    assert decrypt(pyrage.passphrase.encrypt(data, SECRET)) == data


@settings(max_examples=40, deadline=None)
@given(
    size=st.one_of(
        st.sampled_from([0, 1, 65535, 65536, 65537, 2 * 65536, 2 * 65536 + 1, 3 * 65536 - 1]),
        st.integers(min_value=0, max_value=4 * 65536),
    ),
    writes=st.integers(min_value=1, max_value=7),
    seek=st.integers(min_value=0, max_value=4 * 65536),
)
def test_any_size_and_any_way_of_writing_it_round_trips(size: int, writes: int, seek: int) -> None:
    """Chunk boundaries: an empty file, one byte, one chunk less one, exactly one chunk (its
    final chunk is full), one more byte, two chunks...; written in pieces of any size; read
    whole and from any position, and readable by pyrage too."""
    data = os.urandom(size)
    out = io.BytesIO()
    w = EncryptingWriter(out, SECRET, FAST)
    step = max(1, size // writes)
    for i in range(0, size, step):
        w.write(data[i : i + step])
    w.close()
    sealed = out.getvalue()
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(sealed) == len(w.header) + 16 + size + 16 * chunks
    reader = DecryptingReader(io.BytesIO(sealed), Passphrase(SECRET))
    assert reader.size == size
    assert reader.read() == data
    reader.seek(min(seek, size))
    assert reader.read(70000) == data[min(seek, size) : min(seek, size) + 70000]
    assert pyrage.passphrase.decrypt(sealed, SECRET) == data


def test_the_header_is_ages_scrypt_stanza() -> None:
    lines = encrypt(b"x").split(b"\n")
    assert lines[0] == b"age-encryption.org/v1"
    kind, salt, work_factor = lines[1].split(b" ")[1:]
    assert kind == b"scrypt" and len(base64.b64decode(salt + b"==")) == 16
    assert work_factor == str(FAST).encode()
    assert lines[3].startswith(b"--- ")


# -- reading a backup -----------------------------------------------------------------------


def test_an_encrypted_backup_reads_in_passes_with_one_key_derivation(
    tmp_path: Path, plain_backup: bytes
) -> None:
    path = tmp_path / "b.manager"
    path.write_bytes(encrypt(plain_backup))
    passphrase = Passphrase(SECRET)
    reader = ArchiveReader(path, passphrase=passphrase)
    assert reader.manifest.tables["customers"] == 50
    rows = [list(m.rows()) for m in reader.iter_members() if isinstance(m, TableMember)]
    assert rows[1] == sample_tables()["customers"]
    # A second reader of the same file needs only the key, not the passphrase.
    again = ArchiveReader(path, passphrase=passphrase.key_only())
    assert again.verify().company.name == "Acme Ltd"
    assert again.digest == reader.digest


def test_without_a_passphrase_an_encrypted_backup_says_so(tmp_path: Path) -> None:
    path = tmp_path / "b.manager"
    path.write_bytes(encrypt(build_backup()))
    with pytest.raises(Encrypted) as caught:
        ArchiveReader(path).manifest  # noqa: B018
    assert "passphrase" in str(caught.value)


def test_a_plain_backup_reads_even_when_a_passphrase_is_given(plain_backup: bytes) -> None:
    reader = ArchiveReader(io.BytesIO(plain_backup), passphrase=SECRET)
    assert reader.verify().tables["invoices"] == 100 and not reader.encrypted


def test_a_wrong_passphrase_is_one_sentence(plain_backup: bytes) -> None:
    with pytest.raises(WrongPassphrase) as caught:
        ArchiveReader(io.BytesIO(encrypt(plain_backup)), passphrase="caballo").manifest  # noqa: B018
    assert str(caught.value) == MESSAGES["wrong_passphrase"]
    assert str(caught.value).count(". ") == 0


# -- damaged, cut short, hostile -------------------------------------------------------------


@pytest.fixture(scope="module")
def sealed() -> bytes:
    return encrypt(os.urandom(3 * CHUNK_SIZE + 1000))


def header_length(data: bytes) -> int:
    return data.index(b"\n---") + data[data.index(b"\n---") + 1 :].index(b"\n") + 2


@pytest.mark.parametrize("cut", ["in the header", "before the nonce ends", "at a chunk's end"])
def test_a_file_cut_short_is_truncated(sealed: bytes, cut: str) -> None:
    header = header_length(sealed)
    at = {
        "in the header": 40,
        "before the nonce ends": header + 8,
        "at a chunk's end": header + 16 + 2 * (CHUNK_SIZE + 16),
    }[cut]
    with pytest.raises(Truncated):
        decrypt(sealed[:at])


def test_a_file_cut_inside_a_chunk_is_refused_when_it_opens(sealed: bytes) -> None:
    """A cut inside a chunk leaves a chunk whose tag fails, which nothing tells from damage:
    refused at once (before any of it is read) as damaged or cut short."""
    with pytest.raises((Truncated, Corrupted)):
        DecryptingReader(io.BytesIO(sealed[:-500]), Passphrase(SECRET))


def test_a_chunk_of_a_whole_file_repeated_or_dropped_is_refused(sealed: bytes) -> None:
    header = header_length(sealed) + 16
    one = CHUNK_SIZE + 16
    dropped = sealed[: header + one] + sealed[header + 2 * one :]
    with pytest.raises(Corrupted):
        decrypt(dropped)


@pytest.mark.parametrize(
    "where", ["salt", "stanza body", "MAC", "nonce", "first chunk", "last chunk"]
)
def test_a_flipped_bit_anywhere_is_refused(sealed: bytes, where: str) -> None:
    lines = sealed.split(b"\n", 4)
    header = header_length(sealed)
    offset = {
        "salt": len(lines[0]) + 1 + len(b"-> scrypt ") + 3,
        "stanza body": len(lines[0]) + len(lines[1]) + 2 + 5,
        "MAC": header - 10,
        "nonce": header + 3,
        "first chunk": header + 16 + 100,
        "last chunk": len(sealed) - 20,
    }[where]
    flipped = bytearray(sealed)
    if where in ("salt", "stanza body"):  # text: another base64 letter, still canonical
        flipped[offset] = ord("B") if flipped[offset] == ord("A") else ord("A")
    else:
        flipped[offset] ^= 0x04
    # The salt and the wrapped key decide the key: a change there reads as another passphrase.
    expected = WrongPassphrase if where in ("salt", "stanza body") else Corrupted
    with pytest.raises(expected):
        decrypt(bytes(flipped))


def stanza_file(*stanzas: bytes, version: bytes = b"v1") -> bytes:
    mac = base64.b64encode(bytes(32)).rstrip(b"=")
    return b"age-encryption.org/" + version + b"\n" + b"".join(stanzas) + b"--- " + mac + b"\n"


SALT = base64.b64encode(bytes(16)).rstrip(b"=")
BODY = base64.b64encode(bytes(32)).rstrip(b"=")


@pytest.mark.parametrize(
    ("header", "error"),
    [
        (stanza_file(b"-> scrypt " + SALT + b" 40\n" + BODY + b"\n"), LimitExceeded),
        (stanza_file(b"-> scrypt " + SALT + b" 018\n" + BODY + b"\n"), Corrupted),
        (stanza_file(b"-> scrypt " + SALT + b"A 18\n" + BODY + b"\n"), Corrupted),
        (stanza_file(b"-> scrypt " + SALT + b" 18\n" + BODY[:-2] + b"\n"), Corrupted),
        (stanza_file(b"-> scrypt " + SALT + b" 18 extra\n" + BODY + b"\n"), Corrupted),
        (
            stanza_file(
                b"-> scrypt " + SALT + b" 18\n" + BODY + b"\n",
                b"-> X25519 " + BODY + b"\n" + BODY + b"\n",
            ),
            Corrupted,
        ),
        (stanza_file(b"-> X25519 " + BODY + b"\n" + BODY + b"\n"), EncryptedToKey),
        (
            stanza_file(b"-> scrypt " + SALT + b" 18\n" + BODY + b"\n", version=b"v2"),
            EncryptionUnsupported,
        ),
        (stanza_file(), Corrupted),
        (
            b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n",
            EncryptionUnsupported,
        ),
        (stanza_file(b"-> scrypt " + SALT + b" 18\n" + b"A" * 64 + b"\n" * 2)[:-60], Truncated),
        (b"age-encryption.org/v1\n" + (b"-> x " + b"A" * 80 + b"\n") * 2000, Corrupted),
    ],
    ids=[
        "work factor 2^40",
        "leading zero",
        "salt not canonical",
        "body too short",
        "four arguments",
        "scrypt beside X25519",
        "X25519 only",
        "another version",
        "no stanza",
        "armored",
        "header cut short",
        "endless header",
    ],
)
def test_hostile_headers_are_refused_before_any_work(header: bytes, error: type) -> None:
    """Checked before scrypt runs: a hostile work factor never allocates its memory."""
    with pytest.raises(error):
        DecryptingReader(io.BytesIO(header + bytes(100)), Passphrase(SECRET))
    if error is not Truncated:
        with pytest.raises(error):
            check_header(io.BytesIO(header + bytes(100)))


def test_a_file_encrypted_to_a_key_says_so(tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    recipient = subprocess.run(
        ["age-keygen", "-y", str(key)], check=True, capture_output=True, text=True
    ).stdout.strip()
    encrypted = subprocess.run(
        ["age", "-r", recipient], input=build_backup(), check=True, capture_output=True
    ).stdout
    with pytest.raises(EncryptedToKey) as caught:
        ArchiveReader(io.BytesIO(encrypted), passphrase=SECRET).manifest  # noqa: B018
    assert "age -d -i" in str(caught.value)


def test_an_empty_passphrase_is_refused_when_writing() -> None:
    with pytest.raises(ValueError):
        EncryptingWriter(io.BytesIO(), "")


# -- constant memory --------------------------------------------------------------------------


def test_encrypting_and_decrypting_64_mib_holds_a_few_chunks(tmp_path: Path) -> None:
    """Memory does not grow with the file: 64 MiB through both ways, in pieces of 1 MiB, with
    a peak of a few pieces (what was read, decrypted and handed out), not of the file."""
    piece = os.urandom(1024 * 1024)
    path = tmp_path / "big.age"
    tracemalloc.start()
    try:
        with open(path, "wb") as f:
            w = EncryptingWriter(f, SECRET, FAST)
            for _ in range(64):
                w.write(piece)
            w.close()
        _, peak_writing = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with open(path, "rb") as f:
            reader = DecryptingReader(f, Passphrase(SECRET))
            total = 0
            while chunk := reader.read(1024 * 1024):
                total += len(chunk)
        _, peak_reading = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 64 * 1024 * 1024
    assert peak_writing < 6 * 1024 * 1024 and peak_reading < 6 * 1024 * 1024
