"""Every change to a company's books goes through these functions.

Each one runs in a database transaction, keeps the ledger balanced and sends ``record_changed``
so that the history (and anything else that listens) sees it. Views and the CLI stay thin.
"""

import datetime
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from partida.books import models as m
from partida.books.chart import BANK_ACCOUNTS_CODE_START, DEFAULT_CHART
from partida.books.kinds import TRANSACTION_KINDS, kind_of
from partida.books.posting import check_balanced, line_amount, post, unpost
from partida.books.signals import company_created, company_deleted, record_changed
from partida.books.snapshot import snapshot


def send_changed(
    company: m.Company, action: str, instance: models.Model, before, after, record_id=None
) -> None:
    record_changed.send(
        sender=type(instance),
        company=company,
        action=action,
        kind=kind_of(instance),
        record_id=record_id or instance.pk,
        before=before,
        after=after,
    )


@transaction.atomic
def do_create_company(
    name: str, base_currency: str = "EUR", chart_language: str = "es"
) -> m.Company:
    """A new company with the default chart of accounts and one bank and one cash account."""
    company = m.Company.objects.create(
        name=name.strip(), base_currency=base_currency.upper(), chart_language=chart_language
    )
    spanish = chart_language == "es"
    m.Account.objects.bulk_create(
        m.Account(
            company=company,
            code=code,
            kind=kind,
            role=role,
            name=es_name if spanish else en_name,
        )
        for code, kind, role, es_name, en_name in DEFAULT_CHART
    )
    m.CompanyOrigin.objects.create(company=company, how=m.CompanyOrigin.How.CREATED)
    send_changed(company, "create", company, None, snapshot(company))
    do_save_bank_account(company, m.BankAccount(name=_("Bank") if not spanish else "Banco"))
    do_save_bank_account(
        company, m.BankAccount(name="Caja" if spanish else "Cash", kind=m.BankAccount.Kind.CASH)
    )
    company_created.send(sender=m.Company, company=company)
    return company


@transaction.atomic
def do_update_company(company: m.Company, **fields: Any) -> m.Company:
    before = snapshot(m.Company.objects.get(pk=company.pk))
    for name, value in fields.items():
        setattr(company, name, value)
    company.full_clean()
    company.save()
    send_changed(company, "update", company, before, snapshot(company))
    return company


@transaction.atomic
def do_delete_company(company: m.Company) -> None:
    """Delete a company and every row it owns; the files no one else uses go with it."""
    company_id = company.pk
    # PROTECT keeps accounts referenced while transactions exist, so children go first.
    for model in DELETION_ORDER:
        model.objects.filter(company_id=company_id).delete()
    company.delete()
    company_deleted.send(sender=m.Company, company_id=company_id)


DELETION_ORDER: list[type[models.Model]] = [
    m.LedgerEntry,
    m.ReceiptLine,
    m.PaymentLine,
    m.SalesInvoiceLine,
    m.PurchaseInvoiceLine,
    m.JournalEntryLine,
    m.Receipt,
    m.Payment,
    m.SalesInvoice,
    m.PurchaseInvoice,
    m.JournalEntry,
    m.BankAccount,
    m.Customer,
    m.Supplier,
    m.Account,
]


def next_bank_account_code(company: m.Company) -> str:
    codes = set(m.Account.objects.filter(company=company).values_list("code", flat=True))
    number = BANK_ACCOUNTS_CODE_START
    while str(number) in codes:
        number += 1
    return str(number)


@transaction.atomic
def do_save_bank_account(company: m.Company, bank_account: m.BankAccount) -> m.BankAccount:
    """Create or update a bank or cash account, with its own account in the chart."""
    creating = bank_account._state.adding
    before = None if creating else snapshot(m.BankAccount.objects.get(pk=bank_account.pk))
    bank_account.company = company
    if creating:
        bank_account.account = m.Account.objects.create(
            company=company,
            code=next_bank_account_code(company),
            name=bank_account.name,
            kind=m.AccountKind.ASSET,
            role=m.AccountRole.BANK,
        )
    else:
        m.Account.objects.filter(pk=bank_account.account_id).update(name=bank_account.name)
    bank_account.save()
    action = "create" if creating else "update"
    send_changed(company, action, bank_account, before, snapshot(bank_account))
    return bank_account


