"""A backup proven by the books it restores.

The manifest records the books' figures at the snapshot's moment (the trial balance of every
account, the documents of each kind, the balance sheet); writing checks that the rows give
them, ``partida verify`` works them out from the file alone, an import keeps the new company
only when its books give them, and the preview shows the balance sheet the file will restore.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from partida.archive.errors import ArchiveError, BackupFailed, FiguresDiffer
from partida.archive.figures import BooksLayout, Figures, Tally
from partida.archive.writer import write_atomically
from partida.backups.export import backup_to_file, fill_backup, parts_from, plan_backup
from partida.backups.figures import company_figures
from partida.backups.importer import do_import_company, open_backup
from partida.backups.messages import archive_error_message
from partida.backups.snapshot import read_snapshot
from partida.books import actions
from partida.books import models as m
from partida.books.summary import summarize
from partida.cli import main
from partida.reports.ledger_reports import Period, trial_balance
from tests.backups.conftest import make_company, members
from tests.backups.samples.make_v4_sample import figures_by_code
from tests.backups.test_bad_input import traces
from tests.backups.test_forged_rules import Forger

SAMPLES = Path(__file__).with_name("samples")
ALL_TIME = Period(datetime.date(1900, 1, 1), datetime.date(2999, 12, 31))


@pytest.fixture
def company(db):
    """The backups' test company, with a capital large enough to be written with thousands."""
    company = make_company()
    bank = m.BankAccount.objects.get(company=company, kind="bank")
    capital = m.Account.objects.get(company=company, code="100")
    actions.do_save_transaction(
        company,
        m.JournalEntry(description="Ampliación de capital"),
        [
            m.JournalEntryLine(account=bank.account, debit=Decimal("12345.67")),
            m.JournalEntryLine(account=capital, credit=Decimal("12345.67")),
        ],
    )
    return company


@pytest.fixture
def backup(company, tmp_path) -> Path:
    path = tmp_path / "copia.manager"
    backup_to_file(company, path, parts_from())
    return path


@pytest.fixture
def real(backup) -> dict[str, bytes]:
    return members(backup)


# --- What the manifest records ---------------------------------------------------------------


def test_the_manifest_records_the_trial_balance_report_documents_and_balance_sheet(company, backup):
    figures = open_backup(backup).manifest.figures
    report = trial_balance(company, ALL_TIME)
    assert {str(line.account_id): (line.debit, line.credit) for line in report.lines} == {
        key: (totals.debit, totals.credit) for key, totals in figures.accounts.items()
    }
    assert figures.debit == figures.credit == report.debit == report.credit > 0
    summary = summarize(company)
    sheet = figures.balance_sheet
    assert (sheet.assets, sheet.liabilities, sheet.equity, sheet.current_earnings) == (
        summary.assets,
        summary.liabilities,
        summary.equity,
        summary.current_earnings,
    )
    assert sheet.assets == sheet.liabilities + sheet.equity
    posted: dict[str, Decimal] = {}
    for kind, amount in m.LedgerEntry.objects.filter(company=company, amount__gt=0).values_list(
        "source_kind", "amount"
    ):
        posted[kind] = posted.get(kind, Decimal("0")) + amount
    assert {kind: (t.count, t.debit, t.credit) for kind, t in figures.documents.items()} == {
        "receipt": (1, posted["receipt"], posted["receipt"]),
        "payment": (1, posted["payment"], posted["payment"]),
        "sales_invoice": (1, posted["sales_invoice"], posted["sales_invoice"]),
        "purchase_invoice": (1, posted["purchase_invoice"], posted["purchase_invoice"]),
        "journal_entry": (2, posted["journal_entry"], posted["journal_entry"]),
    }
    written = json.loads(members(backup)["manifest.json"])["figures"]
    assert written["balance_sheet"]["assets"] == "12448.57"  # two places, as the ledger has


# --- Writing ---------------------------------------------------------------------------------


