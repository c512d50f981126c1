"""Files forged to pass every checksum but break the rules are refused, leaving no trace.

Each test takes a real backup, changes one thing in its content, and recomputes
checksums.json and the trailing digest as an attacker would.
"""

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from partida.archive.errors import ArchiveError
from partida.backups.export import backup_to_file, parts_from
from partida.backups.importer import do_import_company
from tests.archive.conftest import forge
from tests.backups.conftest import make_company, members
from tests.backups.test_bad_input import traces


@pytest.fixture
def real(company, tmp_path):
    path = tmp_path / "real.manager"
    backup_to_file(company, path, parts_from())
    return members(path)


def with_changed(real, name, change):
    """The backup with member ``name`` replaced by ``change(lines)`` (rows as dicts)."""
    result = []
    for member, data in real.items():
        if member == "checksums.json":
            continue
        if member == name:
            rows = [json.loads(line) for line in data.decode().splitlines()]
            rows = change(rows)
            data = b"".join(json.dumps(row).encode() + b"\n" for row in rows)
        result.append((member, data))
    return forge(result)


def refused(tmp_path, data: bytes) -> str:
    path = tmp_path / "forged.manager"
    path.write_bytes(data)
    before = traces()
    with pytest.raises(ArchiveError) as caught:
        do_import_company(path)
    assert traces() == before
    return str(caught.value)


def test_unchanged_content_resealed_imports(real, tmp_path):
    """The forging itself is sound: the same content, resealed, imports."""
    path = tmp_path / "resealed.manager"
    path.write_bytes(with_changed(real, "data/receipts.jsonl", lambda rows: rows))
    assert do_import_company(path).name == "Ferretería Núñez, S.L."


def set_value(column, value, index=0):
    def change(rows):
        rows[index][column] = value
        return rows

    return change


@pytest.mark.parametrize(
    ("member", "change"),
    [
        (
            "data/receipt_lines.jsonl",
            set_value("receipt_id", "00000000-0000-4000-8000-000000000000"),
        ),
        (
            "data/ledger_entries.jsonl",
            set_value("account_id", "ffffffff-ffff-4fff-bfff-ffffffffffff"),
        ),
        ("data/receipts.jsonl", set_value("date", "2025-02-30")),
        ("data/receipts.jsonl", set_value("date", 20250101)),
        ("data/receipt_lines.jsonl", set_value("amount", "12.345")),
        ("data/receipt_lines.jsonl", set_value("amount", "1e3")),
        ("data/receipt_lines.jsonl", set_value("amount", 12.5)),
        ("data/receipt_lines.jsonl", set_value("amount", "NaN")),
        ("data/history.jsonl", set_value("at", "2025-01-01 10:00:00")),
        ("data/customers.jsonl", set_value("name", "x" * 201)),
        ("data/customers.jsonl", set_value("id", "not-a-key")),
        ("data/accounts.jsonl", lambda rows: rows + [rows[0]]),
        ("data/accounts.jsonl", lambda rows: list(reversed(rows))),
        ("data/accounts.jsonl", lambda rows: [{**rows[0], "extra": 1}] + rows[1:]),
        (
            "data/company.jsonl",
            lambda rows: rows + [{**rows[0], "id": "ffffffff-ffff-4fff-bfff-ffffffffffff"}],
        ),
        ("data/attachments.jsonl", set_value("sha256", "0" * 64)),
    ],
    ids=[
        "line of a missing receipt",
        "ledger entry of a missing account",
        "invalid date",
        "date not a string",
        "three decimals",
        "exponent",
        "float amount",
        "NaN",
        "time without offset",
        "name too long",
        "key not a UUID",
        "duplicate key",
        "keys out of order",
        "unknown column",
        "two companies",
        "file not in the backup",
    ],
)
def test_forged_rows_are_refused(real, tmp_path, member, change):
    refused(tmp_path, with_changed(real, member, change))


def test_a_newer_format_version_names_the_version_needed(real, tmp_path):
    manifest = json.loads(real["manifest.json"])
    manifest["format_version"] = 7
    forged = [
        (n, json.dumps(manifest).encode() if n == "manifest.json" else d)
        for n, d in real.items()
        if n != "checksums.json"
    ]
    message = refused(tmp_path, forge(forged))
    assert "format version 7" in message and "upgrade Partida" in message


def test_members_outside_the_allowed_names_are_refused(real, tmp_path):
    for bad in ("../evil", "/etc/passwd", "data/../../x.jsonl", "attachments/xyz"):
        forged = [(n, d) for n, d in real.items() if n != "checksums.json"]
        forged.insert(2, (bad, b"{}\n"))
        refused(tmp_path, forge(forged))


def test_a_missing_member_is_refused(real, tmp_path):
    forged = [(n, d) for n, d in real.items() if n not in ("checksums.json", "data/payments.jsonl")]
    refused(tmp_path, forge(forged))


@pytest.fixture(scope="module")
def real_bytes(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        from django.db import transaction

        path = tmp_path_factory.mktemp("fuzz") / "real.manager"
        with transaction.atomic():
            backup_to_file(make_company(), path, parts_from())
            transaction.set_rollback(True)
    return path.read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_mutated_real_backups_are_refused(real_bytes, tmp_path_factory, data, db):
    """Any change to a real file is refused with an ArchiveError, leaving no trace."""
    blob = bytearray(real_bytes)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(blob) - 1))
        operation = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if operation == "flip":
            blob[position] ^= data.draw(st.integers(1, 255))
        elif operation == "delete":
            del blob[position]
        elif operation == "insert":
            blob.insert(position, data.draw(st.integers(0, 255)))
        else:
            del blob[position:]
            break
    assume(bytes(blob) != real_bytes)  # two flips of one byte can cancel out
    path = tmp_path_factory.mktemp("mutated") / "m.manager"
    path.write_bytes(bytes(blob))
    before = traces()
    with pytest.raises(ArchiveError):
        do_import_company(path)
    assert traces() == before
