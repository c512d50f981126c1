"""Each deep rule of the format, reached by a file that passes every outer check.

The forger takes a real backup, changes one member (its rows, its raw text, or the manifest),
and re-signs the file exactly as the writer does: checksums.json and the whole-file digest are
recomputed, so only the rule under test can catch it. Each class of forgery gets the sentence of
its own rule, no traceback, and leaves nothing behind, on SQLite and on PostgreSQL.
"""

import hashlib
import json
import re
import uuid
from decimal import Decimal

import pytest
import zstandard
from django.utils import translation

from partida.archive.errors import (
    ArchiveError,
    ImportRefused,
    InvalidData,
    LimitExceeded,
    ManifestMismatch,
    RepeatedMember,
    UnbalancedBooks,
    UnsupportedVersion,
    UnusedAttachments,
    ValueNotAllowed,
)
from partida.archive.format import make_trailer, table_member
from partida.backups.export import backup_to_file, parts_from
from partida.backups.importer import do_import_company
from partida.backups.messages import archive_error_message
from partida.backups.schema import (
    COLUMNS_OF_VERSION_3,
    COMPANY_DETAILS_OF_VERSION_2,
    TABLES_OF_VERSION_3,
)
from partida.books import models as m
from partida.books.summary import summarize
from tests.archive.conftest import forge, tar_bytes
from tests.backups.conftest import members
from tests.backups.test_bad_input import traces

KEY = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def real(company, tmp_path):
    path = tmp_path / "real.manager"
    backup_to_file(company, path, parts_from())
    return members(path)


class Forger:
    """A real backup's members, changed one at a time, then re-signed as the writer does."""

    def __init__(self, real: dict[str, bytes]) -> None:
        self.members = {name: data for name, data in real.items() if name != "checksums.json"}

    def rows(self, name: str, change) -> "Forger":
        rows = [json.loads(line) for line in self.members[name].decode().splitlines()]
        rows = change(rows)
        self.members[name] = b"".join(json.dumps(row).encode() + b"\n" for row in rows)
        return self

    def text(self, name: str, change) -> "Forger":
        self.members[name] = change(self.members[name].decode()).encode()
        return self

    def manifest(self, change) -> "Forger":
        manifest = json.loads(self.members["manifest.json"])
        change(manifest)
        self.members["manifest.json"] = json.dumps(manifest).encode()
        return self

    def as_version(self, version: int) -> "Forger":
        """The file as format ``version`` wrote it: without the tables and columns later
        versions added, its tables in that version's order."""
        if version < 3:
            for table in TABLES_OF_VERSION_3:
                del self.members[table_member(table)]
            for table, columns in COLUMNS_OF_VERSION_3.items():
                self.rows(table_member(table), without(columns))
            self.manifest(in_order_of_version_2)
            first = ["manifest.json", *(table_member(table) for table in ORDER_OF_VERSION_2)]
            rest = [name for name in self.members if name not in first]
            self.members = {name: self.members[name] for name in first + rest}
        if version < 2:
            self.rows("data/company.jsonl", without(COMPANY_DETAILS_OF_VERSION_2))
        return self.manifest(lambda manifest: manifest.update(format_version=version))

    def add_attachment(self, data: bytes) -> "Forger":
        sha = hashlib.sha256(data).hexdigest()
        self.members[f"attachments/{sha}"] = data
        return self.manifest(
            lambda manifest: manifest["attachments"].update(
                count=manifest["attachments"]["count"] + 1,
                bytes=manifest["attachments"]["bytes"] + len(data),
            )
        )

    def signed(self) -> bytes:
        return forge(list(self.members.items()))


#: The tables of format versions 1 and 2, in the order they were written.
ORDER_OF_VERSION_2 = (
    "company",
    "accounts",
    "bank_accounts",
    "customers",
    "suppliers",
    "receipts",
    "receipt_lines",
    "payments",
    "payment_lines",
    "sales_invoices",
    "sales_invoice_lines",
    "purchase_invoices",
    "purchase_invoice_lines",
    "journal_entries",
    "journal_entry_lines",
    "ledger_entries",
    "attachments",
    "emails",
    "email_attachments",
    "history",
)


def without(columns):
    def change(rows: list[dict]) -> list[dict]:
        return [{k: v for k, v in row.items() if k not in columns} for row in rows]

    return change


