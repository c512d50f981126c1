"""Encrypted backups: the age v1 format, passphrase (scrypt) recipient, streamed both ways.

An encrypted backup is the very bytes of a ``.manager`` file encrypted with age
(https://age-encryption.org/v1, C2SP ``age.md``), so the standard tool reads it::

    age -d -o plain.manager "Acme (2026-12-03).manager"

pyrage's passphrase functions take and return whole byte strings (a large company's backup is
over 1 GB), and its streaming functions take X25519 keys, not passphrases: this module writes
and reads the age format itself, over the ``cryptography`` package's primitives (scrypt,
HKDF-SHA-256, HMAC-SHA-256, ChaCha20-Poly1305). Nothing here is a format of Partida's own.

- :class:`EncryptingWriter` wraps any writable: header, then 64 KiB chunks as they fill. Memory:
  one chunk, plus scrypt's while the key is derived (1 KiB × 2^work factor: 256 MiB at age's
  usual 18, about a second).
- :class:`DecryptingReader` is a seekable binary file over an encrypted file: it reads only the
  chunks asked for, so a reader may read the file twice or seek to its end, in constant memory.
  The last chunk is decrypted and checked when it opens, so a file cut short is known at once.
- :class:`Passphrase` is what the person typed, and the file keys it has unlocked: reading one
  file twice (check, then import) derives the key once. :meth:`Passphrase.key_only` keeps the
  file keys and forgets the passphrase.

Errors are :class:`ArchiveError` subclasses: ``wrong_passphrase``, ``encrypted_to_key`` (an age
file for X25519 or SSH keys), ``encryption_unsupported`` (armored, or another age version),
``truncated``, ``corrupted`` (a header or chunk that fails its check) and
``limit_max_scrypt_work_factor``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import io
import os
import re
from hashlib import sha256
from typing import IO, Any, Final, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import ArchiveError, Corrupted, LimitExceeded, Truncated
from .format import AGE_MAGICS

VERSION_LINE: Final = b"age-encryption.org/v1"
ARMOR_BEGIN: Final = b"-----BEGIN AGE ENCRYPTED FILE-----"
SCRYPT_LABEL: Final = b"age-encryption.org/v1/scrypt"
#: Plaintext bytes of every chunk but the last.
CHUNK_SIZE: Final = 64 * 1024
TAG_SIZE: Final = 16
SEALED_CHUNK: Final = CHUNK_SIZE + TAG_SIZE
FILE_KEY_SIZE: Final = 16
NONCE_SIZE: Final = 16
#: age's own work factor for passphrases (``age -p``): scrypt N = 2^18, 256 MiB, ~1 s.
DEFAULT_WORK_FACTOR: Final = 18
#: The largest work factor a file may ask for when read: 2^20, 1 GiB of memory. A hostile
#: file could otherwise ask for any amount (age's own reader stops at 22: 4 GiB).
MAX_WORK_FACTOR: Final = 20
#: A header longer than this is not one Partida (or ``age -p``) wrote: ~150 bytes in practice.
MAX_HEADER_BYTES: Final = 64 * 1024
_ZERO_NONCE: Final = bytes(12)
_B64_RE: Final = re.compile(rb"[A-Za-z0-9+/]*")
_DECIMAL_RE: Final = re.compile(rb"[1-9][0-9]*")


class Writable(Protocol):
    def write(self, data: bytes, /) -> int | None: ...


class WrongPassphrase(ArchiveError):
    """The passphrase does not unlock the file (its scrypt stanza does not open)."""

    code = "wrong_passphrase"


class EncryptedToKey(ArchiveError):
    """An age file encrypted to public keys (X25519, SSH...), not with a passphrase."""

    code = "encrypted_to_key"


class EncryptionUnsupported(ArchiveError):
    """An age file Partida cannot read itself: armored (text) form, or another age version."""

    code = "encryption_unsupported"


def is_encrypted(head: bytes) -> bool:
    """Whether a file starting with ``head`` is an age file (binary or armored)."""
    return head.startswith(AGE_MAGICS)


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes, size: int | None, what: str) -> bytes:
    """Canonical unpadded base64 only (the spec: decoders MUST reject anything else)."""
    if not _B64_RE.fullmatch(text) or len(text) % 4 == 1:
        raise Corrupted(f"age header: {what} is not base64")
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise Corrupted(f"age header: {what} is not base64") from None
    if _b64(data) != text or (size is not None and len(data) != size):
        raise Corrupted(f"age header: {what} is not canonical base64 of {size} bytes")
    return data


def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def _scrypt(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=SCRYPT_LABEL + salt, length=32, n=2**work_factor, r=8, p=1)
    return kdf.derive(passphrase)


def _header_mac(file_key: bytes, header_to_dashes: bytes) -> bytes:
    return hmac.new(_hkdf(file_key, b"", b"header"), header_to_dashes, sha256).digest()


def _chunk_nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class Passphrase:
    """A passphrase, and the file keys it has unlocked (by header), so that a file read more
    than once costs one key derivation. ``key_only()`` is a copy without the passphrase."""

    def __init__(self, secret: str | bytes | None) -> None:
        self._secret = secret.encode("utf-8") if isinstance(secret, str) else secret
        self._keys: dict[bytes, bytes] = {}

    def file_key(
        self, header: bytes, salt: bytes, work_factor: int, body: bytes, max_work_factor: int
    ) -> bytes:
        known = self._keys.get(header)
        if known is not None:
            return known
        if work_factor > max_work_factor:
            raise LimitExceeded(
                f"scrypt work factor {work_factor} > {max_work_factor}",
                limit="max_scrypt_work_factor",
            )
        if self._secret is None:
            raise WrongPassphrase("the passphrase was forgotten; ask for it again")
        wrap_key = _scrypt(self._secret, salt, work_factor)
        try:
            file_key = ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, body, None)
        except InvalidTag:
            raise WrongPassphrase("the scrypt stanza does not open with this passphrase") from None
        self._keys[header] = file_key
        return file_key

    def remember(self, header: bytes, file_key: bytes) -> None:
        self._keys[header] = file_key

    def file_keys(self) -> dict[bytes, bytes]:
        """The file keys unlocked so far, by header: what ``with_file_keys`` takes back."""
        return dict(self._keys)

    @classmethod
    def with_file_keys(cls, keys: dict[bytes, bytes]) -> Passphrase:
        """A passphrase that opens only the files whose keys are given (no secret)."""
        passphrase = cls(None)
        passphrase._keys = dict(keys)
        return passphrase

    def key_only(self) -> Passphrase:
        """The file keys unlocked so far, without the passphrase (which may open other files)."""
        copy = Passphrase(None)
        copy._keys = dict(self._keys)
        return copy

    @property
    def unlocked(self) -> bool:
        return bool(self._keys)

    def __repr__(self) -> str:  # never the secret
        return f"Passphrase(<{len(self._keys)} file keys>)"


def _read_line(f: IO[bytes], budget: int) -> bytes:
    """One header line, LF included, within ``budget`` bytes."""
    line = f.readline(budget + 1)
    if len(line) > budget:
        raise Corrupted("age header longer than Partida reads")
    if not line.endswith(b"\n"):
        raise Truncated("the age header ends early")
    return line


class Header:
    """A parsed age v1 header: its stanzas, the bytes the MAC covers, and its MAC."""

    def __init__(self, raw: bytes, stanzas: list[tuple[list[bytes], bytes]], mac: bytes) -> None:
        self.raw = raw  # every byte of the header, the final LF included
        self.stanzas = stanzas
        self.mac = mac

    @property
    def to_dashes(self) -> bytes:
        return self.raw[: -len(_b64(self.mac)) - 2]

    @classmethod
    def read(cls, f: IO[bytes]) -> Header:
        """Parse the header at ``f``'s position (left just after it)."""
        first = f.readline(len(VERSION_LINE) + 80)
        if first != VERSION_LINE + b"\n":
            if first.startswith(ARMOR_BEGIN):
                raise EncryptionUnsupported("armored age file")
            if not first.endswith(b"\n") and (VERSION_LINE + b"\n").startswith(first):
                raise Truncated("the age header ends early")
            if first.startswith(b"age-encryption.org/") and first.endswith(b"\n"):
                raise EncryptionUnsupported(f"age version {first[19:60]!r}")
            raise Corrupted("not an age v1 header")
        raw = bytearray(first)
        stanzas: list[tuple[list[bytes], bytes]] = []
        line = _read_line(f, MAX_HEADER_BYTES - len(raw))
        while True:
            raw += line
            if line.startswith(b"--- "):
                mac = _unb64(line[4:-1], 32, "header MAC")
                break
            if not line.startswith(b"-> "):
                raise Corrupted("age header: a line is neither a stanza nor the MAC")
            args = line[3:-1].split(b" ")
            if not all(arg and all(0x21 <= c <= 0x7E for c in arg) for arg in args):
                raise Corrupted("age header: bad stanza arguments")
            body_lines = []
            while True:
                line = _read_line(f, MAX_HEADER_BYTES - len(raw))
                raw += line
                text = line[:-1]
                if len(text) > 64 or not _B64_RE.fullmatch(text):
                    raise Corrupted("age header: bad stanza body")
                body_lines.append(text)
                if len(text) < 64:
                    break
            stanzas.append((args, _unb64(b"".join(body_lines), None, "stanza body")))
            line = _read_line(f, MAX_HEADER_BYTES - len(raw))
        if not stanzas:
            raise Corrupted("age header without a stanza")
        return cls(bytes(raw), stanzas, mac)

    def scrypt_stanza(self) -> tuple[bytes, int, bytes]:
        """(salt, work factor, wrapped file key) of the one scrypt stanza; anything else is
        refused as the spec requires."""
        kinds = [args[0] for args, _ in self.stanzas]
        if b"scrypt" not in kinds:
            raise EncryptedToKey(f"age stanzas {b' '.join(kinds)[:80]!r}")
        if len(kinds) != 1:
            raise Corrupted("age header: a scrypt stanza beside other stanzas")
        args, body = self.stanzas[0]
        if len(args) != 3 or len(body) != FILE_KEY_SIZE + TAG_SIZE:
            raise Corrupted("age header: malformed scrypt stanza")
        salt = _unb64(args[1], 16, "scrypt salt")
        if not _DECIMAL_RE.fullmatch(args[2]) or len(args[2]) > 3:
            raise Corrupted("age header: scrypt work factor is not a decimal number")
        return salt, int(args[2]), body

    def unlock(self, passphrase: Passphrase, max_work_factor: int = MAX_WORK_FACTOR) -> bytes:
        """The file key, the header's MAC checked with it."""
        salt, work_factor, body = self.scrypt_stanza()
        file_key = passphrase.file_key(self.raw, salt, work_factor, body, max_work_factor)
        if not hmac.compare_digest(_header_mac(file_key, self.to_dashes), self.mac):
            raise Corrupted("age header MAC does not match")
        return file_key


