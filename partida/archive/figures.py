"""The books' figures a manifest records (format version 4 on), and how rows give them.

The figures are the company's trial balance at the snapshot's moment (each account's debit and
credit totals), what each kind of document holds and posted, and the balance sheet's totals.
The writer records them from the database and checks, as the rows stream into the file, that
the rows give them again; a reader recomputes them from the rows alone (``Tally``) and compares
(``Figures.difference``). Amounts are :class:`~decimal.Decimal`, written as decimal strings.

Which tables and columns hold the books is the caller's to say (:class:`BooksLayout`): this
package knows nothing of the Django models.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import orjson

from .errors import InvalidData

#: The first format version whose manifest records the figures.
FIGURES_VERSION: Final = 4

ZERO: Final = Decimal("0.00")
CENT: Final = Decimal("0.01")
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_KIND_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_TOTAL_RE = re.compile(r"[0-9]{1,30}(\.[0-9]{1,10})?")
_SIGNED_RE = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,10})?")
BALANCE_SHEET_FIELDS: Final = ("assets", "liabilities", "equity", "current_earnings")


def money_text(value: Decimal) -> str:
    """A total as the manifest writes it: a decimal string with two places ("1234.50")."""
    return format(value.quantize(CENT), "f")


@dataclass(frozen=True, slots=True)
class Totals:
    """What the ledger holds for one account, or for one kind of document: debits, credits."""

    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def is_zero(self) -> bool:
        return not self.debit and not self.credit


@dataclass(frozen=True, slots=True)
class DocumentTotals:
    """One kind of document: how many the books hold (drafts too), and what they posted."""

    count: int = 0
    debit: Decimal = ZERO
    credit: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class BalanceSheet:
    """The balance sheet's totals, each in its natural sign (assets as debits, the others as
    credits). ``equity`` includes ``current_earnings``, the income less the expenses not yet
    moved to equity by the closing of a year, so ``assets = liabilities + equity``."""

    assets: Decimal = ZERO
    liabilities: Decimal = ZERO
    equity: Decimal = ZERO
    current_earnings: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Difference:
    """The first figure the rows do not give: ``what`` is ``account``, ``document`` or
    ``balance_sheet``; ``name`` the account's key, the document's kind or the total's name."""

    what: str
    name: str
    recorded: str
    found: str


@dataclass(frozen=True)
class Figures:
    """``accounts``: account key -> its totals, for every account with a debit or a credit
    (an account left out has none). ``documents``: document kind -> its totals."""

    accounts: Mapping[str, Totals]
    documents: Mapping[str, DocumentTotals]
    balance_sheet: BalanceSheet

    @property
    def debit(self) -> Decimal:
        return sum((t.debit for t in self.accounts.values()), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((t.credit for t in self.accounts.values()), ZERO)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accounts": {
                key: {"debit": money_text(t.debit), "credit": money_text(t.credit)}
                for key, t in sorted(self.accounts.items())
            },
            "documents": {
                kind: {
                    "count": t.count,
                    "debit": money_text(t.debit),
                    "credit": money_text(t.credit),
                }
                for kind, t in self.documents.items()
            },
            "balance_sheet": {
                name: money_text(getattr(self.balance_sheet, name)) for name in BALANCE_SHEET_FIELDS
            },
        }

    @classmethod
    def from_dict(cls, d: Any) -> Figures:
        """The figures of a manifest (untrusted): InvalidData unless they are well formed."""
        if type(d) is not dict:
            raise _bad("figures must be an object")
        accounts_in, documents_in, sheet_in = (
            d.get("accounts"),
            d.get("documents"),
            d.get("balance_sheet"),
        )
        if type(accounts_in) is not dict or type(documents_in) is not dict:
            raise _bad("figures.accounts and figures.documents must be objects")
        if type(sheet_in) is not dict:
            raise _bad("figures.balance_sheet must be an object")
        accounts = {}
        for key, totals in accounts_in.items():
            if not _UUID_RE.fullmatch(key):
                raise _bad("an account of figures.accounts is not a canonical UUID")
            if type(totals) is not dict:
                raise _bad("figures.accounts holds a value that is not an object")
            accounts[key] = Totals(_total(totals, "debit"), _total(totals, "credit"))
        documents = {}
        for kind, totals in documents_in.items():
            if not _KIND_RE.fullmatch(kind) or type(totals) is not dict:
                raise _bad("figures.documents holds a bad kind of document")
            count = totals.get("count")
            if type(count) is not int or not 0 <= count < 2**63:
                raise _bad(f"figures.documents.{kind}.count")
            documents[kind] = DocumentTotals(
                count, _total(totals, "debit"), _total(totals, "credit")
            )
        sheet = {}
        for name in BALANCE_SHEET_FIELDS:
            value = sheet_in.get(name)
            if type(value) is not str or not _SIGNED_RE.fullmatch(value):
                raise _bad(f"figures.balance_sheet.{name} is not a decimal string")
            sheet[name] = Decimal(value)
        return cls(accounts, documents, BalanceSheet(**sheet))

    def difference(
        self, found: Figures, chart_order: Callable[[str], Any] | None = None
    ) -> Difference | None:
        """The first figure of these (recorded) that ``found`` does not give, or None.

        Accounts come first, in ``chart_order`` (a key function of an account's key: its code,
        say; by default the key), then the kinds of document, then the balance sheet."""
        keys = sorted(self.accounts.keys() | found.accounts.keys(), key=chart_order or str)
        none = Totals()
        for key in keys:
            mine, theirs = self.accounts.get(key, none), found.accounts.get(key, none)
            if mine != theirs:
                return Difference("account", key, _pair(mine), _pair(theirs))
        kinds = list(self.documents) + [k for k in found.documents if k not in self.documents]
        for kind in kinds:
            mine_doc = self.documents.get(kind, DocumentTotals())
            theirs_doc = found.documents.get(kind, DocumentTotals())
            if mine_doc != theirs_doc:
                return Difference("document", kind, _document(mine_doc), _document(theirs_doc))
        for name in BALANCE_SHEET_FIELDS:
            mine_total = getattr(self.balance_sheet, name)
            theirs_total = getattr(found.balance_sheet, name)
            if mine_total != theirs_total:
                return Difference("balance_sheet", name, str(mine_total), str(theirs_total))
        return None

    def renamed(self, rename: Callable[[str], str]) -> Figures:
        """The same figures with every account key renamed (as an import renames keys)."""
        return Figures(
            {rename(key): t for key, t in self.accounts.items()}, self.documents, self.balance_sheet
        )


