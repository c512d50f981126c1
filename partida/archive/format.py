"""Constants of the ``.manager`` container, shared by the writer and the reader (see FORMAT.md)."""

from __future__ import annotations

import re
import struct
from typing import Final

#: Value of the manifest's ``format`` field.
FORMAT_NAME: Final = "partida-backup"
#: The format version this code writes; it reads every version from 1 up to this one.
FORMAT_VERSION: Final = 4

MANIFEST_NAME: Final = "manifest.json"
CHECKSUMS_NAME: Final = "checksums.json"
DATA_PREFIX: Final = "data/"
DATA_SUFFIX: Final = ".jsonl"
ATTACHMENTS_PREFIX: Final = "attachments/"
CHECKSUM_ALGORITHM: Final = "sha256"

#: A table name: what may appear between ``data/`` and ``.jsonl``.
TABLE_NAME_RE: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
SHA256_RE: Final = re.compile(r"[0-9a-f]{64}")
#: Every allowed member name.
MEMBER_NAME_RE: Final = re.compile(
    r"manifest\.json|checksums\.json|data/[a-z_][a-z0-9_]{0,62}\.jsonl|attachments/[0-9a-f]{64}"
)

#: The zstd magic number that starts every zstd frame (little-endian 0xFD2FB528).
ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
#: ``age`` file headers (binary and armored), recognised to say "this backup is encrypted".
AGE_MAGICS: Final = (b"age-encryption.org/", b"-----BEGIN AGE ENCRYPTED FILE-----")

#: The trailing zstd skippable frame: magic 0x184D2A5B (one of 0x184D2A50..5F), payload size,
#: then the payload: a 16-byte marker and the SHA-256 of every byte before the frame.
TRAILER_MAGIC: Final = 0x184D2A5B
TRAILER_MARKER: Final = b"PARTIDA-SHA256\x00\x01"
TRAILER_PAYLOAD_SIZE: Final = len(TRAILER_MARKER) + 32
TRAILER_SIZE: Final = 8 + TRAILER_PAYLOAD_SIZE
_TRAILER_HEAD: Final = struct.pack("<II", TRAILER_MAGIC, TRAILER_PAYLOAD_SIZE) + TRAILER_MARKER

#: Tar geometry.
BLOCK: Final = 512
RECORD: Final = 20 * BLOCK
#: Buffer size for every copy.
CHUNK: Final = 1024 * 1024
#: mtime of data and attachment members: constant, so unchanged data gives identical bytes.
DATA_MTIME: Final = 0
MEMBER_MODE: Final = 0o644


def table_member(table: str) -> str:
    return f"{DATA_PREFIX}{table}{DATA_SUFFIX}"


def attachment_member(sha256: str) -> str:
    return f"{ATTACHMENTS_PREFIX}{sha256}"


def make_trailer(digest: bytes) -> bytes:
    """The trailing skippable frame for a file whose bytes before it hash to ``digest``."""
    if len(digest) != 32:
        raise ValueError("digest must be 32 bytes")
    return _TRAILER_HEAD + digest


def parse_trailer(tail: bytes) -> bytes | None:
    """The digest carried by ``tail`` (the file's last bytes), or None if it is no trailer."""
    if len(tail) != TRAILER_SIZE or not tail.startswith(_TRAILER_HEAD):
        return None
    return tail[len(_TRAILER_HEAD) :]