@transaction.atomic
def do_save_record(company: m.Company, record: models.Model) -> models.Model:
    """Create or update an account, customer or supplier."""
    creating = record._state.adding
    before = None if creating else snapshot(type(record).objects.get(pk=record.pk))
    record.company = company
    record.full_clean()
    record.save()
    send_changed(company, "create" if creating else "update", record, before, snapshot(record))
    return record


def check_can_delete(record: models.Model) -> None:
    if isinstance(record, m.Account) and m.LedgerEntry.objects.filter(account=record).exists():
        raise ValidationError(
            _("This account has transactions. Delete or move them before deleting the account."),
            code="protected",
        )


@transaction.atomic
def do_delete_record(company: m.Company, record: models.Model) -> None:
    """Delete any company record; a transaction takes its lines and ledger entries with it."""
    check_can_delete(record)
    before = snapshot(record)
    record_id = record.pk  # Django clears the key on delete
    if kind_of(record) in TRANSACTION_KINDS:
        unpost(record)
    try:
        if isinstance(record, m.BankAccount):
            account = record.account
            record.delete()
            account.delete()
        else:
            record.delete()
    except models.ProtectedError as error:
        raise ValidationError(
            _("This record is used by other records. Delete those first."),
            code="protected",
        ) from error
    send_changed(company, "delete", record, before, None, record_id=record_id)


def line_totals(transaction_record, lines: Sequence[models.Model]) -> tuple[Decimal, Decimal]:
    if isinstance(transaction_record, m.JournalEntry):
        return (
            sum((line.debit for line in lines), Decimal("0.00")),
            sum((line.credit for line in lines), Decimal("0.00")),
        )
    total = sum((line.amount for line in lines), Decimal("0.00"))
    return total, total


def check_lines(transaction_record, lines: Sequence[models.Model]) -> None:
    if not lines:
        raise ValidationError(_("Add at least one line with an amount."), code="no_lines")
    if isinstance(transaction_record, m.JournalEntry):
        for line in lines:
            if line.debit and line.credit:
                raise ValidationError(
                    _("A journal entry line has either a debit or a credit, not both."),
                    code="debit_and_credit",
                )
        check_balanced(*line_totals(transaction_record, lines))


def default_due_date(company: m.Company, invoice_date: datetime.date) -> datetime.date | None:
    """The day a new sales invoice falls due by the company's payment terms, if it has any.

    Terms beyond a year (only an altered backup could hold them) give none, as no terms do.
    """
    days = company.payment_terms_days
    if days is None or not 0 <= days <= m.MAX_PAYMENT_TERMS_DAYS or invoice_date is None:
        return None
    return invoice_date + datetime.timedelta(days=days)


@transaction.atomic
def do_save_transaction(
    company: m.Company, record: models.Model, lines: Iterable[models.Model]
) -> models.Model:
    """Create or update a transaction with its lines, and post it to the ledger.

    An unbalanced journal entry is refused with a ValidationError and changes nothing.
    """
    lines = list(lines)
    check_lines(record, lines)
    creating = record._state.adding
    if creating and isinstance(record, m.SalesInvoice) and record.due_date is None:
        record.due_date = default_due_date(company, record.date)
    before = None if creating else snapshot(type(record).objects.get(pk=record.pk))
    record.company = company
    record.full_clean()
    record.save()
    line_model = record.lines.model
    parent_field = record.lines.field.name
    line_model.objects.filter(**{parent_field: record}).delete()
    for position, line in enumerate(lines):
        line.id = uuid.uuid4()
        line._state.adding = True
        line.company = company
        line.position = position
        setattr(line, parent_field, record)
        if isinstance(line, m.SalesInvoiceLine | m.PurchaseInvoiceLine):
            line.amount = line_amount(line.quantity, line.unit_price)
    line_model.objects.bulk_create(lines)
    post(record)
    send_changed(company, "create" if creating else "update", record, before, snapshot(record))
    return record
