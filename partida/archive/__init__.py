"""The ``.manager`` backup format: pure Python, no Django (specification: FORMAT.md).

Write with :class:`ArchiveWriter` / :func:`write_atomically`, read with :class:`ArchiveReader`,
describe tables with :class:`Schema` / :class:`Table`. Every error is an :class:`ArchiveError`.
"""

from .errors import (
    APP_VERSION_FOR_FORMAT,
    ERROR_CLASSES,
    MESSAGES,
    ArchiveError,
    BackupFailed,
    Corrupted,
    Encrypted,
    InvalidData,
    LimitExceeded,
    NotABackup,
    Truncated,
    UnsafeMember,
    UnsupportedVersion,
)
from .format import FORMAT_NAME, FORMAT_VERSION
from .limits import Limits
from .manifest import Company, Manifest, Parts
from .reader import ArchiveReader, AttachmentMember, TableMember
from .schema import ATTACHMENTS, Column, Schema, Table, Upgrade, Validator
from .writer import ArchiveWriter, Progress, ProgressCallback, write_atomically

__all__ = [
    "APP_VERSION_FOR_FORMAT",
    "ATTACHMENTS",
    "ERROR_CLASSES",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MESSAGES",
    "ArchiveError",
    "ArchiveReader",
    "ArchiveWriter",
    "AttachmentMember",
    "BackupFailed",
    "Column",
    "Company",
    "Corrupted",
    "Encrypted",
    "InvalidData",
    "LimitExceeded",
    "Limits",
    "Manifest",
    "NotABackup",
    "Parts",
    "Progress",
    "ProgressCallback",
    "Schema",
    "Table",
    "TableMember",
    "Truncated",
    "UnsafeMember",
    "UnsupportedVersion",
    "Upgrade",
    "Validator",
    "write_atomically",
]
