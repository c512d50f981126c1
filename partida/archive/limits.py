"""Limits on untrusted input: every read of a ``.manager`` file is bounded by these."""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds applied while reading a backup. Exceeding one raises :class:`LimitExceeded`.

    The defaults accept a company with tens of GB of attachments and millions of rows, and keep
    the reader's memory to a few tens of MB (plus the key sets of the schema validation).
    """

    #: Total bytes of the decompressed tar stream (headers, data, padding).
    max_total_bytes: int = 64 * GiB
    #: Bytes of any one member (one table's JSONL, or one attachment).
    max_member_bytes: int = 16 * GiB
    #: Number of members (manifest + tables + attachments + checksums). Reading costs about
    #: 0.9 KB of memory per member (measured: 148 MB at 100,000 tiny attachments, 415 MB at
    #: 400,000), so this keeps a hostile file under 300 MB, whatever it holds.
    max_members: int = 200_000
    #: Bytes of ``manifest.json``.
    max_manifest_bytes: int = 4 * MiB
    #: Bytes of ``checksums.json`` (it lists every member: about 150 bytes each).
    max_checksums_bytes: int = 256 * MiB
    #: Bytes of one JSONL line (one row), without its newline.
    max_line_bytes: int = 64 * MiB
    #: Decompressed bytes per compressed byte, checked once past ``ratio_grace_bytes``.
    max_ratio: int = 250
    #: Decompressed bytes read before ``max_ratio`` applies (small files compress very well).
    ratio_grace_bytes: int = 64 * MiB
    #: Largest zstd window a frame may ask for (decoder memory): 128 MiB like libzstd's default.
    max_window_bytes: int = 128 * MiB
    #: Largest scrypt work factor (log2 N) an encrypted backup may ask for: scrypt needs
    #: 1 KiB × 2^N of memory, 1 GiB at 20. Partida and ``age -p`` write 18 (256 MiB).
    max_scrypt_work_factor: int = 20
