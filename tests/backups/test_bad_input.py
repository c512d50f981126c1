"""A bad file is refused with one clear sentence, and nothing is left behind."""

import os

import pytest

from partida.archive.errors import ArchiveError
from partida.attachments.store import all_blob_names
from partida.backups.export import backup_to_file, parts_from
from partida.backups.importer import do_import_company
from partida.books import models as m
from partida.history.models import HistoryEntry


def traces():
    """What an import would leave behind: companies, rows, stored files."""
    return (
        m.Company.objects.count(),
        m.LedgerEntry.objects.count(),
        HistoryEntry.objects.count(),
        sorted(all_blob_names()),
    )


@pytest.fixture
def good_file(company, tmp_path):
    path = tmp_path / "good.manager"
    backup_to_file(company, path, parts_from())
    return path


def refuse(path):
    before = traces()
    with pytest.raises(ArchiveError) as caught:
        do_import_company(path)
    assert traces() == before
    message = str(caught.value)
    assert message.endswith(".") and "\n" not in message
    return message


def test_empty_file(db, tmp_path):
    path = tmp_path / "empty.manager"
    path.write_bytes(b"")
    assert "empty" in refuse(path).lower()


def test_not_a_backup(db, tmp_path):
    path = tmp_path / "notes.manager"
    path.write_text("Estas no son las cuentas que buscas.\n" * 100)
    assert "not a Partida backup" in refuse(path)


def test_truncated_file(good_file):
    data = good_file.read_bytes()
    for cut in (len(data) // 3, len(data) - 60, len(data) - 1):
        good_file.write_bytes(data[:cut])
        refuse(good_file)


def test_any_single_changed_byte_is_caught(good_file):
    data = good_file.read_bytes()
    step = max(1, len(data) // 40)
    for position in range(0, len(data), step):
        changed = bytearray(data)
        changed[position] ^= 0x01
        good_file.write_bytes(bytes(changed))
        refuse(good_file)


def test_a_failure_while_writing_leaves_nothing_behind(good_file, monkeypatch):
    """Mock of a full disk: storing the second attachment fails midway through the import."""
    from partida.backups import importer

    real_store = importer.store_blob_reporting
    calls = []

    def store_then_fail(member, **options):
        calls.append(member)
        if len(calls) == 2:
            raise OSError(28, os.strerror(28))
        return real_store(member, **options)

    monkeypatch.setattr(importer, "store_blob_reporting", store_then_fail)
    before = traces()
    with pytest.raises(OSError):
        do_import_company(good_file)
    assert traces() == before


def test_a_file_replaced_between_the_check_and_the_import_is_refused(
    good_file, monkeypatch, tmp_path
):
    """The rows written are those checked: another valid backup swapped in midway is refused.

    Two passes read the file where the one pass cannot be used (PostgreSQL, or keys that a
    shift chosen before reading them would take past the top): here the shift is made such.
    """
    from partida.backups import importer
    from tests.backups.conftest import make_company

    monkeypatch.setattr(importer, "one_pass_offset", lambda: importer.KEY_SPACE // 2)

    other = tmp_path / "other.manager"
    backup_to_file(make_company("Otra empresa S.A."), other, parts_from())
    real_check = importer.check_backup

    def check_then_swap(reader):
        checked = real_check(reader)
        good_file.write_bytes(other.read_bytes())  # a valid backup, but not the one checked
        return checked

    monkeypatch.setattr(importer, "check_backup", check_then_swap)
    before = traces()
    with pytest.raises(ArchiveError):
        do_import_company(good_file)
    assert traces() == before
