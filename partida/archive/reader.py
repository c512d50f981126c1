"""Streaming, defensive reader of ``.manager`` files (see FORMAT.md).

Every input is untrusted. The reader parses the tar stream itself (no ``tarfile``): regular files
with allowed names only, bounded sizes, zero padding, and every limit of :class:`Limits`.

Import in ONE pass::

    reader = ArchiveReader(path, schema=SCHEMA)
    manifest = reader.manifest                      # cheap: the first member only
    with transaction.atomic():
        for member in reader.iter_members():        # file order
            if isinstance(member, TableMember):
                for row in member.rows():           # dicts, converted by the schema
                    ...
            else:                                    # AttachmentMember: a binary file object
                storage.save(member.sha256, member)  # streamed in chunks, hash checked at its end
        # The loop ends only after checksums.json and the trailing whole-file digest were
        # checked; any problem raises ArchiveError inside the loop, so the transaction rolls back.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from typing import IO, Any, Final, cast

import orjson
import zstandard

from .encryption import DecryptingReader, Passphrase
from .errors import (
    ArchiveError,
    Corrupted,
    EmptyFile,
    Encrypted,
    InvalidData,
    LimitExceeded,
    NotABackup,
    Truncated,
    UnsafeMember,
)
from .format import (
    AGE_MAGICS,
    ATTACHMENTS_PREFIX,
    BLOCK,
    CHECKSUM_ALGORITHM,
    CHECKSUMS_NAME,
    CHUNK,
    DATA_PREFIX,
    DATA_SUFFIX,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEMBER_NAME_RE,
    RECORD,
    SHA256_RE,
    TRAILER_SIZE,
    ZSTD_MAGIC,
    parse_trailer,
)
from .jsonstrict import check_lines_strictly, check_unique_members, loads_strict
from .limits import Limits
from .manifest import Manifest, check_format
from .manifest import _validate as _validate_manifest
from .schema import Schema, Upgrade, Validator
from .writer import Progress, ProgressCallback

_ZERO_BLOCK: Final = bytes(BLOCK)
_MAX_PAX: Final = 64 * 1024
_REGULAR: Final = (b"0", b"\x00")
_TYPE_NAMES: Final = {
    b"1": "hard link",
    b"2": "symbolic link",
    b"3": "character device",
    b"4": "block device",
    b"5": "directory",
    b"6": "FIFO",
    b"7": "contiguous file",
    b"g": "global pax header",
    b"L": "GNU long name",
    b"K": "GNU long link",
    b"S": "GNU sparse file",
}


class _Source:
    """The compressed bytes, minus the last TRAILER_SIZE bytes (held back as the trailer).

    Hashes and counts what it hands out (the bytes "before the trailing frame").
    """

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self._buf = bytearray()
        self._eof = False
        self.sha = hashlib.sha256()
        self.consumed = 0

    def _fill(self, want: int) -> None:
        while not self._eof and len(self._buf) < want:
            chunk = self._f.read(CHUNK)
            if not chunk:
                self._eof = True
                break
            self._buf += chunk

    def head(self, n: int) -> bytes:
        self._fill(n + TRAILER_SIZE)
        return bytes(self._buf[:n])

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = CHUNK
        self._fill(n + TRAILER_SIZE)
        k = min(n, len(self._buf) - TRAILER_SIZE)
        if k <= 0:
            return b""
        out = bytes(self._buf[:k])
        del self._buf[:k]
        self.sha.update(out)
        self.consumed += k
        return out

    def finish(self) -> None:
        """Check that only the trailer is left and that it carries the right digest."""
        self._fill(TRAILER_SIZE + 1)
        if len(self._buf) > TRAILER_SIZE:
            raise Corrupted("bytes after the end of the zstd stream")
        digest = parse_trailer(bytes(self._buf))
        if digest is None:
            raise Truncated("no trailing checksum frame")
        if digest != self.sha.digest():
            raise Corrupted("whole-file SHA-256 does not match the trailing frame")


class AttachmentMember(io.RawIOBase):
    """``attachments/<sha256>``: a readable, non-seekable binary file of ``size`` bytes.

    Its SHA-256 is checked when its last byte has been read (Corrupted if it differs).
    """

    kind: Final = "attachment"

    def __init__(self, tar: _Tar, sha256: str, size: int) -> None:
        super().__init__()
        self.sha256 = sha256
        self.size = size
        self.name = ATTACHMENTS_PREFIX + sha256
        self._tar = tar
        self._left = size
        self._hash = hashlib.sha256()
        self.verified = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self._left
        n = min(size, self._left, CHUNK)
        if n <= 0:
            return b""
        data = self._tar.read_data(n)
        self._left -= len(data)
        self._hash.update(data)
        if not self._left:
            self._check()
        return data

    def _check(self) -> None:
        if self._hash.hexdigest() != self.sha256:
            raise Corrupted(f"{self.name}: bytes do not hash to the name")
        self.verified = True

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def chunks(self, chunk_size: int = CHUNK) -> Iterator[bytes]:
        while chunk := self.read(chunk_size):
            yield chunk

    def _drain(self) -> None:
        while self.read(CHUNK):
            pass
        if not self.verified:
            self._check()


class TableMember:
    """``data/<table>.jsonl``. ``rows()`` yields its rows (dicts) once, in file order."""

    kind: Final = "table"

    def __init__(self, reader: _Pass, table: str, file_table: str, row_count: int) -> None:
        self.table = table
        self.name = DATA_PREFIX + file_table + DATA_SUFFIX
        self.row_count = row_count
        self._reader = reader
        self._file_table = file_table
        self._gen: Iterator[dict[str, Any]] | None = None
        self.done = False

    def rows(self) -> Iterator[dict[str, Any]]:
        if self._gen is not None:
            raise RuntimeError("rows() can be iterated only once")
        self._gen = self._reader.table_rows(self)
        return self._gen

    def _drain(self) -> None:
        for _ in self._gen if self._gen is not None else self.rows():
            pass


class _Tar:
    """Minimal, strict tar parser over the decompressed stream."""

    def __init__(
        self,
        z: Any,
        src: _Source,
        limits: Limits,
        on_chunk: Callable[[], None],
    ) -> None:
        self._z = z
        self._src = src
        self._limits = limits
        self.total = 0
        self.members = 0
        self._left = 0  # unread data bytes of the current member
        self._pad = 0
        self._on_chunk = on_chunk

    def _raw(self, n: int) -> bytes:
        try:
            data: bytes = self._z.read(n)
        except zstandard.ZstdError as e:
            if "too much memory" in str(e) or "window" in str(e).lower():
                # A frame asking for a window beyond max_window_bytes: a limit, not damage.
                raise LimitExceeded(f"zstd: {e}", limit="max_window_bytes") from None
            raise Corrupted(f"zstd: {e}") from None
        self.total += len(data)
        lim = self._limits
        if self.total > lim.max_total_bytes:
            raise LimitExceeded("total size", limit="max_total_bytes")
        if self.total > lim.ratio_grace_bytes and self.total > lim.max_ratio * max(
            self._src.consumed, 1
        ):
            raise LimitExceeded("compression ratio", limit="max_ratio")
        return data

    def _exact(self, n: int) -> bytes:
        data = self._raw(n)
        if len(data) == n:
            return data
        parts = [data]
        got = len(data)
        while got < n:
            more = self._raw(n - got)
            if not more:
                raise Truncated(f"stream ends {n - got} bytes early")
            parts.append(more)
            got += len(more)
        return b"".join(parts)

    def read_data(self, n: int) -> bytes:
        n = min(n, self._left)
        if n <= 0:
            return b""
        data = self._raw(n)
        if not data:
            raise Truncated("member data ends early")
        self._left -= len(data)
        self._on_chunk()
        return data

    def end_member(self) -> None:
        if self._left:
            raise RuntimeError("member not fully read")
        if self._pad:
            if self._exact(self._pad).count(0) != self._pad:
                raise Corrupted("non-zero tar padding")
            self._pad = 0

    def next_header(self, first: bool) -> tuple[str, int] | None:
        """Parse the next member's header(s); None at the end-of-archive marker."""
        pax: dict[str, str] | None = None
        while True:
            block = self._exact(BLOCK)
            if block == _ZERO_BLOCK:
                if pax is not None:
                    raise Corrupted("pax header without member")
                return None
            try:
                self._check_header(block)
            except Corrupted:
                if first:
                    raise NotABackup("not a tar stream") from None
                raise
            self.members += 1
            if self.members > self._limits.max_members:
                raise LimitExceeded("members", limit="max_members")
            typeflag = block[156:157]
            size = _octal(block[124:136])
            if typeflag == b"x":
                if pax is not None:
                    raise Corrupted("two pax headers in a row")
                if size > _MAX_PAX:
                    raise LimitExceeded("pax header", limit="pax header size")
                raw = self._exact(size + (-size % BLOCK))
                pax = _parse_pax(raw[:size])
                if raw[size:].count(0) != len(raw) - size:
                    raise Corrupted("non-zero tar padding")
                continue
            if typeflag not in _REGULAR:
                kind = _TYPE_NAMES.get(typeflag, f"type {typeflag!r}")
                raise UnsafeMember(f"tar entry of kind {kind}")
            try:
                name = block[:100].split(b"\0", 1)[0].decode("ascii")
                prefix = block[345:500].split(b"\0", 1)[0].decode("ascii")
            except UnicodeDecodeError:
                raise UnsafeMember("non-ASCII member name") from None
            if prefix:
                name = prefix + "/" + name
            if pax is not None:
                name = pax.get("path", name)
                if "size" in pax:
                    if not pax["size"].isdigit() or not pax["size"].isascii():
                        raise Corrupted("bad pax size")
                    size = int(pax["size"])
            if not MEMBER_NAME_RE.fullmatch(name):
                raise UnsafeMember(f"member name {name[:120]!r}")
            self._left = size
            self._pad = -size % BLOCK
            return name, size

    @staticmethod
    def _check_header(block: bytes) -> None:
        if block[257:265] != b"ustar\x0000":
            raise Corrupted("not a POSIX ustar/pax header")
        stored = _octal(block[148:156])
        unsigned = sum(block) - sum(block[148:156]) + 8 * 32
        if stored != unsigned:
            raise Corrupted("tar header checksum mismatch")

    def finish(self) -> None:
        """After the first zero block: the second one, then zero padding only, then EOF."""
        rest = self._exact(BLOCK)
        if rest != _ZERO_BLOCK:
            raise Corrupted("missing second end-of-archive block")
        tail = 0
        while data := self._raw(CHUNK):
            tail += len(data)
            if data.count(0) != len(data) or tail > RECORD:
                raise Corrupted("data after the end of the tar archive")


