"""Posting transactions to the general ledger, and the rule that the ledger always balances."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partida.books import models as m
from partida.books.kinds import kind_of

CENT = Decimal("0.01")


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return (quantity * unit_price).quantize(CENT)


def role_account(company: m.Company, role: str) -> m.Account:
    return m.Account.objects.get(company=company, role=role)


def postings(transaction) -> list[tuple[m.Account | int, Decimal]]:
    """The (account or account id, signed amount) pairs a transaction posts; they sum to zero."""
    lines = list(transaction.lines.all())
    if isinstance(transaction, m.JournalEntry):
        return [(line.account_id, line.debit - line.credit) for line in lines]
    total = sum((line.amount for line in lines), Decimal("0.00"))
    if isinstance(transaction, m.Receipt):
        return [(transaction.bank_account.account_id, total)] + [
            (line.account_id, -line.amount) for line in lines
        ]
    if isinstance(transaction, m.Payment):
        return [(transaction.bank_account.account_id, -total)] + [
            (line.account_id, line.amount) for line in lines
        ]
    if isinstance(transaction, m.SalesInvoice):
        receivable = role_account(transaction.company, m.AccountRole.RECEIVABLE)
        return [(receivable.id, total)] + [(line.account_id, -line.amount) for line in lines]
    if isinstance(transaction, m.PurchaseInvoice):
        payable = role_account(transaction.company, m.AccountRole.PAYABLE)
        return [(payable.id, -total)] + [(line.account_id, line.amount) for line in lines]
    raise TypeError(f"{type(transaction).__name__} does not post to the ledger")


def check_balanced(debits: Decimal, credits: Decimal) -> None:
    if debits != credits:
        raise ValidationError(
            _(
                "The entry does not balance: debits are %(debits)s and credits are "
                "%(credits)s. Change the lines so that both totals are equal."
            ),
            code="unbalanced",
            params={"debits": debits, "credits": credits},
        )


def post(transaction) -> None:
    """Replace the transaction's ledger entries with what it posts now."""
    unpost(transaction)
    entries = [
        m.LedgerEntry(
            company_id=transaction.company_id,
            date=transaction.date,
            account_id=account,
            amount=amount,
            source_kind=kind_of(transaction),
            source_id=transaction.id,
        )
        for account, amount in postings(transaction)
        if amount
    ]
    if sum((e.amount for e in entries), Decimal("0")) != 0:
        raise AssertionError("a transaction posted unbalanced ledger entries")
    m.LedgerEntry.objects.bulk_create(entries)


def unpost(transaction) -> None:
    m.LedgerEntry.objects.filter(source_id=transaction.id).delete()
