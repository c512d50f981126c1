"""Every error the ``.manager`` format can raise, and the sentences shown to users.

All errors derive from :class:`ArchiveError`. Each carries:

- ``code``: a stable identifier (``"not_a_backup"``, ``"truncated"``...), safe to branch on;
- ``params``: the values that fill the message template (e.g. ``{"version": 3}``);
- ``message``: ONE English sentence for the user: what is wrong and what to do;
- ``detail``: a technical note for logs (member name, line number...), never shown as the message.

The templates live in :data:`MESSAGES`, keyed by code, so the Django side can translate them:
``gettext(MESSAGES[err.code]).format(**err.params)``. ``str(err)`` is the English message.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final


def gettext_noop(text: str) -> str:
    """Marks a sentence for translation by the Django side (its tools look for this name)."""
    return text


#: One user-facing sentence per error code. Placeholders are filled from ``ArchiveError.params``.
MESSAGES: Final[dict[str, str]] = {
    "not_a_backup": gettext_noop(
        "This file is not a Partida backup (.manager): choose a file made by Partida's Backup "
        "button."
    ),
    "empty": gettext_noop(
        "This file is empty (0 bytes), probably because a copy or download did not finish: "
        "copy the backup again from where it was made."
    ),
    "encrypted": gettext_noop(
        "This backup is encrypted: enter its passphrase to decrypt it before importing it."
    ),
    "wrong_passphrase": gettext_noop(
        "This passphrase does not open this backup: type it again, exactly as it was chosen "
        "when the backup was made."
    ),
    "encrypted_to_key": gettext_noop(
        "This file is encrypted with age to a key, not with a passphrase: decrypt it with age "
        "and that key (age -d -i key.txt), then import the decrypted file."
    ),
    "encryption_unsupported": gettext_noop(
        "This file is encrypted in a form of age that Partida does not read (armored text, or "
        "another version): decrypt it with the age tool (age -d), then import the decrypted "
        "file."
    ),
    "truncated": gettext_noop(
        "This backup is incomplete because the file ends too early, probably cut short while it "
        "was being copied or downloaded: copy it again from its source or use another backup."
    ),
    "corrupted": gettext_noop(
        "This backup is damaged (its contents do not match its checksums): use another copy of "
        "the backup."
    ),
    "unsupported_version_app": gettext_noop(
        "This backup was made by a newer Partida (format version {version}); upgrade Partida to "
        "version {app_version} or later to import it."
    ),
    "unsupported_version": gettext_noop(
        "This backup was made by a newer Partida (format version {version}); upgrade Partida to "
        "the latest version to import it."
    ),
    "limit_exceeded": gettext_noop(
        "This backup is larger than Partida accepts ({limit} exceeded), or it is a malicious "
        "file: use another backup, or raise the import limits if you trust this file."
    ),
    "limit_max_total_bytes": gettext_noop(
        "This backup unpacks to more data than Partida accepts, or it is a malicious "
        "file: use another backup."
    ),
    "limit_max_member_bytes": gettext_noop(
        "This backup holds a table or a file larger than Partida accepts, or it is a "
        "malicious file: use another backup."
    ),
    "limit_max_members": gettext_noop(
        "This backup holds more files than Partida accepts, or it is a malicious "
        "file: use another backup."
    ),
    "limit_max_manifest_bytes": gettext_noop(
        "This backup's description (manifest.json) is larger than a Partida backup's can be, "
        "so it is not a real backup: use another backup."
    ),
    "limit_max_checksums_bytes": gettext_noop(
        "This backup's list of checksums is larger than a Partida backup's can be, so it is "
        "not a real backup: use another backup."
    ),
    "limit_max_line_bytes": gettext_noop(
        "This backup holds a record larger than Partida accepts, or it is a malicious "
        "file: use another backup."
    ),
    "limit_max_ratio": gettext_noop(
        "This backup unpacks to far more than its size, as only a malicious file does: use "
        "another backup."
    ),
    "limit_max_window_bytes": gettext_noop(
        "This backup was compressed with settings that need more memory than Partida allows, "
        "as only another program or a malicious file does: use a backup made by "
        "Partida."
    ),
    "limit_max_scrypt_work_factor": gettext_noop(
        "This backup's passphrase protection asks for more memory than Partida allows, as only "
        "another program or a malicious file does: decrypt it with the age tool (age -d), "
        "then import the decrypted file."
    ),
    "limit_max_json_depth": gettext_noop(
        "This backup holds a record nested more deeply than any Partida record is, so it was "
        "altered or is malicious: use another backup."
    ),
    "limit_pax header size": gettext_noop(
        "This backup holds an entry header larger than Partida accepts, so it was altered or "
        "is malicious: use another backup."
    ),
    "value_not_allowed": gettext_noop(
        "This backup holds a value that Partida does not allow there ({where}), so it was "
        "altered or damaged: use another backup."
    ),
    "repeated_member": gettext_noop(
        "This backup names the same field twice in one record ({where}), so it was altered: "
        "use another backup."
    ),
    "manifest_mismatch": gettext_noop(
        "This backup's description (manifest.json) does not match the company it holds, so it "
        "was altered: use another backup."
    ),
    "unused_attachments": gettext_noop(
        "This backup holds files that no record uses, so it was altered: use another backup."
    ),
    "unbalanced_books": gettext_noop(
        "This backup's books do not balance (a transaction's debits and credits differ), so "
        "it was altered: use another backup."
    ),
    "figures_differ": gettext_noop(
        "This backup's books do not give the figures recorded when it was made ({what}), so "
        "it was altered or damaged: use another backup."
    ),
    "figures_differ_account": gettext_noop(
        "This backup's books do not give the totals recorded for account {account} when it "
        "was made, so it was altered or damaged: use another backup."
    ),
    "import_refused": gettext_noop(
        "This backup cannot be imported because the database refused its data ({reason}); "
        "nothing was changed: use another backup, or report this problem."
    ),
    "unsafe_member": gettext_noop(
        "This backup contains an entry that a Partida backup never has, so it was altered or "
        "made by another program: use a backup made by Partida's Backup button."
    ),
    "invalid_data": gettext_noop(
        "This backup contains data that Partida cannot import ({where}), so it was altered or "
        "damaged: use another backup."
    ),
    "snapshot_changed": gettext_noop(
        "The backup could not be completed because the company's data changed while it was "
        "being written: try the backup again."
    ),
    "attachment_damaged": gettext_noop(
        "The backup could not be completed because a stored attachment is missing or damaged "
        "({sha256}): restore the attachment store from its own backup, then try again."
    ),
    "not_stored": gettext_noop(
        "The backup could not be completed because the file read back from the disk differs "
        "from what was written: check the disk, or choose another folder, and try again."
    ),
    "figures_changed": gettext_noop(
        "The backup could not be completed because the rows written do not give the books' "
        "figures ({what}): try the backup again, and report this problem if it happens again."
    ),
    "unserializable": gettext_noop(
        "The backup could not be completed because table {table} holds a value Partida cannot "
        "write ({type}): report this problem."
    ),
}

#: Format version -> the first Partida release able to read it. Used to name the release to
#: upgrade to when a backup is too new. Versions missing here fall back to naming the format
#: version only (message code ``unsupported_version``).
APP_VERSION_FOR_FORMAT: Final[dict[int, str]] = {
    1: "0.1.0",
    2: "0.2.0",
    3: "0.3.0",
    4: "0.4.0",
}


class ArchiveError(Exception):
    """Base of every ``.manager`` error. ``str(err)`` is one user-facing English sentence."""

    code: ClassVar[str] = "corrupted"

    def __init__(self, detail: str = "", /, **params: Any) -> None:
        self.params: dict[str, Any] = params
        self.detail = detail
        self.message = self.template().format(**params)
        super().__init__(self.message)

    def template(self) -> str:
        return MESSAGES[self.code]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, detail={self.detail!r})"


class NotABackup(ArchiveError):
    """The file is not a ``.manager`` file at all (empty, not zstd, not tar, wrong manifest)."""

    code = "not_a_backup"


class EmptyFile(NotABackup):
    """The file has no bytes at all."""

    code = "empty"


class Encrypted(ArchiveError):
    """The file is an ``age``-encrypted backup; decrypt it first."""

    code = "encrypted"


class Truncated(ArchiveError):
    """The file ends too early (or its trailing checksum frame is missing)."""

    code = "truncated"


class Corrupted(ArchiveError):
    """Some bytes differ from what the checksums or the structure say."""

    code = "corrupted"


class UnsupportedVersion(ArchiveError):
    """The backup's format version is newer than this Partida reads.

    ``version_needed`` is the backup's format version; ``app_version_needed`` the first Partida
    release that reads it, when known.
    """

    code = "unsupported_version"

    def __init__(self, version: int, detail: str = "") -> None:
        self.version_needed = version
        self.app_version_needed = APP_VERSION_FOR_FORMAT.get(version)
        if self.app_version_needed is not None:
            super().__init__(detail, version=version, app_version=self.app_version_needed)
        else:
            super().__init__(detail, version=version)

    def template(self) -> str:
        if "app_version" in self.params:
            return MESSAGES["unsupported_version_app"]
        return MESSAGES["unsupported_version"]


class LimitExceeded(ArchiveError):
    """A limit on untrusted input was exceeded (``params["limit"]`` names the ``Limits`` field).

    Each limit has a sentence of its own (``limit_<name>``); ``limit_exceeded`` is the fallback.
    """

    code = "limit_exceeded"

    def template(self) -> str:
        return MESSAGES.get(f"limit_{self.params.get('limit')}", MESSAGES[self.code])


class UnsafeMember(ArchiveError):
    """A tar entry with a forbidden name or type (link, device, directory, ``..``, ...)."""

    code = "unsafe_member"


class InvalidData(ArchiveError):
    """Structurally valid container, invalid content (JSON, manifest, row, order, count).

    ``params["where"]`` says where, e.g. ``"data/customers.jsonl, line 12"``.
    """

    code = "invalid_data"


class ValueNotAllowed(InvalidData):
    """A row's value is not one its column allows: type, spelling, digits, length, choices."""

    code = "value_not_allowed"


