"""The one-sentence refusals of a Manager.io business file.

They are ``ArchiveError`` subclasses, so Import company (screen and command line) shows them
as it shows a Partida backup's, translated by the Django side from ``MESSAGES``.
"""

from __future__ import annotations

from typing import Final

from partida.archive.errors import ArchiveError, gettext_noop

#: Schema version of the Manager.io files this reader understands (reference §2.5).
SUPPORTED_SCHEMA = 419

MESSAGES: Final[dict[str, str]] = {
    "manager_not_a_business": gettext_noop(
        "This file is a database but not a Manager.io business: choose the backup that "
        "Manager's Backup button made (.manager or .manager.tar)."
    ),
    "manager_never_opened": gettext_noop(
        "This Manager.io business was created but never opened, so it holds no books: open "
        "it in Manager, back it up again and import that backup."
    ),
    "manager_damaged": gettext_noop(
        "This Manager.io file is damaged: make a new backup in Manager and import that."
    ),
    "manager_hostile": gettext_noop(
        "This Manager.io file holds a record that Partida cannot read safely, so it is damaged "
        "or was altered: make a new backup in Manager and import that."
    ),
    "manager_version": gettext_noop(
        "This Manager.io business is at schema version {found} and Partida reads version "
        "{supported}: open it once in a current Manager, which brings it up to date, back it "
        "up again and import that backup."
    ),
    "manager_legacy": gettext_noop(
        "This Manager.io business is in the old format Manager used before version {supported} "
        "of its files: open it once in a current Manager, which converts it, back it up again "
        "and import that backup."
    ),
    "manager_unsupported": gettext_noop(
        "This Manager.io business uses {what}, which Partida cannot bring across yet without "
        "changing its figures, so nothing was imported: keep this business in Manager for now."
    ),
    "manager_books_differ": gettext_noop(
        "The imported books would not match Manager's figures for this business (account "
        "{account} differs by {difference}), so nothing was imported: report this problem."
    ),
}


class ManagerFileError(ArchiveError):
    code = "manager_damaged"

    def template(self) -> str:
        return MESSAGES[self.code]


class NotABusiness(ManagerFileError):
    code = "manager_not_a_business"


class NeverOpened(ManagerFileError):
    code = "manager_never_opened"


class Damaged(ManagerFileError):
    """The database fails its integrity check, or cannot be read. ``where`` says what failed,
    for the logs (``detail``); the person's sentence does not need it."""

    code = "manager_damaged"

    def __init__(self, where: str = "") -> None:
        super().__init__(where)


class HostileRecord(ManagerFileError):
    """A record breaks a bound or the wire format (``where`` says which)."""

    code = "manager_hostile"

    def __init__(self, where: str = "") -> None:
        super().__init__(where)


class OtherVersion(ManagerFileError):
    code = "manager_version"


class LegacyFormat(ManagerFileError):
    code = "manager_legacy"


class Unsupported(ManagerFileError):
    """The business uses something that changes its ledger and that Partida does not hold."""

    code = "manager_unsupported"


class BooksDiffer(ManagerFileError):
    code = "manager_books_differ"