def in_order_of_version_2(manifest: dict) -> None:
    tables = manifest["tables"]
    manifest["tables"] = {name: tables[name] for name in ORDER_OF_VERSION_2 if name in tables}


def refused(tmp_path, data: bytes, kind: type[ArchiveError]) -> ArchiveError:
    """Import the forged file: refused by ``kind``'s rule, one sentence, nothing left."""
    path = tmp_path / "forged.manager"
    path.write_bytes(data)
    before = traces()
    with pytest.raises(ArchiveError) as caught:
        do_import_company(path)
    assert traces() == before
    assert type(caught.value) is kind, (caught.value, caught.value.detail)
    sentence = str(caught.value)
    assert sentence.count(". ") == 0 and sentence.endswith(".") and "\n" not in sentence
    return caught.value


def first(column, value):
    def change(rows):
        rows[0][column] = value
        return rows

    return change


@pytest.mark.parametrize(
    ("member", "column", "value"),
    [
        ("data/receipt_lines.jsonl", "amount", "１２３.４５"),  # full-width digits
        ("data/receipt_lines.jsonl", "amount", "١٢٣.٤٥"),  # Arabic-Indic digits
        ("data/receipts.jsonl", "date", "２０２５-01-01"),
        ("data/history.jsonl", "at", "２０２５-01-01T10:00:00+00:00"),
        ("data/accounts.jsonl", "kind", "evil"),
        ("data/history.jsonl", "action", "erase"),
        ("data/history.jsonl", "record_kind", "spaceship"),
        ("data/attachments.jsonl", "target_kind", "spaceship"),
        ("data/history.jsonl", "after", "a string"),
        ("data/history.jsonl", "after", 42),
        ("data/history.jsonl", "after", [1, 2]),
        ("data/history.jsonl", "after", True),
    ],
    ids=[
        "full-width digits",
        "arabic-indic digits",
        "full-width date",
        "full-width time",
        "kind not a choice",
        "action not a choice",
        "kind of record unknown",
        "attached to an unknown kind",
        "document a string",
        "document a number",
        "document a list",
        "document a boolean",
    ],
)
def test_a_value_its_column_does_not_allow_is_refused(real, tmp_path, member, column, value):
    error = refused(
        tmp_path, Forger(real).rows(member, first(column, value)).signed(), ValueNotAllowed
    )
    assert member in error.params["where"] and column in error.params["where"]


@pytest.mark.parametrize("levels", [40, 300, 1000])
def test_a_document_nested_too_deeply_is_refused_by_the_limit(real, tmp_path, levels):
    nested = '{"x": ' * levels + "{}" + "}" * levels  # written as text: no encoder goes so deep
    forged = (
        Forger(real)
        .rows("data/history.jsonl", first("after", "NESTED"))
        .text("data/history.jsonl", lambda text: text.replace('"NESTED"', nested, 1))
    )
    error = refused(tmp_path, forged.signed(), LimitExceeded)
    assert error.params["limit"] == "max_json_depth"
    assert "nested more deeply" in str(error)


def test_a_member_named_twice_in_a_row_is_refused(real, tmp_path):
    def repeat_the_key(text):
        line, rest = text.split("\n", 1)
        other = str(uuid.uuid4())
        return line.replace("{", f'{{"id": "{other}", ', 1) + "\n" + rest

    forged = Forger(real).text("data/customers.jsonl", repeat_the_key)
    error = refused(tmp_path, forged.signed(), RepeatedMember)
    assert "data/customers.jsonl, line 1" in str(error)


def test_a_format_version_named_twice_in_the_manifest_is_refused(real, tmp_path):
    forged = Forger(real).text(
        "manifest.json", lambda text: text.replace("{", '{"format_version": 2, ', 1)
    )
    refused(tmp_path, forged.signed(), RepeatedMember)


def test_a_format_version_of_any_size_is_named_as_too_new(real, tmp_path):
    forged = Forger(real).text(
        "manifest.json",
        lambda text: re.sub(r'"format_version": *[0-9]+', f'"format_version": {2**64}', text),
    )
    error = refused(tmp_path, forged.signed(), UnsupportedVersion)
    assert f"format version {2**64}" in str(error) and "upgrade Partida" in str(error)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", str(uuid.uuid4())),
        ("name", "Otra empresa S.A."),
        ("base_currency", "USD"),
    ],
)
def test_a_manifest_that_differs_from_the_company_row_is_refused(real, tmp_path, field, value):
    forged = Forger(real).manifest(lambda manifest: manifest["company"].update({field: value}))
    refused(tmp_path, forged.signed(), ManifestMismatch)


