"""The books' figures a backup records, proven by the rows it holds (FORMAT.md, ``figures``).

The same figures are worked out three ways, and must agree:

- from the database, in SQL (``company_figures``): when a backup is planned, inside its
  snapshot, and when an import has inserted its rows, before it commits;
- from the rows as they stream into the file (``partida.archive.figures.Tally``), which the
  backup compares with the first before it keeps the file;
- from the file alone (``file_figures``), as ``partida verify`` does, without importing it.

The ledger's sums are the trial balance report's (``partida.reports.ledger_reports``): debits
and credits in whole cents, summed by the database.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.utils.translation import gettext_noop

from partida.archive.errors import BackupFailed, FiguresDiffer, InvalidData, UnbalancedBooks
from partida.archive.figures import (
    FIGURES_VERSION,
    BooksLayout,
    Difference,
    DocumentTotals,
    Figures,
    Tally,
    figures_of,
)
from partida.archive.manifest import Manifest
from partida.archive.reader import ArchiveReader, TableMember
from partida.backups.registry import TABLES
from partida.books import models as m
from partida.books.kinds import RECORD_KINDS, TRANSACTION_KINDS
from partida.books.summary import from_cents
from partida.reports.ledger_reports import CREDIT_CENTS, DEBIT_CENTS

#: Each kind of document by the name its records have (the words are the models' own).
DOCUMENT_NAMES = {
    "receipt": gettext_noop("receipts"),
    "payment": gettext_noop("payments"),
    "sales_invoice": gettext_noop("sales invoices"),
    "purchase_invoice": gettext_noop("purchase invoices"),
    "journal_entry": gettext_noop("journal entries"),
}
#: What a backup that does not write its figures got wrong, in a word.
WRITTEN_WRONG = {
    "account": gettext_noop("the trial balance"),
    "document": gettext_noop("the documents"),
    "balance_sheet": gettext_noop("the balance sheet"),
}


@cache
def books_layout() -> BooksLayout:
    """Where a backup holds the books, by the registry's table names and the models' columns."""
    table_of = {table.model_label: table.name for table in TABLES}
    ledger = m.LedgerEntry._meta
    return BooksLayout(
        documents={kind: table_of[RECORD_KINDS[kind]._meta.label] for kind in TRANSACTION_KINDS},
        ledger=table_of[ledger.label],
        ledger_account=ledger.get_field("account").attname,
        ledger_amount=ledger.get_field("amount").attname,
        ledger_kind=ledger.get_field("source_kind").attname,
        ledger_source=ledger.get_field("source_id").attname,
        accounts=table_of[m.Account._meta.label],
        account_kind=m.Account._meta.get_field("kind").attname,
    )


def company_figures(company_id, document_counts: dict[str, int] | None = None) -> Figures:
    """The company's figures as its database holds them now (inside the caller's transaction).

    One aggregate over the company's ledger, by account and kind of document, in whole cents
    (as the trial balance sums them), the accounts' kinds, and the number of each kind of
    document (``document_counts``, by kind, when the caller has counted them already).
    """
    rows = (
        m.LedgerEntry.objects.filter(company_id=company_id)
        .values("account_id", "source_kind")
        .annotate(debit=DEBIT_CENTS, credit=CREDIT_CENTS)
        .values_list("account_id", "source_kind", "debit", "credit")
        .order_by()
    )
    debits: dict[str, Decimal] = {}
    credits: dict[str, Decimal] = {}
    kind_cents: dict[str, list[int]] = {}
    account_cents: dict[str, list[int]] = {}
    for account_id, source_kind, debit, credit in rows:
        per_account = account_cents.setdefault(str(account_id), [0, 0])
        per_account[0] += debit or 0
        per_account[1] += credit or 0
        per_kind = kind_cents.setdefault(source_kind, [0, 0])
        per_kind[0] += debit or 0
        per_kind[1] += credit or 0
    for key, (debit, credit) in account_cents.items():
        debits[key], credits[key] = from_cents(debit), from_cents(credit)
    kinds = {
        str(key): kind
        for key, kind in m.Account.objects.filter(company_id=company_id).values_list("id", "kind")
    }
    if document_counts is None:
        document_counts = {
            kind: RECORD_KINDS[kind].objects.filter(company_id=company_id).count()
            for kind in TRANSACTION_KINDS
        }
    documents = {
        kind: DocumentTotals(
            document_counts.get(kind, 0),
            from_cents(kind_cents.get(kind, [0, 0])[0]),
            from_cents(kind_cents.get(kind, [0, 0])[1]),
        )
        for kind in TRANSACTION_KINDS
    }
    return figures_of(debits, credits, kinds, documents)


def recorded_figures(manifest: Manifest) -> Figures | None:
    """The figures the file records; None for a version that does not record them. A file of
    a version that does must carry them: one that lost them is not the file that was made."""
    if manifest.format_version < FIGURES_VERSION:
        return None
    if manifest.figures is None:
        raise InvalidData("manifest.json: no figures", where="manifest.json")
    return manifest.figures


def refusal(difference: Difference, accounts: dict[str, tuple[str, str]]) -> FiguresDiffer:
    """The sentence for books that do not give their recorded figures, naming what differs."""
    detail = (
        f"{difference.what} {difference.name}: recorded {difference.recorded}, "
        f"found {difference.found}"
    )
    if difference.what == "account":
        code, name = accounts.get(difference.name, (difference.name, ""))
        return FiguresDiffer(detail, account=f"{code} {name}".strip())
    if difference.what == "document":
        return FiguresDiffer(detail, what=DOCUMENT_NAMES.get(difference.name, difference.name))
    return FiguresDiffer(detail, what=WRITTEN_WRONG["balance_sheet"])


def check_written(tally: Tally, recorded: Figures | None) -> None:
    """A backup's rows, as written, give the figures its manifest records (else it fails)."""
    if recorded is None:
        return
    difference = recorded.difference(tally.figures())
    if difference is not None:
        raise BackupFailed(
            "figures_changed",
            f"{difference.what} {difference.name}: recorded {difference.recorded}, "
            f"written {difference.found}",
            what=WRITTEN_WRONG[difference.what],
        )