def test_a_backup_whose_rows_do_not_give_its_figures_is_not_kept(company, tmp_path):
    """The figures are worked out first, the rows read after: books changed in between (as
    only a snapshot that is not one moment would let happen) fail the backup, leaving no file."""
    target = tmp_path / "copia.manager"
    parts = parts_from(history=False)
    with read_snapshot() as snapshot:
        manifest, blobs = plan_backup(snapshot, company, parts)
    entry = m.LedgerEntry.objects.filter(company=company, source_kind="journal_entry")
    entry.filter(amount__gt=0).update(amount=F("amount") + 1)  # still balanced, but other books
    entry.filter(amount__lt=0).update(amount=F("amount") - 1)
    with (
        pytest.raises(BackupFailed) as caught,
        read_snapshot() as snapshot,
        write_atomically(target, manifest) as writer,
    ):
        fill_backup(writer, snapshot, company, parts, blobs)
    assert caught.value.code == "figures_changed"
    assert [path.name for path in tmp_path.iterdir() if path.is_file()] == []  # no partial
    with translation.override("es"):
        assert archive_error_message(caught.value) == (
            "No se pudo completar la copia de seguridad porque las filas escritas no dan las "
            "cifras de la contabilidad (el balance de sumas y saldos): vuelve a hacer la copia, "
            "y comunica este problema si vuelve a ocurrir."
        )


def ledger_row(key: int, account: str, amount: str, source: str, kind="receipt") -> dict:
    return {
        "id": f"00000000-0000-4000-8000-{key:012x}",
        "account_id": account,
        "amount": amount,
        "source_kind": kind,
        "source_id": source,
    }


def test_the_tally_of_rows_names_the_first_account_that_differs():
    layout = BooksLayout(documents={"receipt": "receipts"})
    bank, sales = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"
    source = "00000000-0000-4000-8000-0000000000ff"

    def figures(amount: str) -> Figures:
        tally = Tally(layout, transactions=True)
        tally.add_rows("accounts", [{"id": bank, "kind": "asset"}, {"id": sales, "kind": "income"}])
        tally.add_rows("receipts", [{"id": source}])
        tally.add_rows(
            "ledger_entries",
            [ledger_row(1, bank, amount, source), ledger_row(2, sales, f"-{amount}", source)],
        )
        assert tally.balanced
        return tally.figures()

    recorded = figures("121.00")
    assert recorded.balance_sheet.assets == recorded.balance_sheet.equity == Decimal("121.00")
    assert recorded.difference(figures("121.00")) is None
    assert Figures.from_dict(recorded.to_dict()) == recorded
    difference = recorded.difference(figures("120.99"))
    assert (difference.what, difference.name) == ("account", bank)
    order = {bank: "7", sales: "1"}  # in the chart's order, the sales account comes first
    assert recorded.difference(figures("120.99"), order.get).name == sales


def test_the_tally_finds_a_document_whose_lines_do_not_balance():
    tally = Tally(BooksLayout(documents={}), transactions=True)
    first, second = "00000000-0000-4000-8000-0000000000f1", "00000000-0000-4000-8000-0000000000f2"
    account = "00000000-0000-4000-8000-00000000000a"
    # In total the debits equal the credits; each document on its own does not balance.
    tally.add_rows(
        "ledger_entries",
        [ledger_row(1, account, "10.00", first), ledger_row(2, account, "-10.00", second)],
    )
    assert tally.figures().debit == tally.figures().credit
    assert not tally.balanced


# --- partida verify --------------------------------------------------------------------------


@pytest.fixture
def run(db, capsys, settings, monkeypatch):
    """``partida ARGS...`` in this process, in ``language``: (exit status, stdout, stderr)."""

    def run_cli(*args: str, language: str = "en") -> tuple[int, str, str]:
        monkeypatch.setenv("LANGUAGE", language)
        settings.LANGUAGE_CODE = language
        capsys.readouterr()
        try:
            status = main(list(args))
        finally:
            translation.deactivate()
        out, err = capsys.readouterr()
        return status, out, err

    return run_cli