def test_an_attachment_row_whose_size_is_not_its_file_s_is_refused(real, tmp_path):
    """Found by the property below: such a company could never be backed up again."""

    def one_byte_more(rows):
        rows[0]["size"] += 1
        return rows

    forged = Forger(real).rows("data/attachments.jsonl", one_byte_more)
    error = refused(tmp_path, forged.signed(), ValueNotAllowed)
    assert "data/attachments.jsonl" in error.params["where"]


def test_an_attachment_no_row_refers_to_is_refused_and_not_stored(real, tmp_path):
    forged = Forger(real).add_attachment(b"nobody refers to these bytes" * 100)
    refused(tmp_path, forged.signed(), UnusedAttachments)


def shifted_to_the_top(real: dict[str, bytes]) -> dict[str, bytes]:
    """Every key moved up so that the largest is the last of the key space (no room left)."""
    largest = max(
        uuid.UUID(key).int
        for name, data in real.items()
        if name.startswith("data/")
        for key in KEY.findall(data.decode())
    )
    shift = 2**128 - 1 - largest

    def up(match):
        return str(uuid.UUID(int=uuid.UUID(match.group(0)).int + shift))

    # The manifest's keys move with the rows': the company's, and the accounts' of its figures.
    return {
        name: KEY.sub(up, data.decode()).encode() if name.endswith((".jsonl", ".json")) else data
        for name, data in real.items()
    }


def test_a_file_whose_keys_leave_no_room_still_imports_as_often_as_asked(real, tmp_path):
    """The file cannot choose the new keys: two imports give two independent companies."""
    path = tmp_path / "top.manager"
    path.write_bytes(Forger(shifted_to_the_top(real)).signed())
    first_copy, second_copy = do_import_company(path), do_import_company(path)
    assert first_copy.pk != second_copy.pk
    assert summarize(first_copy).as_json() == summarize(second_copy).as_json()
    assert m.LedgerEntry.objects.filter(company=first_copy).count() == (
        m.LedgerEntry.objects.filter(company=second_copy).count()
    )


def test_a_total_too_large_for_the_books_is_refused_in_one_sentence(real, tmp_path):
    """Balanced transactions whose amounts are each within their column, but whose daily total
    on one account no 64-bit counter holds."""

    def huge(rows):
        template, last = rows[0], uuid.UUID(rows[-1]["id"]).int
        debited, credited = sorted({row["account_id"] for row in rows})[:2]  # two accounts
        pairs = []
        for _pair in range(12):  # 12 debits of 10**16 on one account, 12 credits on another
            source = str(uuid.uuid4())
            for sign, account in (("", debited), ("-", credited)):
                last += 1
                pairs.append(
                    {
                        **template,
                        "id": str(uuid.UUID(int=last)),
                        "account_id": account,
                        "amount": f"{sign}9999999999999999.99",
                        "source_id": source,
                    }
                )
        return rows + pairs

    forged = (
        Forger(real)
        .rows("data/ledger_entries.jsonl", huge)
        .manifest(
            lambda manifest: manifest["tables"].update(
                ledger_entries=manifest["tables"]["ledger_entries"] + 24
            )
        )
    )
    error = refused(tmp_path, forged.signed(), ImportRefused)
    with translation.override("es"):
        assert "un total demasiado grande para la contabilidad" in archive_error_message(error)
    with translation.override("en"):
        assert "a total too large for the books" in archive_error_message(error)


def test_books_that_do_not_balance_are_refused(real, tmp_path):
    """Every row valid, but one ledger entry changed: a transaction's debits and credits
    differ, and the balance sheet would not balance."""
    forged = Forger(real).rows("data/ledger_entries.jsonl", first("amount", "1234.56"))
    refused(tmp_path, forged.signed(), UnbalancedBooks)