def chart_order(accounts: dict[str, tuple[str, str]]) -> Callable[[str], tuple]:
    """Accounts in the order of the chart: by code, then name (then key, for the unknown)."""
    return lambda key: (*accounts.get(key, ("", "")), key)


def check_imported(company_id, manifest: Manifest, rename: Callable[[str], str]) -> None:
    """The new company's books give the figures the file records: its trial balance, its
    documents and its balance sheet. ``rename`` gives an account's new key from the file's."""
    recorded = recorded_figures(manifest)
    if recorded is None:
        return
    found = company_figures(company_id)
    accounts = {
        str(key): (code, name)
        for key, code, name in m.Account.objects.filter(company_id=company_id).values_list(
            "id", "code", "name"
        )
    }
    difference = recorded.renamed(rename).difference(found, chart_order(accounts))
    if difference is not None:
        raise refusal(difference, accounts)


@dataclass(frozen=True)
class FileBooks:
    """What ``partida verify`` found in a file: the figures it records (None for a version that
    records none) and those its rows give."""

    manifest: Manifest
    recorded: Figures | None
    found: Figures


def file_figures(reader: ArchiveReader) -> FileBooks:
    """Read the whole file (every check the reader makes) and work out its figures from its
    rows alone; raise ``ArchiveError`` if the file is unsound, if a document's ledger lines do
    not sum to zero, or if the rows do not give the figures the file records."""
    layout = books_layout()
    tally = Tally(layout, transactions=True)
    accounts: dict[str, tuple[str, str]] = {}
    for member in reader.iter_members():
        if not isinstance(member, TableMember):
            member._drain()
            continue
        rows = member.rows()
        if member.table == layout.accounts:
            for row in tally.rows(member.table, rows):
                accounts[str(row["id"])] = (row["code"], row["name"])
        else:
            tally.add_rows(member.table, rows)
    if not tally.balanced:
        raise UnbalancedBooks("a document's ledger entries do not sum to zero")
    manifest = reader.manifest
    found = tally.figures()
    recorded = recorded_figures(manifest)
    if recorded is not None:
        difference = recorded.difference(found, chart_order(accounts))
        if difference is not None:
            raise refusal(difference, accounts)
    return FileBooks(manifest, recorded, found)
