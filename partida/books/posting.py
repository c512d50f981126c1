"""Posting transactions to the general ledger, and the rule that the ledger always balances."""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from partida.books import models as m
from partida.books.kinds import kind_of
from partida.books.numbers import format_number

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return (quantity * unit_price).quantize(CENT, ROUND_HALF_UP)


def line_tax(amount: Decimal, rate: Decimal, inclusive: bool) -> Decimal:
    """The tax of one line, rounded to the cent, half away from zero (as the help text says).

    Exclusive: ``amount`` is the base and the tax is ``amount × rate / 100``. Inclusive:
    ``amount`` holds the tax already, and the tax is ``amount × rate / (100 + rate)``, so that
    base and tax add up to exactly what was typed.
    """
    if not rate:
        return ZERO
    if inclusive:
        return (amount * rate / (HUNDRED + rate)).quantize(CENT, ROUND_HALF_UP)
    return (amount * rate / HUNDRED).quantize(CENT, ROUND_HALF_UP)


def line_base(line, inclusive: bool) -> Decimal:
    """The part of a line's amount that is not tax."""
    return line.amount - line.tax_amount if inclusive else line.amount


def document_total(record, lines) -> Decimal:
    """What a receipt, payment or invoice comes to: each line's base plus its tax, less what is
    withheld; unsigned (a credit note's total is positive)."""
    inclusive = record.amounts_include_tax
    lines_total = sum((line_base(line, inclusive) + line.tax_amount for line in lines), ZERO)
    return lines_total + getattr(record, "withholding_amount", ZERO)


def is_sales_side(transaction) -> bool:
    """Receipts and sales invoices credit their lines; payments and purchases debit them."""
    return isinstance(transaction, m.Receipt | m.SalesInvoice)


def tax_account_id(line, sales_side: bool):
    code = line.tax_code
    return code.sales_account_id if sales_side else code.purchase_account_id


def counter_account_id(transaction):
    """The account on the other side of the lines: the bank, or receivable or payable."""
    if isinstance(transaction, m.Receipt | m.Payment):
        return transaction.bank_account.account_id
    role = m.AccountRole.RECEIVABLE if is_sales_side(transaction) else m.AccountRole.PAYABLE
    return role_account(transaction.company, role).id


def role_account(company: m.Company, role: str) -> m.Account:
    return m.Account.objects.get(company=company, role=role)


def postings(transaction) -> list[tuple[m.Account | int, Decimal]]:
    """The (account or account id, signed amount) pairs a transaction posts; they sum to zero.

    A line posts its base to its account and its tax to the tax code's account; the total goes
    to the bank, receivable or payable account. A credit note posts as its invoice, reversed.
    A draft invoice posts nothing.
    """
    if isinstance(transaction, m.JournalEntry):
        return [(line.account_id, line.debit - line.credit) for line in transaction.lines.all()]
    if getattr(transaction, "draft", False):
        return []
    lines = list(transaction.lines.select_related("tax_code"))
    sales_side = is_sales_side(transaction)
    # Debits are positive: the lines of the sales side are credits, of the purchase side debits.
    sign = -1 if sales_side else 1
    if getattr(transaction, "corrects_id", None):
        sign = -sign
    inclusive = transaction.amounts_include_tax
    pairs: list[tuple[m.Account | int, Decimal]] = []
    for line in lines:
        pairs.append((line.account_id, sign * line_base(line, inclusive)))
        if line.tax_amount:
            pairs.append((tax_account_id(line, sales_side), sign * line.tax_amount))
    withheld = getattr(transaction, "withholding_amount", ZERO)
    if withheld:
        pairs.append((withholding_account_id(transaction, sales_side), sign * withheld))
    total = sum((amount for _account, amount in pairs), ZERO)
    return [(counter_account_id(transaction), -total)] + pairs


def withholding_account_id(invoice, sales_side: bool):
    code = invoice.withholding
    return code.sales_account_id if sales_side else code.purchase_account_id


def invoice_withholding(invoice, lines) -> Decimal:
    """What is withheld from an invoice: its bases' sum times the withholding's rate, rounded
    to the cent half away from zero (on the whole invoice, as the IRPF is worked out)."""
    code = getattr(invoice, "withholding", None)
    if code is None:
        return ZERO
    bases = sum((line_base(line, invoice.amounts_include_tax) for line in lines), ZERO)
    return (bases * code.rate / HUNDRED).quantize(CENT, ROUND_HALF_UP)


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