def test_a_zstd_window_beyond_the_limit_is_refused_by_that_limit(real, tmp_path):
    """A frame asking for a 1 GiB window (the limit is 128 MiB), correctly re-signed."""
    members = Forger(real).members
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    checksums = json.dumps({"algorithm": "sha256", "members": sums}).encode()
    tar = tar_bytes([*members.items(), ("checksums.json", checksums)])
    # Streamed (size unknown), so the frame keeps the window it is told and declares it.
    params = zstandard.ZstdCompressionParameters.from_level(
        3, window_log=30, write_content_size=False
    )
    stream = zstandard.ZstdCompressor(compression_params=params).compressobj()
    body = stream.compress(tar) + stream.flush()
    error = refused(tmp_path, body + make_trailer(hashlib.sha256(body).digest()), LimitExceeded)
    assert error.params["limit"] == "max_window_bytes"


def test_every_forgery_above_starts_from_a_file_that_imports(real, tmp_path):
    """The forger itself is sound: unchanged members, re-signed, import."""
    path = tmp_path / "resealed.manager"
    path.write_bytes(Forger(real).signed())
    assert do_import_company(path).name == "Ferretería Núñez, S.L."


def test_a_version_1_file_imports_through_both_passes_with_empty_details(real, company, tmp_path):
    """The checking pass and the fast insert pass (staging on SQLite, COPY on PostgreSQL) both
    read version 1's company row upgraded: it lacks the details, and the company has none."""
    m.Company.objects.filter(pk=company.pk).update(tax_id="B12345674", payment_terms_days=30)
    path = tmp_path / "v1.manager"
    path.write_bytes(Forger(real).as_version(1).signed())
    imported = do_import_company(path)
    assert imported.name == company.name
    assert (imported.tax_id, imported.city, imported.payment_terms_days) == ("", "", None)
    assert summarize(imported).as_json() == summarize(company).as_json()


def test_a_version_2_file_imports_through_both_passes_without_version_3_s_data(
    real, company, tmp_path
):
    """A version 2 file: in its own table order, without tax codes or invoice series, and every
    version 3 column at its default, through both passes."""
    path = tmp_path / "v2.manager"
    path.write_bytes(Forger(real).as_version(2).signed())
    imported = do_import_company(path)
    assert summarize(imported).as_json() == summarize(company).as_json()
    assert not m.TaxCode.objects.filter(company=imported).exists()
    assert not m.InvoiceCounter.objects.filter(company=imported).exists()
    assert set(
        m.SalesInvoice.objects.filter(company=imported).values_list("number", flat=True)
    ) == {""}
    assert (imported.invoice_prefix, imported.credit_note_prefix, imported.lock_date) == (
        "F",
        "R",
        None,
    )


def test_a_version_1_company_row_that_names_a_version_2_column_is_refused(real, tmp_path):
    def with_tax_id(rows: list[dict]) -> list[dict]:
        return [{**row, "tax_id": "B12345674"} for row in rows]

    forged = Forger(real).as_version(1).rows("data/company.jsonl", with_tax_id)
    error = refused(tmp_path, forged.signed(), InvalidData)
    assert "data/company.jsonl" in error.detail and "tax_id" in error.detail


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("receipt_lines", "invoice_id", None),
        ("sales_invoice_lines", "tax_amount", "0.00"),
        ("sales_invoices", "number", ""),
        ("accounts", "archived", False),
        ("company", "lock_date", None),
    ],
)
def test_a_version_2_row_that_names_a_version_3_column_is_refused(
    real, tmp_path, table, column, value
):
    """Even at its default value: a version 2 file has no such column."""
    forged = Forger(real).as_version(2).rows(table_member(table), first(column, value))
    error = refused(tmp_path, forged.signed(), InvalidData)
    assert f"data/{table}.jsonl" in error.detail and column in error.detail


def test_a_version_2_file_with_a_version_3_table_is_refused(real, tmp_path):
    forged = Forger(real)
    tax_codes = forged.members[table_member("tax_codes")]
    forged.as_version(2)
    forged.members[table_member("tax_codes")] = tax_codes
    forged.manifest(lambda manifest: manifest["tables"].update(tax_codes=5))
    error = refused(tmp_path, forged.signed(), InvalidData)
    assert "tax_codes" in error.detail