def _bad(what: str) -> InvalidData:
    return InvalidData(f"manifest.json: {what}", where="manifest.json")


def _total(d: Mapping[str, Any], name: str) -> Decimal:
    value = d.get(name)
    if type(value) is not str or not _TOTAL_RE.fullmatch(value):
        raise _bad(f"a {name} of figures is not a decimal string")
    return Decimal(value)


def _pair(t: Totals) -> str:
    return f"debit {t.debit}, credit {t.credit}"


def _document(t: DocumentTotals) -> str:
    return f"{t.count} documents, debit {t.debit}, credit {t.credit}"


@dataclass(frozen=True)
class BooksLayout:
    """Where a backup holds the books: its ledger lines (a table whose rows each post a signed
    ``amount``, debits positive, to an account for a document of a kind), its accounts (with
    their kind: asset, liability, equity, income or expense) and each kind of document's table.
    """

    documents: Mapping[str, str]  # kind of document -> its table
    ledger: str = "ledger_entries"
    ledger_account: str = "account_id"
    ledger_amount: str = "amount"
    ledger_kind: str = "source_kind"
    ledger_source: str = "source_id"
    accounts: str = "accounts"
    account_kind: str = "kind"


def balance_sheet(accounts: Mapping[str, Totals], kinds: Mapping[str, str]) -> BalanceSheet:
    """The balance sheet's totals from each account's totals and kind."""
    by_kind: dict[str, Decimal] = {}
    for key, totals in accounts.items():
        kind = kinds.get(key, "")
        by_kind[kind] = by_kind.get(kind, ZERO) + totals.debit - totals.credit
    earnings = -by_kind.get("income", ZERO) - by_kind.get("expense", ZERO)
    return BalanceSheet(
        assets=by_kind.get("asset", ZERO),
        liabilities=-by_kind.get("liability", ZERO),
        equity=-by_kind.get("equity", ZERO) + earnings,
        current_earnings=earnings,
    )


def figures_of(
    debits: Mapping[str, Decimal],
    credits: Mapping[str, Decimal],
    kinds: Mapping[str, str],
    documents: Mapping[str, DocumentTotals],
) -> Figures:
    """Figures from each account's debits and credits (keys as canonical strings)."""
    accounts = {}
    for key in sorted(debits.keys() | credits.keys()):
        totals = Totals(debits.get(key, ZERO), credits.get(key, ZERO))
        if not totals.is_zero:
            accounts[key] = totals
    return Figures(accounts, dict(documents), balance_sheet(accounts, kinds))