def _octal(field: bytes) -> int:
    s = field.rstrip(b"\0 ").lstrip(b" ")
    if not s or s.strip(b"01234567"):
        raise Corrupted(f"bad tar number {field!r}")
    return int(s, 8)


def _parse_pax(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(raw):
        sp = raw.find(b" ", pos, pos + 20)
        if sp < 0 or not raw[pos:sp].isdigit():
            raise Corrupted("bad pax record")
        length = int(raw[pos:sp])
        end = pos + length
        if length <= sp - pos + 1 or end > len(raw) or raw[end - 1 : end] != b"\n":
            raise Corrupted("bad pax record")
        key, eq, value = raw[sp + 1 : end - 1].partition(b"=")
        if not eq:
            raise Corrupted("bad pax record")
        try:
            k, v = key.decode("utf-8"), value.decode("utf-8")
        except UnicodeDecodeError:
            raise UnsafeMember("pax record not UTF-8") from None
        if k.startswith("GNU.") or k in ("linkpath", "hdrcharset"):
            raise UnsafeMember(f"pax record {k[:40]!r}")
        out[k] = v
        pos = end
    return out


def _guard(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Turn any unexpected exception raised while reading rows into Corrupted."""
    try:
        yield from rows
    except (ArchiveError, OSError, MemoryError, RuntimeError, GeneratorExit):
        raise
    except Exception as e:
        raise Corrupted(f"unexpected {type(e).__name__}: {e}") from e


def _loads(raw: bytes, where: str) -> Any:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidData(f"{where}: invalid JSON", where=where) from None
    check_unique_members(raw, where)
    return value


class _Pass:
    """One sequential pass over the file."""

    def __init__(self, reader: ArchiveReader) -> None:
        self.reader = reader
        self.limits = reader.limits
        self.rows_done = 0
        self.computed: dict[str, str] = {}
        self.manifest: Manifest | None = None
        self.validator: Validator | None = None
        self.upgrades: list[Upgrade] = []

    def _progress(self) -> None:
        cb = self.reader.progress
        if cb is not None and self.manifest is not None:
            cb(
                Progress(
                    self.rows_done,
                    self.manifest.total_rows,
                    self.src.consumed,
                    self.reader.size or 0,
                    "",
                )
            )

    def open(self, f: IO[bytes]) -> None:
        self.src = _Source(f)
        head = self.src.head(64)
        if not head:
            raise EmptyFile("empty file")
        if head.startswith(AGE_MAGICS):
            raise Encrypted("age-encrypted")
        if not head.startswith(ZSTD_MAGIC):
            raise NotABackup("not zstd")
        dctx = zstandard.ZstdDecompressor(max_window_size=self.limits.max_window_bytes)
        z = dctx.stream_reader(
            self.src,  # type: ignore[arg-type]
            read_size=CHUNK,
            read_across_frames=True,
            closefd=False,
        )
        self.tar = _Tar(z, self.src, self.limits, self._progress)

    def read_small(self, name: str, size: int, limit: int, limit_name: str) -> bytes:
        if size > limit:
            raise LimitExceeded(f"{name} of {size} bytes", limit=limit_name)
        data = self.tar._exact(size) if size else b""
        self.tar._left = 0
        self.tar.end_member()
        self.computed[name] = hashlib.sha256(data).hexdigest()
        return data

    def read_manifest(self) -> Manifest:
        header = self.tar.next_header(first=True)
        if header is None or header[0] != MANIFEST_NAME:
            raise NotABackup("first member is not manifest.json")
        raw = self.read_small(
            MANIFEST_NAME, header[1], self.limits.max_manifest_bytes, "max_manifest_bytes"
        )
        d = check_format(raw)
        self.file_manifest = _validate_manifest(d)  # the file's own structure
        schema = self.reader.schema
        if d["format_version"] < FORMAT_VERSION and schema is not None:
            try:
                self.upgrades = schema.upgrade_chain(d["format_version"], FORMAT_VERSION)
            except ValueError as e:
                raise InvalidData(str(e), where="manifest.json") from None
            for u in self.upgrades:
                if u.manifest is not None:
                    d = u.manifest(d)
            # The manifest keeps the file's own version: the rows are upgraded as they are
            # read, and a preview or ``partida inspect`` says which version the file is.
            d["format_version"] = self.file_manifest.format_version
            self.manifest = _validate_manifest(d)
        else:
            self.manifest = self.file_manifest
        if schema is not None:
            self.validator = schema.validator(self.manifest, self.reader.convert_rows)
        return self.manifest

    def upgraded_name(self, table: str) -> str:
        for u in self.upgrades:
            table = u.renames.get(table, table)
        return table

    def table_rows(self, member: TableMember) -> Iterator[dict[str, Any]]:
        rows = self._raw_rows(member)
        table = member._file_table
        for u in self.upgrades:
            table = u.renames.get(table, table)
            if u.rows is not None:
                rows = u.rows(table, rows)
        if self.validator is not None and self.reader.validate_rows:
            rows = self.validator.rows(member.table, rows)
        return _guard(rows)

    def _raw_rows(self, member: TableMember) -> Iterator[dict[str, Any]]:
        if not self.reader.parse_rows:
            return self._counted_lines(member)
        return self._parsed_rows(member)

    def _counted_lines(self, member: TableMember) -> Iterator[dict[str, Any]]:
        """Hash the member and count its lines, without parsing them (our own output)."""
        sha = hashlib.sha256()
        count = 0
        last = b"\n"
        read = self.tar.read_data
        while chunk := read(CHUNK):
            sha.update(chunk)
            count += chunk.count(b"\n")
            last = chunk[-1:]
        self.rows_done += count
        if last != b"\n":
            raise InvalidData(f"{member.name}: last line has no newline", where=member.name)
        if count != member.row_count:
            raise InvalidData(
                f"{member.name}: {count} rows, manifest says {member.row_count}", where=member.name
            )
        self.tar.end_member()
        self.computed[member.name] = sha.hexdigest()
        member.done = True
        yield from ()

    def _parsed_rows(self, member: TableMember) -> Iterator[dict[str, Any]]:
        name = member.name
        expected = member.row_count
        max_line = self.limits.max_line_bytes
        sha = hashlib.sha256()
        pending = b""
        count = 0
        loads = orjson.loads
        # The checking pass proves every object free of repeated member names; the pass that
        # follows reads the very same bytes (the whole-file digest), so it need not again.
        unique_members = self.reader.validate_rows
        read = self.tar.read_data
        while chunk := read(CHUNK):
            sha.update(chunk)
            lines = chunk.split(b"\n")
            if pending:
                lines[0] = pending + lines[0]
            pending = lines.pop()
            if len(pending) > max_line:
                raise LimitExceeded(f"{name}: line too long", limit="max_line_bytes")
            if not lines:
                continue
            if len(lines[0]) > max_line:
                raise LimitExceeded(f"{name}: line too long", limit="max_line_bytes")
            try:
                rows = [loads(line) for line in lines]
            except orjson.JSONDecodeError:
                for i, line in enumerate(lines):
                    _loads(line, f"{name}, line {count + i + 1}")
                raise AssertionError("unreachable") from None
            for i, row in enumerate(rows):
                if type(row) is not dict:
                    where = f"{name}, line {count + i + 1}"
                    raise InvalidData(f"{where}: not a JSON object", where=where)
            if unique_members:
                check_lines_strictly(lines, rows, f"{name}, line", count)
            count += len(rows)
            if count > expected:
                raise InvalidData(f"{name}: more than {expected} rows", where=name)
            self.rows_done += len(rows)
            yield from rows
        if pending:
            raise InvalidData(f"{name}: last line has no newline", where=name)
        if count != expected:
            raise InvalidData(f"{name}: {count} rows, manifest says {expected}", where=name)
        self.tar.end_member()
        self.computed[name] = sha.hexdigest()
        member.done = True

    def members(self) -> Iterator[TableMember | AttachmentMember]:
        self.read_manifest()
        fm = self.file_manifest
        tables = list(fm.tables)
        # A member is read under its name after the upgrades' renames. An upgrade may also
        # reorder the tables or add some (with no rows, so no member in the file).
        upgraded = [self.upgraded_name(table) for table in tables]
        ti = 0
        att_count = att_bytes = 0
        seen_attachments: set[str] = set()
        tar = self.tar
        while True:
            header = tar.next_header(first=False)
            if header is None:
                raise Corrupted("checksums.json is missing")
            name, size = header
            if (
                name in self.computed
                or name == MANIFEST_NAME
                or name[len(ATTACHMENTS_PREFIX) :] in seen_attachments
            ):
                raise UnsafeMember(f"duplicate member {name}")
            if size > self.limits.max_member_bytes:
                raise LimitExceeded(f"{name} of {size} bytes", limit="max_member_bytes")
            if name.startswith(DATA_PREFIX):
                table = name[len(DATA_PREFIX) : -len(DATA_SUFFIX)]
                if att_count or ti >= len(tables) or tables[ti] != table:
                    where = name
                    why = "not listed in the manifest" if table not in fm.tables else "misplaced"
                    raise InvalidData(f"{name}: {why}", where=where)
                member = TableMember(self, upgraded[ti], table, fm.tables[table])
                ti += 1
                yield member
                member._drain()
                if not member.done:
                    raise RuntimeError(f"{name}: reading failed earlier; the pass cannot go on")
            elif name.startswith(ATTACHMENTS_PREFIX):
                if ti != len(tables):
                    raise InvalidData(f"table {tables[ti]} is missing", where=DATA_PREFIX)
                sha = name[len(ATTACHMENTS_PREFIX) :]
                att_count += 1
                att_bytes += size
                if att_count > fm.attachment_count or att_bytes > fm.attachment_bytes:
                    raise InvalidData("more attachments than the manifest says", where=name)
                att = AttachmentMember(tar, sha, size)
                yield att
                att._drain()
                if not att.verified:
                    raise RuntimeError(f"{name}: reading failed earlier; the pass cannot go on")
                tar.end_member()
                # An attachment's checksum is its name (checked as it was read): kept once, in
                # the set, so that memory per member stays small (see Limits.max_members).
                seen_attachments.add(sha)
            else:  # checksums.json
                if ti != len(tables):
                    raise InvalidData(f"table {tables[ti]} is missing", where=DATA_PREFIX)
                if att_count != fm.attachment_count or att_bytes != fm.attachment_bytes:
                    raise InvalidData("fewer attachments than the manifest says", where=name)
                listed = len(self.computed) + len(seen_attachments)
                bound = min(self.limits.max_checksums_bytes, 4096 + 256 * listed)
                raw = self.read_small(name, size, bound, "max_checksums_bytes")
                self._check_checksums(raw, seen_attachments)
                if tar.next_header(first=False) is not None:
                    raise Corrupted("a member follows checksums.json")
                tar.finish()
                self.src.finish()
                self.reader.digest = self.src.sha.hexdigest()
                if self.validator is not None and self.reader.validate_rows:
                    self.validator.finish(seen_attachments)
                self._progress()
                return

    def _check_checksums(self, raw: bytes, attachments: set[str]) -> None:
        d = loads_strict(raw, CHECKSUMS_NAME)
        if (
            not isinstance(d, dict)
            or d.get("algorithm") != CHECKSUM_ALGORITHM
            or not isinstance(d.get("members"), dict)
        ):
            raise InvalidData("checksums.json: bad structure", where=CHECKSUMS_NAME)
        listed: dict[str, Any] = d["members"]
        expected = {name: sha for name, sha in self.computed.items() if name != CHECKSUMS_NAME}
        listed_attachments = 0
        for name, digest in listed.items():
            if not isinstance(digest, str) or not SHA256_RE.fullmatch(digest):
                raise InvalidData(f"checksums.json: bad digest for {name}", where=CHECKSUMS_NAME)
            if name.startswith(ATTACHMENTS_PREFIX):
                sha = name[len(ATTACHMENTS_PREFIX) :]
                if sha not in attachments:
                    raise Corrupted("checksums.json does not list exactly the members")
                listed_attachments += 1
                if digest != sha:
                    raise Corrupted(f"{name}: checksum mismatch")
            elif name not in expected:
                raise Corrupted("checksums.json does not list exactly the members")
            elif digest != expected[name]:
                raise Corrupted(f"{name}: checksum mismatch")
        if listed_attachments != len(attachments) or len(listed) - listed_attachments != len(
            expected
        ):
            raise Corrupted("checksums.json does not list exactly the members")


class ArchiveReader:
    """Reads a backup from a path or a binary file object.

    A seekable file object may be read several times (each pass starts where it was when
    given); a non-seekable one allows exactly one pass. ``schema`` (optional) validates and
    converts rows; ``progress`` is called as compressed bytes are read. Errors are always
    :class:`ArchiveError` subclasses.

    ``passphrase`` (a string or an :class:`~.encryption.Passphrase`) reads an encrypted backup
    (age, scrypt; see ``encryption``) from a path or a seekable file: each pass decrypts as it
    reads, in constant memory, and the key is derived once, however many passes. Without one,
    an encrypted file raises :class:`Encrypted`; a file that is not encrypted is read as it is.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | IO[bytes],
        *,
        limits: Limits | None = None,
        schema: Schema | None = None,
        progress: ProgressCallback | None = None,
        parse_rows: bool = True,
        validate_rows: bool = True,
        convert_rows: bool = True,
        passphrase: Passphrase | str | None = None,
    ) -> None:
        self.limits = limits or Limits()
        if isinstance(passphrase, str):
            passphrase = Passphrase(passphrase)
        self.passphrase = passphrase
        #: Whether the file read is an encrypted one (known once a pass has opened it).
        self.encrypted = False
        self.schema = schema
        # False: rows are hashed and counted, not parsed (reading back a file just written,
        # whose lines came from orjson). Every checksum and count is still checked.
        self.parse_rows = parse_rows or schema is not None
        # False: rows are parsed (and upgraded) but not validated against the schema: only for
        # a second pass over bytes already validated, proven the same by ``digest``.
        self.validate_rows = validate_rows
        # False: validated rows keep the file's values (strings for keys, amounts and times).
        self.convert_rows = convert_rows
        #: SHA-256 hex of the file's bytes before the trailer, once a pass has read them all.
        self.digest: str | None = None
        self.progress = progress
        self._path: str | None = None
        self._file: IO[bytes] | None = None
        self._start = 0
        self._passes = 0
        self._manifest: Manifest | None = None
        self.size: int | None = None
        if isinstance(source, (str, os.PathLike)):
            self._path = os.fspath(source)
            self.size = os.path.getsize(self._path)
        else:
            self._file = source
            if source.seekable():
                self._start = source.tell()
                self.size = source.seek(0, os.SEEK_END) - self._start
                source.seek(self._start)

    def _open(self) -> tuple[IO[bytes], bool]:
        """(file positioned at the start, whether to close it after the pass)."""
        if self._path is not None:
            f: IO[bytes] = open(self._path, "rb", buffering=0)  # noqa: SIM115
            try:
                return self._decrypting(f, closefd=True)
            except BaseException:
                f.close()
                raise
        assert self._file is not None
        if self._file.seekable():
            self._file.seek(self._start)
            return self._decrypting(self._file, closefd=False)
        elif self._passes:
            raise RuntimeError("a non-seekable source can be read only once")
        self._passes += 1
        return self._file, False

    def _decrypting(self, f: IO[bytes], closefd: bool) -> tuple[IO[bytes], bool]:
        """``f`` itself, or its plaintext when it is encrypted and a passphrase was given."""
        if self.passphrase is None:
            return f, closefd
        start = f.tell()
        head = f.read(max(map(len, AGE_MAGICS)))
        f.seek(start)
        if not head.startswith(AGE_MAGICS):
            return f, closefd
        plain = DecryptingReader(
            f,
            self.passphrase,
            max_work_factor=self.limits.max_scrypt_work_factor,
            closefd=closefd,
        )
        self.encrypted = True
        self.size = plain.size
        return cast(IO[bytes], plain), True

    def _check_tail(self, f: IO[bytes]) -> None:
        """Cheap pre-check on seekable sources: the trailing frame must be there."""
        if self.size is None or self.size < TRAILER_SIZE:
            return
        base = f.tell()
        f.seek(base + self.size - TRAILER_SIZE)
        tail = f.read(TRAILER_SIZE)
        f.seek(base)
        if parse_trailer(tail) is None:
            head = f.read(4)
            f.seek(base)
            if head.startswith(ZSTD_MAGIC):
                raise Truncated("no trailing checksum frame")

    @property
    def manifest(self) -> Manifest:
        """The manifest, reading only the first member (and the file's last bytes)."""
        if self._manifest is None:
            f, close = self._open()
            try:
                self._check_tail(f)
                p = _Pass(self)
                p.open(f)
                self._manifest = p.read_manifest()
            except ArchiveError:
                raise
            except (OSError, MemoryError, RuntimeError):
                raise
            except Exception as e:  # defensive: never leak another error on bad input
                raise Corrupted(f"unexpected {type(e).__name__}: {e}") from e
            finally:
                if close:
                    f.close()
        return self._manifest

    def iter_members(self) -> Iterator[TableMember | AttachmentMember]:
        """One pass over the whole file, yielding members in file order (tables, attachments).

        Consume each member before asking for the next (unconsumed data is read and checked
        anyway). Checks run as data streams; the checksums and the whole-file digest are checked
        when the last member has been yielded, before the iteration ends. Only a pass that ends
        without an exception proves the file sound.
        """
        f, close = self._open()
        try:
            self._check_tail(f)
            p = _Pass(self)
            p.open(f)
            members = p.members()
            while True:
                try:
                    m = next(members)
                except StopIteration:
                    break
                if self._manifest is None:
                    self._manifest = p.manifest
                yield m
        except ArchiveError:
            raise
        except (OSError, MemoryError, RuntimeError):
            raise
        except Exception as e:
            raise Corrupted(f"unexpected {type(e).__name__}: {e}") from e
        finally:
            if close:
                f.close()
        if p.manifest is not None:
            self._manifest = p.manifest

    def verify(self) -> Manifest:
        """Read and check everything (rows parsed, schema applied if given); return the manifest."""
        for m in self.iter_members():
            m._drain()
        return self.manifest

    def iter_rows(self, table: str) -> Iterator[dict[str, Any]]:
        """Rows of one table (a pass that stops after that table; the rest is not checked)."""
        for m in self.iter_members():
            if isinstance(m, TableMember) and m.table == table:
                yield from m.rows()
                return
            m._drain()
        raise KeyError(table)
