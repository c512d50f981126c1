"""Streaming writer of ``.manager`` files (see FORMAT.md).

Usage::

    manifest = Manifest(app_version="1.0", company=Company(cid, "Acme", "EUR"),
                        tables={"accounts": 12, "customers": 3},   # COUNT(*) in the snapshot
                        attachment_count=1, attachment_bytes=1234)
    with write_atomically("Acme (2025-01-31).manager", manifest) as w:
        w.write_table("accounts", rows=qs.values_list(*cols).iterator(), columns=cols)
        w.write_table("customers", rows=(dict_row for ...))
        w.write_attachment(sha256_hex, size, open_binary_file)

Memory is constant: each table is spooled (1 MB in memory, then a temporary file) because a
tar header needs the member's size; attachments are streamed in 1 MiB chunks.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import IO, Any, BinaryIO, Protocol

import orjson
import zstandard

from .encryption import DEFAULT_WORK_FACTOR, DecryptingReader, EncryptingWriter, Passphrase
from .errors import ArchiveError, BackupFailed
from .format import (
    BLOCK,
    CHECKSUM_ALGORITHM,
    CHECKSUMS_NAME,
    CHUNK,
    DATA_MTIME,
    MANIFEST_NAME,
    MEMBER_MODE,
    RECORD,
    SHA256_RE,
    TRAILER_SIZE,
    attachment_member,
    make_trailer,
    parse_trailer,
    table_member,
)
from .manifest import Manifest

_ZEROS = bytes(RECORD)
_BATCH = 512
#: zstd job size when compressing with several threads: bounds the memory each worker holds.
_JOB_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Progress:
    """Progress report. Writing: rows and attachment bytes written so far, and their totals.

    Reading: rows read so far (``rows_total`` from the manifest), and compressed bytes of the
    file read so far (``bytes_total`` is the file size, or 0 when unknown).
    """

    rows_done: int
    rows_total: int
    bytes_done: int
    bytes_total: int
    member: str


ProgressCallback = Callable[[Progress], None]


class Writable(Protocol):
    def write(self, data: bytes, /) -> int | None: ...


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError("non-finite Decimal")
        return format(value, "f")
    raise TypeError(type(value).__name__)


_DUMPS_OPTION = orjson.OPT_NAIVE_UTC


class _HashingSink:
    """Passes compressed bytes to the real file, hashing and counting them."""

    def __init__(self, raw: Writable) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        self.raw.write(data)
        return len(data)

    def flush(self) -> None:
        flush = getattr(self.raw, "flush", None)
        if flush is not None:
            flush()


class ArchiveWriter:
    """Writes one backup to ``fileobj`` (any object with ``write``; never closed by the writer).

    ``manifest`` is a :class:`Manifest` or a dict with the ``manifest.json`` keys. It is written
    first, at once; its table row counts and attachment totals are promises, checked as the data
    is written. Write the tables in the manifest's order with :meth:`write_table`, then the
    attachments with :meth:`write_attachment`, then :meth:`close` (done by ``with`` on a clean
    exit) writes ``checksums.json`` and the trailing checksum frame. If anything fails, the output
    is not a valid backup: discard it (:func:`write_atomically` does).

    ``level``/``threads`` configure zstd (threads=-1: one worker per CPU; 0: single-threaded).
    ``progress`` is called with a :class:`Progress` after every batch of rows and every chunk.
    """

    def __init__(
        self,
        fileobj: Writable,
        manifest: Manifest | Mapping[str, Any],
        *,
        level: int = 3,
        threads: int = -1,
        progress: ProgressCallback | None = None,
        spool_bytes: int = 1024 * 1024,
        spool_dir: str | None = None,
    ) -> None:
        self.manifest = manifest if isinstance(manifest, Manifest) else Manifest.from_dict(manifest)
        self._sink = _HashingSink(fileobj)
        params = zstandard.ZstdCompressionParameters.from_level(
            level, threads=threads, job_size=_JOB_BYTES if threads else 0, write_checksum=1
        )
        cctx = zstandard.ZstdCompressor(compression_params=params)
        self._z = cctx.stream_writer(
            self._sink,  # type: ignore[arg-type]
            write_size=CHUNK,
            closefd=False,
        )
        self._progress = progress
        self._spool_bytes = spool_bytes
        self._spool_dir = spool_dir
        self._pending_tables = list(self.manifest.tables)
        self._checksums: dict[str, str] = {}
        self._rows_done = 0
        self._bytes_done = 0
        self._attachment_count = 0
        self._state = "open"  # open -> attachments -> closed | failed
        self._tar_size = 0
        self._mtime = int(self.manifest.created_at.timestamp())
        self.digest: str | None = None
        raw = self.manifest.to_json()
        self._add_bytes(MANIFEST_NAME, raw, self._mtime)

    # -- tar plumbing -------------------------------------------------------------------------

    def _header(self, name: str, size: int, mtime: int) -> None:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = mtime
        info.mode = MEMBER_MODE
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.type = tarfile.REGTYPE
        header = info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        self._z.write(header)
        self._tar_size += len(header)

    def _pad(self, size: int) -> None:
        rest = -size % BLOCK
        if rest:
            self._z.write(_ZEROS[:rest])
        self._tar_size += size + rest

    def _add_bytes(self, name: str, data: bytes, mtime: int) -> None:
        self._header(name, len(data), mtime)
        self._z.write(data)
        self._pad(len(data))
        self._checksums[name] = hashlib.sha256(data).hexdigest()

    def _report(self, member: str) -> None:
        if self._progress is not None:
            m = self.manifest
            self._progress(
                Progress(
                    self._rows_done, m.total_rows, self._bytes_done, m.attachment_bytes, member
                )
            )

    def _check_open(self) -> None:
        if self._state in ("closed", "failed"):
            raise ValueError(f"the writer is {self._state}")

    def _fail(self, exc: BaseException) -> None:
        self._state = "failed"

    # -- public API ---------------------------------------------------------------------------

    def write_table(
        self,
        name: str,
        rows: Iterable[Mapping[str, Any]] | Iterable[Sequence[Any]],
        columns: Sequence[str] | None = None,
    ) -> str:
        """Write ``data/<name>.jsonl``; return its SHA-256 hex.

        ``rows`` yields dicts (``columns=None``) or sequences of values in the order of
        ``columns`` (e.g. ``values_list(*columns)``). Values: str, int, bool, None, Decimal
        (written as a fixed-point string), UUID, date, datetime (naive ones are taken as UTC),
        lists and dicts of these. ``name`` must be the next table listed in the manifest, and
        the number of rows must equal the manifest's count, else :class:`BackupFailed`
        (``snapshot_changed``).
        """
        it: Iterator[Any] = iter(rows)
        if columns is not None:
            cols = tuple(columns)
            it = (dict(zip(cols, r, strict=True)) for r in it)
        dumps = orjson.dumps
        opt = _DUMPS_OPTION

        def encoded() -> Iterator[tuple[int, bytes]]:
            while batch := list(itertools.islice(it, _BATCH)):
                try:
                    lines = [dumps(r, default=_default, option=opt) for r in batch]
                except (TypeError, orjson.JSONEncodeError) as e:
                    raise BackupFailed("unserializable", str(e), table=name, type=str(e)) from None
                lines.append(b"")
                yield len(batch), b"\n".join(lines)

        return self._write_jsonl(name, encoded())

    def write_table_lines(self, name: str, chunks: Iterable[bytes]) -> str:
        """Write ``data/<name>.jsonl`` from rows already serialised; return its SHA-256 hex.

        Each chunk holds whole rows, each one JSON object on one line ending in ``\\n`` (a
        database's own JSON row builder, say), values in the form FORMAT.md gives. The caller
        vouches for the JSON: it is not parsed again. Rows are counted by their lines, and the
        count must equal the manifest's, as in :meth:`write_table`.
        """

        def counted() -> Iterator[tuple[int, bytes]]:
            for chunk in chunks:
                if not chunk:
                    continue
                if not chunk.endswith(b"\n"):
                    raise BackupFailed(
                        "unserializable",
                        f"{name}: a chunk ends inside a row",
                        table=name,
                        type="unfinished line",
                    )
                yield chunk.count(b"\n"), chunk

        return self._write_jsonl(name, counted())

    def _write_jsonl(self, name: str, chunks: Iterator[tuple[int, bytes]]) -> str:
        """Spool ``(rows, bytes)`` chunks of a table (a tar header needs the size), then add it."""
        self._check_open()
        if self._state != "open":
            raise ValueError("tables must be written before attachments")
        if not self._pending_tables or self._pending_tables[0] != name:
            expected = self._pending_tables[0] if self._pending_tables else None
            raise ValueError(f"table {name!r} written out of order: expected {expected!r}")
        member = table_member(name)
        sha = hashlib.sha256()
        count = 0
        size = 0
        expected_rows = self.manifest.tables[name]
        try:
            with tempfile.SpooledTemporaryFile(
                max_size=self._spool_bytes, dir=self._spool_dir
            ) as spool:
                for rows, data in chunks:
                    sha.update(data)
                    spool.write(data)
                    size += len(data)
                    count += rows
                    self._rows_done += rows
                    self._report(member)
                if count != expected_rows:
                    raise BackupFailed(
                        "snapshot_changed",
                        f"{name}: manifest says {expected_rows} rows, {count} written",
                    )
                spool.seek(0)
                self._header(member, size, DATA_MTIME)
                while chunk := spool.read(CHUNK):
                    self._z.write(chunk)
                self._pad(size)
        except BaseException as e:
            self._fail(e)
            raise
        self._pending_tables.pop(0)
        digest = sha.hexdigest()
        self._checksums[member] = digest
        return digest

    def write_attachment(self, sha256: str, size: int, fileobj: IO[bytes] | BinaryIO) -> None:
        """Write ``attachments/<sha256>`` from ``fileobj``, streamed in 1 MiB chunks.

        The bytes are re-hashed: if they are not exactly ``size`` bytes hashing to ``sha256``
        the backup fails with :class:`BackupFailed` (``attachment_damaged``). Each distinct
        attachment must be written once, after every table.
        """
        self._check_open()
        if self._pending_tables:
            raise ValueError(f"tables not yet written: {self._pending_tables}")
        if not SHA256_RE.fullmatch(sha256):
            raise ValueError(f"not a lowercase sha256 hex: {sha256!r}")
        if type(size) is not int or size < 0:
            raise ValueError("size must be a non-negative int")
        member = attachment_member(sha256)
        if member in self._checksums:
            raise ValueError(f"attachment {sha256} written twice")
        self._state = "attachments"
        try:
            self._header(member, size, DATA_MTIME)
            h = hashlib.sha256()
            left = size
            while left:
                chunk = fileobj.read(min(CHUNK, left))
                if not chunk:
                    raise BackupFailed(
                        "attachment_damaged", f"{sha256}: shorter than {size}", sha256=sha256
                    )
                h.update(chunk)
                self._z.write(chunk)
                left -= len(chunk)
                self._bytes_done += len(chunk)
                self._report(member)
            if fileobj.read(1) or h.hexdigest() != sha256:
                raise BackupFailed(
                    "attachment_damaged", f"{sha256}: bytes do not match", sha256=sha256
                )
            self._pad(size)
        except BaseException as e:
            self._fail(e)
            raise
        self._attachment_count += 1
        self._checksums[member] = sha256

    def close(self) -> str:
        """Finish the file: ``checksums.json``, tar end, zstd frame end, trailing frame.

        Returns the SHA-256 hex of the file's bytes before the trailing frame.
        """
        if self._state == "closed":
            assert self.digest is not None
            return self.digest
        self._check_open()
        if self._pending_tables:
            raise ValueError(f"tables not written: {self._pending_tables}")
        m = self.manifest
        if self._attachment_count != m.attachment_count or self._bytes_done != m.attachment_bytes:
            self._state = "failed"
            raise BackupFailed(
                "snapshot_changed",
                f"manifest says {m.attachment_count} attachments / {m.attachment_bytes} bytes, "
                f"{self._attachment_count} / {self._bytes_done} written",
            )
        try:
            body = orjson.dumps(
                {"algorithm": CHECKSUM_ALGORITHM, "members": self._checksums},
                option=orjson.OPT_INDENT_2,
            )
            self._add_bytes(CHECKSUMS_NAME, body + b"\n", self._mtime)
            end = 2 * BLOCK
            end += -(self._tar_size + end) % RECORD
            self._z.write(bytes(end))  # may exceed one record: _ZEROS would be short
            self._tar_size += end
            self._z.flush(zstandard.FLUSH_FRAME)
            digest = self._sink.sha.digest()
            self._sink.raw.write(make_trailer(digest))
            self._sink.flush()
        except BaseException as e:
            self._fail(e)
            raise
        self._state = "closed"
        self.digest = digest.hex()
        return self.digest

    @property
    def tar_size(self) -> int:
        """Bytes of the uncompressed tar stream written so far."""
        return self._tar_size

    @property
    def compressed_size(self) -> int:
        """Bytes written to the file so far (without the trailing frame)."""
        return self._sink.size

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
        else:
            self._state = "failed"


def check_written(
    path: str | os.PathLike[str],
    digest: str,
    tar_size: int,
    key: tuple[bytes, bytes] | None = None,
) -> None:
    """Read a file just written back from the disk: raise :class:`BackupFailed` unless it holds
    exactly the bytes the writer produced.

    Its bytes before the trailer must hash to ``digest`` (the SHA-256 the writer computed as it
    wrote them), the trailer must carry that digest, and the body must decompress to exactly
    ``tar_size`` bytes, zstd checking each frame's content checksum on the way. Together with
    the member checksums computed from the data itself, this proves the file is the backup,
    at about a third of the cost of re-reading every member (measured on the large demo:
    3.6 s against 9.9 s for 1.2 GB).

    ``key`` (the age header and file key it was encrypted with) reads an encrypted file: its
    plaintext is checked the same way, every chunk's tag with it.
    """
    sha = hashlib.sha256()
    try:
        with open(path, "rb") as raw:
            f: IO[bytes] = raw
            size = os.path.getsize(path)
            if key is not None:
                known = Passphrase(None)
                known.remember(*key)
                plain = DecryptingReader(raw, known)
                f, size = plain, plain.size  # type: ignore[assignment]
            body = _HashingReader(f, size - TRAILER_SIZE, sha)
            stream = zstandard.ZstdDecompressor().stream_reader(body, read_across_frames=True)  # type: ignore[arg-type]
            produced = 0
            while chunk := stream.read(CHUNK):
                produced += len(chunk)
            body.finish()
            trailer = parse_trailer(f.read())
    except (OSError, zstandard.ZstdError, ArchiveError) as e:
        raise BackupFailed("not_stored", f"reading back {path}: {e!r}") from None
    if sha.hexdigest() != digest or trailer != bytes.fromhex(digest) or produced != tar_size:
        raise BackupFailed("not_stored", f"{path} differs from what was written")


class _HashingReader:
    """The first ``limit`` bytes of a file, hashed as they are read."""

    def __init__(self, f: IO[bytes], limit: int, sha: Any) -> None:
        self.f, self.left, self.sha = f, max(limit, 0), sha

    def read(self, n: int = -1) -> bytes:
        if n < 0 or n > self.left:
            n = self.left
        data = self.f.read(n)
        self.left -= len(data)
        self.sha.update(data)
        return data

    def finish(self) -> None:
        """Hash what the decompressor did not need to read (nothing, in a sound file)."""
        while self.read(CHUNK):
            pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: str) -> None:
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def write_atomically(
    path: str | os.PathLike[str],
    manifest: Manifest | Mapping[str, Any],
    *,
    verify: bool = True,
    level: int = 3,
    threads: int = -1,
    progress: ProgressCallback | None = None,
    passphrase: str | bytes | None = None,
    work_factor: int = DEFAULT_WORK_FACTOR,
) -> Iterator[ArchiveWriter]:
    """Write a backup to ``path`` atomically; yields the :class:`ArchiveWriter`.

    With a ``passphrase``, the file is the same backup encrypted with age (scrypt, of
    ``work_factor``; see ``encryption``), streamed: the checks read it back decrypting.

    The bytes go to ``.<name>.<random>.partial`` in the same folder; on a clean exit the file is
    flushed, fsynced, read back and checked (``verify=True``, see :func:`check_written`), then
    renamed over ``path`` (replacing any file of that name). On any exception,
    KeyboardInterrupt included, the temporary file is removed and nothing appears at ``path``.
    """
    final = os.path.abspath(os.fspath(path))
    folder, base = os.path.split(final)
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".partial", dir=folder)
    try:
        # mkstemp makes the file private; a backup gets the permissions any new file would.
        os.chmod(tmp, 0o666 & ~_umask())
        with open(fd, "wb", buffering=CHUNK) as f:
            sink: Any = f
            if passphrase is not None:
                sink = EncryptingWriter(f, passphrase, work_factor)
            writer = ArchiveWriter(sink, manifest, level=level, threads=threads, progress=progress)
            with writer:
                yield writer
            if passphrase is not None:
                sink.close()
            f.flush()
            os.fsync(f.fileno())
        if verify:
            assert writer.digest is not None
            key = (sink.header, sink.file_key) if passphrase is not None else None
            check_written(tmp, writer.digest, writer.tar_size, key)
        os.replace(tmp, final)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)
