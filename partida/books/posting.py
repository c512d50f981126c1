"""Posting transactions to the general ledger, and the rule that the ledger always balances."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from partida.books import models as m
from partida.books.kinds import kind_of
from partida.books.numbers import format_number

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
            params={"debits": format_number(debits), "credits": format_number(credits)},
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
    add_to_days(transaction.company_id, [(e.account_id, e.date, e.amount) for e in entries])


def unpost(transaction) -> None:
    entries = m.LedgerEntry.objects.filter(source_id=transaction.id)
    posted = list(entries.values_list("account_id", "date", "amount"))
    add_to_days(transaction.company_id, [(a, d, -amount) for a, d, amount in posted])
    entries.delete()


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def add_to_days(company_id, movements) -> None:
    """Add ``(account id, date, amount)`` movements to the accounts' daily totals."""
    totals: dict[tuple, int] = {}
    for account_id, date, amount in movements:
        totals[account_id, date] = totals.get((account_id, date), 0) + cents(amount)
    if not totals:
        return
    table = connection.ops.quote_name(m.AccountDay._meta.db_table)
    key = m.AccountDay._meta.pk
    rows = [
        (
            key.get_db_prep_value(uuid.uuid4(), connection),
            key.get_db_prep_value(company_id, connection),
            key.get_db_prep_value(account_id, connection),
            date,
            amount,
        )
        for (account_id, date), amount in totals.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (id, company_id, account_id, date, cents) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (account_id, date) "
            f"DO UPDATE SET cents = {table}.cents + excluded.cents",
            rows,
        )


def rebuild_account_days(company_id) -> None:
    """Make the company's daily totals again from its ledger, in one statement."""
    days = connection.ops.quote_name(m.AccountDay._meta.db_table)
    ledger = connection.ops.quote_name(m.LedgerEntry._meta.db_table)
    if connection.vendor == "sqlite":
        new_key, whole_cents = "lower(hex(randomblob(16)))", "CAST(ROUND(amount * 100) AS INTEGER)"
    else:
        new_key, whole_cents = "gen_random_uuid()", "CAST(ROUND(amount * 100) AS BIGINT)"
    company = m.AccountDay._meta.pk.get_db_prep_value(company_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {days} WHERE company_id = %s", [company])
        cursor.execute(
            f"INSERT INTO {days} (id, company_id, account_id, date, cents) "
            f"SELECT {new_key}, company_id, account_id, date, SUM({whole_cents}) "
            f"FROM {ledger} WHERE company_id = %s GROUP BY company_id, account_id, date",
            [company],
        )