class Tally:
    """Recomputes the figures from a backup's rows, table after table, in constant memory
    (but for one entry per account).

    Give it every row of the layout's tables (``add_rows``, or ``lines`` for JSON Lines passing
    through); other tables are ignored. ``transactions=True`` also checks that each document's
    ledger lines sum to zero (``balanced``): each line's cents are weighed by a keyed hash of its
    document's key, drawn afresh for every tally, so the weighed sum is zero when every document
    balances, and one that does not is missed with a chance of about 2**-64, without keeping one
    entry per document."""

    def __init__(self, layout: BooksLayout, transactions: bool = False) -> None:
        self.layout = layout
        self.tables = {layout.ledger, layout.accounts, *layout.documents.values()}
        self._kind_of_table = {table: kind for kind, table in layout.documents.items()}
        self.debits: dict[str, Decimal] = {}
        self.credits: dict[str, Decimal] = {}
        self.kind_debits: dict[str, Decimal] = {}
        self.kind_credits: dict[str, Decimal] = {}
        self.counts: dict[str, int] = {}
        self.kinds: dict[str, str] = {}
        self.lines_seen = 0
        self._transactions = transactions
        self._key = secrets.token_bytes(16)
        self._weighed = 0

    def add_rows(self, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
        layout = self.layout
        if table == layout.ledger:
            self._ledger(rows)
        elif table == layout.accounts:
            column = layout.account_kind
            for row in rows:
                self.kinds[_text(row["id"])] = row[column]
        elif table in self._kind_of_table:
            kind = self._kind_of_table[table]
            self.counts[kind] = self.counts.get(kind, 0) + sum(1 for _ in rows)
        else:
            for _ in rows:
                pass

    def lines(self, table: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Pass a table's JSON Lines chunks (whole rows each) through, tallying them."""
        if table not in self.tables:
            yield from chunks
            return
        parse = table in (self.layout.ledger, self.layout.accounts)
        for chunk in chunks:
            if chunk:
                if parse:
                    body = chunk[:-1] if chunk.endswith(b"\n") else chunk
                    self.add_rows(table, orjson.loads(b"[" + body.replace(b"\n", b",") + b"]"))
                else:
                    kind = self._kind_of_table[table]
                    self.counts[kind] = self.counts.get(kind, 0) + chunk.count(b"\n")
            yield chunk

    def rows(self, table: str, rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """Pass a table's rows through, tallying them."""
        if table not in self.tables:
            yield from rows
            return
        batch: list[Mapping[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 1000:
                self.add_rows(table, batch)
                yield from batch
                batch = []
        self.add_rows(table, batch)
        yield from batch

    def _ledger(self, rows: Iterable[Mapping[str, Any]]) -> None:
        layout = self.layout
        account_column, amount_column = layout.ledger_account, layout.ledger_amount
        kind_column, source_column = layout.ledger_kind, layout.ledger_source
        debits, credits = self.debits, self.credits
        kind_debits, kind_credits = self.kind_debits, self.kind_credits
        weigh = self._transactions
        key = self._key
        blake2b = hashlib.blake2b
        weighed = 0
        count = 0
        for row in rows:
            count += 1
            amount = Decimal(row[amount_column])
            account = _text(row[account_column])
            kind = row[kind_column]
            if amount > 0:
                debits[account] = debits.get(account, ZERO) + amount
                kind_debits[kind] = kind_debits.get(kind, ZERO) + amount
            elif amount < 0:
                credits[account] = credits.get(account, ZERO) - amount
                kind_credits[kind] = kind_credits.get(kind, ZERO) - amount
            if weigh:
                source = _text(row[source_column]).encode()
                weight = int.from_bytes(blake2b(source, key=key, digest_size=8).digest())
                weighed += weight * int(amount.scaleb(2))
        self._weighed += weighed
        self.lines_seen += count

    @property
    def balanced(self) -> bool:
        """Whether each document's ledger lines sum to zero (``transactions=True``)."""
        return self._weighed == 0

    def figures(self) -> Figures:
        documents = {
            kind: DocumentTotals(
                self.counts.get(kind, 0),
                self.kind_debits.get(kind, ZERO),
                self.kind_credits.get(kind, ZERO),
            )
            for kind in self.layout.documents
        }
        return figures_of(self.debits, self.credits, self.kinds, documents)


def _text(value: Any) -> str:
    return value if type(value) is str else str(value)