def a_key_of_nothing(column):
    return first(column, str(uuid.uuid4()))


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("receipt_lines", "invoice_id"),
        ("payment_lines", "invoice_id"),
        ("sales_invoices", "corrects_id"),
        ("purchase_invoices", "corrects_id"),
        ("sales_invoice_lines", "tax_code_id"),
        ("purchase_invoices", "withholding_id"),
    ],
)
def test_a_reference_to_a_row_the_file_does_not_have_is_refused(real, tmp_path, table, column):
    """A receipt line paying an invoice, or a credit note correcting one, that is not there."""
    forged = Forger(real).rows(table_member(table), a_key_of_nothing(column))
    error = refused(tmp_path, forged.signed(), InvalidData)
    assert f"data/{table}.jsonl, line 1" in error.detail


@pytest.mark.parametrize("rate", ["100.0001", "-100.0001", "150.0000", "-999.9999"])
def test_a_tax_rate_outside_minus_100_to_100_is_refused(real, tmp_path, rate):
    forged = Forger(real).rows("data/tax_codes.jsonl", first("rate", rate))
    error = refused(tmp_path, forged.signed(), ValueNotAllowed)
    assert "data/tax_codes.jsonl" in error.detail and "rate" in error.detail


@pytest.mark.parametrize("rate", ["100.0000", "-100.0000"])
def test_a_tax_rate_of_a_hundred_either_way_imports(real, tmp_path, rate):
    path = tmp_path / "rate.manager"
    path.write_bytes(Forger(real).rows("data/tax_codes.jsonl", first("rate", rate)).signed())
    imported = do_import_company(path)
    assert Decimal(rate) in set(
        m.TaxCode.objects.filter(company=imported).values_list("rate", flat=True)
    )


def with_a_second_invoice_numbered_as_the_first(forger: Forger) -> Forger:
    def add_twin(rows: list[dict]) -> list[dict]:
        twin = {**rows[0], "id": str(uuid.UUID(int=uuid.UUID(rows[-1]["id"]).int + 1))}
        assert twin["number"]
        return rows + [twin]

    def counted(manifest: dict) -> None:
        manifest["tables"]["sales_invoices"] += 1
        manifest["figures"]["documents"]["sales_invoice"]["count"] += 1  # the books' figures

    return forger.rows("data/sales_invoices.jsonl", add_twin).manifest(counted)


def test_two_invoices_of_one_company_with_the_same_number_are_refused(real, tmp_path):
    """The file's rows are each valid; together they break the rule that an invoice number is
    given once. Refused before anything is written, in one sentence, and nothing is left."""
    companies = m.Company.objects.count()
    forged = with_a_second_invoice_numbered_as_the_first(Forger(real))
    error = refused(tmp_path, forged.signed(), ValueNotAllowed)
    assert error.params["where"] == "data/sales_invoices.jsonl, line 2, number"
    assert m.Company.objects.count() == companies


def test_invoices_without_numbers_may_be_many(real, tmp_path):
    """Invoices from before numbering (and drafts) all have the empty number."""

    def unnumbered(rows: list[dict]) -> list[dict]:
        return [{**row, "number": ""} for row in rows]

    forged = with_a_second_invoice_numbered_as_the_first(Forger(real)).rows(
        "data/sales_invoices.jsonl", unnumbered
    )
    path = tmp_path / "drafts.manager"
    path.write_bytes(forged.signed())
    imported = do_import_company(path)
    assert m.SalesInvoice.objects.filter(company=imported, number="").count() == 2


@pytest.mark.parametrize("days", [-1, 366, 2**40, "30", 30.0])
def test_payment_terms_outside_zero_to_a_year_are_refused(real, tmp_path, days):
    def with_terms(rows: list[dict]) -> list[dict]:
        return [{**row, "payment_terms_days": days} for row in rows]

    forged = Forger(real).rows("data/company.jsonl", with_terms)
    error = refused(tmp_path, forged.signed(), ValueNotAllowed)
    assert "payment_terms_days" in error.detail


def test_a_draft_invoice_with_ledger_entries_is_refused(real, tmp_path):
    """A draft posts nothing: a file whose issued invoice is marked a draft, its ledger entries
    kept, would put in the books an invoice the screens say was never issued."""

    def first_invoice_a_draft(rows: list[dict]) -> list[dict]:
        return [{**rows[0], "draft": True}, *rows[1:]]

    forged = Forger(real).rows("data/sales_invoices.jsonl", first_invoice_a_draft)
    error = refused(tmp_path, forged.signed(), UnbalancedBooks)
    assert "draft" in error.detail