def test_verify_reports_that_the_books_match_the_figures_recorded(run, backup):
    status, out, _err = run("verify", str(backup))
    assert status == 0
    lines = out.splitlines()
    assert lines[-2] == (
        "The books in this file balance and match the figures recorded when it was made."
    )
    assert lines[-1].startswith("copia.manager is intact")
    assert "€12,448.57" in out  # the assets, as the person writes amounts
    status, out, _err = run("verify", str(backup), language="es")
    assert status == 0
    assert (
        "La contabilidad de este archivo cuadra y coincide con las cifras registradas cuando se "
        "hizo." in out
    )
    assert "12.448,57\xa0€" in out
    status, out, _err = run("verify", "--json", str(backup))
    verified = json.loads(out)
    assert verified["figures_recorded"] is verified["figures_match"] is True
    assert verified["figures"]["balance_sheet"]["assets"] == "12448.57"
    assert verified["figures"]["documents"]["journal_entry"]["count"] == 2


def test_verify_says_an_old_version_records_no_figures(run):
    status, out, _err = run("verify", str(SAMPLES / "v3.manager"))
    assert status == 0
    assert (
        "The books in this file balance; format version 3 does not record their figures, so "
        "there were none to compare them with." in out
    )
    status, out, _err = run("verify", "--json", str(SAMPLES / "v3.manager"))
    verified = json.loads(out)
    assert verified["figures_recorded"] is False and verified["figures_match"] is None


def test_the_version_4_sample_imports_with_the_figures_it_records(db):
    expected = json.loads((SAMPLES / "v4.expected.json").read_text())
    company = do_import_company(SAMPLES / "v4.manager")
    assert figures_by_code(company) == expected["figures_by_code"]


# --- Import: books that would differ are refused ---------------------------------------------


def refused_everywhere(run, tmp_path, forged: Forger) -> str:
    """The forged (re-signed) file: refused by import with one sentence, nothing kept, and by
    verify with the same sentence."""
    path = tmp_path / "forged.manager"
    path.write_bytes(forged.signed())
    before = traces()
    with pytest.raises(ArchiveError) as caught:
        do_import_company(path)
    assert traces() == before
    sentence = str(caught.value)
    assert sentence.count(". ") == 0 and sentence.endswith(".") and "\n" not in sentence
    status, _out, err = run("verify", str(path))
    assert status == 1 and err.splitlines()[-1].endswith(sentence)
    return sentence


def capital_raised_by(amount: str):
    """The journal entries' ledger lines, each moved by ``amount``: every entry still balances."""

    def change(rows):
        for row in rows:
            if row["source_kind"] == "journal_entry":
                value = Decimal(row["amount"])
                row["amount"] = str(
                    value + Decimal(amount) if value > 0 else value - Decimal(amount)
                )
        return rows

    return change


def test_ledger_lines_that_balance_but_differ_from_the_figures_are_refused(run, real, tmp_path):
    forged = Forger(real).rows("data/ledger_entries.jsonl", capital_raised_by("1.00"))
    sentence = refused_everywhere(run, tmp_path, forged)
    # The bank and the capital both differ: the capital (100) comes first in the chart.
    assert sentence == (
        "This backup's books do not give the totals recorded for account 100 Capital social "
        "when it was made, so it was altered or damaged: use another backup."
    )


def test_a_forged_figure_in_the_manifest_is_refused(run, real, company, tmp_path):
    bank = m.BankAccount.objects.get(company=company, kind="bank").account

    def more_in_the_bank(manifest):
        manifest["figures"]["accounts"][str(bank.pk)]["debit"] = "99999.99"

    sentence = refused_everywhere(run, tmp_path, Forger(real).manifest(more_in_the_bank))
    assert f"account {bank.code} {bank.name} when" in sentence