def check_header(f: IO[bytes], max_work_factor: int = MAX_WORK_FACTOR) -> None:
    """Raise unless ``f`` (at its start) is an age file a passphrase can open: one scrypt stanza
    of a work factor Partida accepts. Reads the header only; needs no passphrase."""
    _salt, work_factor, _body = Header.read(f).scrypt_stanza()
    if work_factor > max_work_factor:
        raise LimitExceeded("scrypt work factor", limit="max_scrypt_work_factor")


def make_header(file_key: bytes, passphrase: bytes, work_factor: int) -> bytes:
    """An age v1 header with one scrypt stanza wrapping ``file_key``."""
    salt = os.urandom(16)
    wrap_key = _scrypt(passphrase, salt, work_factor)
    body = _b64(ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None))
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    if not lines or len(lines[-1]) == 64:
        lines.append(b"")
    stanza = b"-> scrypt " + _b64(salt) + b" " + str(work_factor).encode() + b"\n"
    header = VERSION_LINE + b"\n" + stanza + b"".join(line + b"\n" for line in lines) + b"---"
    return header + b" " + _b64(_header_mac(file_key, header)) + b"\n"


class EncryptingWriter:
    """Encrypts what is written to it into ``raw`` as an age file; :meth:`close` writes the final
    chunk (``raw`` itself is never closed). Holds at most one chunk and what one write gave."""

    def __init__(
        self,
        raw: Writable,
        passphrase: str | bytes,
        work_factor: int = DEFAULT_WORK_FACTOR,
    ) -> None:
        secret = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
        if not secret:
            raise ValueError("an empty passphrase protects nothing")
        self.raw = raw
        self.file_key = os.urandom(FILE_KEY_SIZE)
        self.header = make_header(self.file_key, secret, work_factor)
        nonce = os.urandom(NONCE_SIZE)
        raw.write(self.header + nonce)
        self._aead = ChaCha20Poly1305(_hkdf(self.file_key, nonce, b"payload"))
        self._buf = bytearray()
        self._index = 0
        self.closed = False
        self.size = len(self.header) + NONCE_SIZE  # encrypted bytes written so far

    def _seal(self, data: Any, last: bool) -> bytes:
        sealed = self._aead.encrypt(_chunk_nonce(self._index, last), data, None)
        self._index += 1
        self.size += len(sealed)
        return sealed

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self.closed:
            raise ValueError("write to a closed EncryptingWriter")
        buf = self._buf
        size = len(data)
        if len(buf) + size <= CHUNK_SIZE:
            buf += data
            return size
        # More than a chunk: seal every chunk that more bytes follow (the last chunk is
        # sealed as such at close), straight from ``data`` where it can, without copying it.
        view = memoryview(data).cast("B")
        write = self.raw.write
        pos = 0
        if buf:
            pos = CHUNK_SIZE - len(buf)
            buf += view[:pos]
            write(self._seal(buf, last=False))
            buf.clear()
        while size - pos > CHUNK_SIZE:
            write(self._seal(view[pos : pos + CHUNK_SIZE], last=False))
            pos += CHUNK_SIZE
        buf += view[pos:]
        return size

    def flush(self) -> None:
        flush = getattr(self.raw, "flush", None)
        if flush is not None:
            flush()

    def close(self) -> None:
        """Seal the final chunk (empty only when nothing at all was written)."""
        if self.closed:
            return
        out = self._seal(bytes(self._buf), last=True)
        self._buf.clear()
        self.raw.write(out)
        self.closed = True
        self.flush()

    def __enter__(self) -> EncryptingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()