class RepeatedMember(InvalidData):
    """A JSON object names one member twice (the fast parsers would keep the last silently)."""

    code = "repeated_member"


class ManifestMismatch(InvalidData):
    """What the manifest says of the company is not what the rows hold."""

    code = "manifest_mismatch"


class UnusedAttachments(InvalidData):
    """Attachment members that no row refers to."""

    code = "unused_attachments"


class UnbalancedBooks(InvalidData):
    """A transaction's ledger entries do not sum to zero: the books would not balance."""

    code = "unbalanced_books"


class FiguresDiffer(InvalidData):
    """The rows do not give the figures the manifest records (format version 4 on).

    ``params["account"]`` names the first account that differs ("430 Clientes"), else
    ``params["what"]`` what differs (a kind of document, the balance sheet).
    """

    code = "figures_differ"

    def template(self) -> str:
        if "account" in self.params:
            return MESSAGES["figures_differ_account"]
        return MESSAGES[self.code]


class ImportRefused(ArchiveError):
    """The database refused the checked rows (``params["reason"]``, its words)."""

    code = "import_refused"


class BackupFailed(ArchiveError):
    """Raised while WRITING: the backup cannot be made correctly; the partial file is discarded.

    Its code is one of ``snapshot_changed``, ``attachment_damaged``, ``not_stored``,
    ``figures_changed``, ``unserializable``.
    """

    code = "snapshot_changed"

    def __init__(self, code: str, detail: str = "", /, **params: Any) -> None:
        self.code = code  # type: ignore[misc]
        super().__init__(detail, **params)


#: Every error class, for documentation and translation tooling.
ERROR_CLASSES: Final[tuple[type[ArchiveError], ...]] = (
    NotABackup,
    EmptyFile,
    Encrypted,
    Truncated,
    Corrupted,
    UnsupportedVersion,
    LimitExceeded,
    UnsafeMember,
    InvalidData,
    ValueNotAllowed,
    RepeatedMember,
    ManifestMismatch,
    UnusedAttachments,
    UnbalancedBooks,
    FiguresDiffer,
    ImportRefused,
    BackupFailed,
)