def test_a_forged_balance_sheet_or_count_of_documents_is_refused(run, real, tmp_path):
    def richer(manifest):
        manifest["figures"]["balance_sheet"]["assets"] = "1000000.00"

    sentence = refused_everywhere(run, tmp_path, Forger(real).manifest(richer))
    assert "(the balance sheet)" in sentence

    def one_invoice_more(manifest):
        manifest["figures"]["documents"]["sales_invoice"]["count"] += 1

    sentence = refused_everywhere(run, tmp_path, Forger(real).manifest(one_invoice_more))
    assert "(sales invoices)" in sentence


def test_a_version_4_file_that_lost_its_figures_is_refused_but_a_version_3_file_imports(
    run, real, tmp_path
):
    def without_figures(manifest):
        del manifest["figures"]

    forged = Forger(real).manifest(without_figures)
    sentence = refused_everywhere(run, tmp_path, forged)
    assert "(manifest.json)" in sentence
    old = tmp_path / "old.manager"
    old.write_bytes(forged.manifest(lambda manifest: manifest.update(format_version=3)).signed())
    assert do_import_company(old).name == "Ferretería Núñez, S.L."


def test_the_new_companys_books_are_compared_with_the_figures_recorded(company, backup):
    """After the rows are inserted, the import compares the new books' figures with the file's
    (renamed as the keys are): a company whose books are not those of the file is named."""
    from partida.backups.figures import check_imported

    manifest = open_backup(backup).manifest
    check_imported(company.pk, manifest, lambda key: key)  # the books the file was made from
    entry = m.LedgerEntry.objects.filter(company=company, source_kind="receipt")
    entry.filter(amount__gt=0).update(amount=F("amount") + 1)
    entry.filter(amount__lt=0).update(amount=F("amount") - 1)
    with pytest.raises(FiguresDiffer) as caught:
        check_imported(company.pk, manifest, lambda key: key)
    receivable = m.Account.objects.get(company=company, code="430")
    assert caught.value.params["account"] == f"430 {receivable.name}"
    assert company_figures(company.pk) != manifest.figures


# --- The preview -----------------------------------------------------------------------------


@pytest.fixture
def uploaded(client, db, tmp_path):
    """Upload a file to Import company; its preview's address. The uploads are removed after."""

    def upload(path: Path) -> str:
        page = client.post(
            reverse("backups:import"), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
        )
        assert page.status_code == 302, page.content.decode()[:500]
        return page.url

    yield upload
    from partida.backups.job_files import job_files
    from partida.backups.models import Job

    for job in Job.objects.all():
        job_files().delete(job)


@pytest.mark.parametrize(
    "language, assets, equity",
    [("es", "12.448,57\xa0€", "12.455,43\xa0€"), ("en", "€12,448.57", "€12,455.43")],
)
def test_the_preview_shows_the_balance_sheet_the_file_will_restore(
    client, uploaded, backup, language, assets, equity
):
    html = client.get(uploaded(backup), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    table = html.split('id="preview-balance-sheet"')[1].split("</table>")[0]
    assert f'<tr data-total="assets"><td>{"Activo" if language == "es" else "Assets"}</td>' in table
    assert f'<td class="num">{assets}</td>' in table
    assert f'<td class="num">{equity}</td>' in table


def test_the_preview_of_an_old_version_says_it_records_no_figures(client, uploaded):
    html = client.get(uploaded(SAMPLES / "v3.manager"), HTTP_ACCEPT_LANGUAGE="en").content
    assert 'id="preview-balance-sheet"' not in html.decode()
    assert "Backups of format version 3 do not record the figures of their books" in html.decode()


def test_a_version_4_file_without_figures_is_refused_on_the_first_screen(
    client, uploaded, real, tmp_path
):
    forged = tmp_path / "sin cifras.manager"
    forged.write_bytes(Forger(real).manifest(lambda manifest: manifest.pop("figures")).signed())
    page = client.get(uploaded(forged), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert page.redirect_chain[-1][0] == reverse("backups:import")
    assert "(manifest.json)" in page.content.decode()