class DecryptingReader(io.RawIOBase):
    """The plaintext of an age passphrase file, as a readable, seekable binary file.

    ``f`` is a seekable binary file positioned at the age header (never closed here unless
    ``closefd``). Opening reads the header, unlocks it with ``passphrase`` (a
    :class:`Passphrase`, whose cached key is used when it has one for this header), checks its
    MAC, and decrypts the final chunk, so a wrong passphrase, a damaged header and a file cut
    short are known before any plaintext is read. ``size`` is the plaintext's size.
    """

    def __init__(
        self,
        f: IO[bytes],
        passphrase: Passphrase,
        *,
        max_work_factor: int = MAX_WORK_FACTOR,
        closefd: bool = False,
    ) -> None:
        super().__init__()
        if not f.seekable():
            raise ValueError("an encrypted backup is read from a seekable file")
        self._f = f
        self._closefd = closefd
        start = f.tell()
        header = Header.read(f)
        self.file_key = header.unlock(passphrase, max_work_factor)
        nonce = f.read(NONCE_SIZE)
        if len(nonce) != NONCE_SIZE:
            raise Truncated("the age payload nonce is missing")
        self._aead = ChaCha20Poly1305(_hkdf(self.file_key, nonce, b"payload"))
        self._payload = start + len(header.raw) + NONCE_SIZE
        payload = f.seek(0, os.SEEK_END) - self._payload
        if payload < TAG_SIZE:
            raise Truncated("the age payload ends before its first chunk")
        self._chunks = -(-payload // SEALED_CHUNK)
        last_sealed = payload - (self._chunks - 1) * SEALED_CHUNK
        if last_sealed < TAG_SIZE:
            raise Truncated("the age payload ends inside a chunk's tag")
        self.size = payload - self._chunks * TAG_SIZE
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None
        last = self._chunks - 1
        self._cached = (last, self._open_last(last))

    def _open_last(self, index: int) -> bytes:
        self._f.seek(self._payload + index * SEALED_CHUNK)
        sealed = self._f.read(SEALED_CHUNK)
        try:
            plain = self._aead.decrypt(_chunk_nonce(index, True), sealed, None)
        except InvalidTag:
            if len(sealed) == SEALED_CHUNK:
                try:
                    self._aead.decrypt(_chunk_nonce(index, False), sealed, None)
                except InvalidTag:
                    pass
                else:
                    raise Truncated("the age payload ends after a chunk that is not the last")
            raise Corrupted(f"age chunk {index} (the last) fails its check") from None
        if not plain and index:
            raise Corrupted("age payload ends with an empty chunk")
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            pos = offset
        elif whence == os.SEEK_CUR:
            pos = self._pos + offset
        elif whence == os.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError(f"whence {whence}")
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self._pos
        size = min(size, self.size - self._pos)
        if size <= 0:
            return b""
        first = self._pos // CHUNK_SIZE
        last = (self._pos + size - 1) // CHUNK_SIZE
        parts = []
        index = first
        if self._cached is not None and self._cached[0] == first:
            parts.append(self._cached[1])
            index += 1
        if index <= last:
            self._f.seek(self._payload + index * SEALED_CHUNK)
            data = self._f.read((last - index + 1) * SEALED_CHUNK)
            view = memoryview(data)
            for i in range(index, last + 1):
                offset = (i - index) * SEALED_CHUNK
                sealed = view[offset : offset + SEALED_CHUNK]
                if len(sealed) < TAG_SIZE:
                    raise Truncated("the encrypted file became shorter while it was read")
                if i == self._chunks - 1:
                    plain = self._open_last(i)
                else:
                    try:
                        plain = self._aead.decrypt(_chunk_nonce(i, False), sealed, None)
                    except InvalidTag:
                        raise Corrupted(f"age chunk {i} fails its check") from None
                parts.append(plain)
            self._cached = (last, parts[-1])
        skip = self._pos - first * CHUNK_SIZE
        out = b"".join(parts)[skip : skip + size]
        self._pos += len(out)
        return out

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed and self._closefd:
            self._f.close()
        super().close()


def open_decrypted(
    path: str | os.PathLike[str],
    passphrase: Passphrase,
    max_work_factor: int = MAX_WORK_FACTOR,
) -> DecryptingReader:
    """The plaintext of the age file at ``path`` (close it when done)."""
    f = open(path, "rb", buffering=0)  # noqa: SIM115 (closed by the reader)
    try:
        return DecryptingReader(f, passphrase, max_work_factor=max_work_factor, closefd=True)
    except BaseException:
        f.close()
        raise


def encrypt_stream(
    source: IO[bytes],
    target: Writable,
    passphrase: str | bytes,
    work_factor: int = DEFAULT_WORK_FACTOR,
) -> None:
    """Copy ``source`` into ``target`` encrypted (in 1 MiB pieces)."""
    writer = EncryptingWriter(target, passphrase, work_factor)
    while chunk := source.read(1024 * 1024):
        writer.write(chunk)
    writer.close()
