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
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from partida.books import models as m
from partida.books.chart import bank_account_code_start, default_chart, default_tax_codes
from partida.books.kinds import TRANSACTION_KINDS, kind_of
from partida.books.numbers import format_day
from partida.books.posting import (
    check_balanced,
    invoice_withholding,
    line_amount,
    line_tax,
    post,
    unpost,
)
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
    accounts = m.Account.objects.bulk_create(
        m.Account(company=company, code=code, kind=kind, role=role, name=name)
        for code, kind, role, name in default_chart(chart_language)
    )
    by_code = {account.code: account for account in accounts}
    m.TaxCode.objects.bulk_create(
        m.TaxCode(
            company=company,
            name=name,
            rate=rate,
            kind=kind,
            sales_account=by_code[sales_code],
            purchase_account=by_code[purchase_code],
        )
        for name, rate, kind, sales_code, purchase_code in default_tax_codes(chart_language)
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
        rows = model.objects.filter(company_id=company_id)
        if model in (m.SalesInvoice, m.PurchaseInvoice):
            rows.filter(corrects__isnull=False).delete()  # before the invoices they correct
        rows.delete()
    company.delete()
    company_deleted.send(sender=m.Company, company_id=company_id)


DELETION_ORDER: list[type[models.Model]] = [
    m.LedgerEntry,
    m.InvoiceCounter,
    m.ReceiptLine,
    m.PaymentLine,
    m.SalesInvoiceLine,
    m.PurchaseInvoiceLine,
    m.JournalEntryLine,
    m.Receipt,
    m.Payment,
    m.SalesInvoice,  # credit notes first: they name the invoice they correct
    m.PurchaseInvoice,
    m.JournalEntry,
    m.BankAccount,
    m.Customer,
    m.Supplier,
    m.TaxCode,
    m.Account,
]


def next_bank_account_code(company: m.Company, kind: str = m.BankAccount.Kind.BANK) -> str:
    codes = set(m.Account.objects.filter(company=company).values_list("code", flat=True))
    number = bank_account_code_start(company.chart_language, kind)
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
            code=next_bank_account_code(company, bank_account.kind),
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
        check_not_locked(company, record.date)
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


def check_not_locked(company: m.Company, date: datetime.date | None) -> None:
    """Refuse a change dated on or before the company's lock date (a closed period)."""
    lock_date = m.Company.objects.filter(pk=company.pk).values_list("lock_date", flat=True)[0]
    if lock_date is not None and date is not None and date <= lock_date:
        raise ValidationError(
            _(
                "The books are closed up to %(date)s: nothing dated on or before that day can "
                "be added, changed or deleted. Choose a later date, or move the lock date in "
                "the company's details."
            ),
            code="locked",
            params={"date": format_date(lock_date)},
        )


def format_date(date: datetime.date) -> str:
    return format_day(date)


def check_taxed_lines(record, lines: Sequence[models.Model]) -> None:
    """Each tax code posts to an account on the side the document is on; a line that pays an
    invoice pays one of the same party, and carries no tax of its own."""
    sales_side = isinstance(record, m.Receipt | m.SalesInvoice)
    for line in lines:
        code = line.tax_code
        if code is not None:
            if code.company_id != record.company_id:
                raise ValidationError(_("Choose a tax of this company."), code="tax_company")
            account = code.sales_account_id if sales_side else code.purchase_account_id
            if account is None and code.rate:
                raise ValidationError(
                    _(
                        "The tax “%(tax)s” has no account for this kind of document. Give it "
                        "one under Taxes, or choose another tax."
                    ),
                    code="tax_account",
                    params={"tax": code.name},
                )
        # The invoice a receipt's or payment's line pays (an invoice line's is its own).
        invoice = line.invoice if isinstance(line, m.ReceiptLine | m.PaymentLine) else None
        if invoice is None:
            continue
        if code is not None:
            raise ValidationError(
                _("A line that pays an invoice carries no tax: the invoice has it already."),
                code="tax_on_payment_of_invoice",
            )
        party = "customer_id" if sales_side else "supplier_id"
        if invoice.company_id != record.company_id or (
            getattr(record, party) and getattr(invoice, party) != getattr(record, party)
        ):
            raise ValidationError(
                _("Invoice %(invoice)s is not one of this payer's. Choose one of theirs."),
                code="invoice_party",
                params={"invoice": invoice_label(invoice)},
            )
        if getattr(invoice, "draft", False):
            raise ValidationError(
                _("Invoice %(invoice)s is a draft: issue it before recording its payment."),
                code="invoice_draft",
                params={"invoice": invoice_label(invoice)},
            )


def invoice_label(invoice) -> str:
    return getattr(invoice, "number", "") or invoice.reference or str(invoice.date)


def check_withholding(record) -> None:
    code = getattr(record, "withholding", None)
    if code is None:
        return
    sales_side = isinstance(record, m.SalesInvoice)
    account = code.sales_account_id if sales_side else code.purchase_account_id
    if code.company_id != record.company_id or code.kind != m.TaxKind.WITHHOLDING:
        raise ValidationError(
            _("Choose a withholding (such as IRPF −15 %) of this company."), code="withholding"
        )
    if account is None:
        raise ValidationError(
            _(
                "The withholding “%(tax)s” has no account for this kind of invoice. Give it one "
                "under Taxes, or choose another."
            ),
            code="withholding_account",
            params={"tax": code.name},
        )


def check_credit_note(record) -> None:
    corrected = getattr(record, "corrects", None)
    if corrected is None:
        return
    party = "customer_id" if isinstance(record, m.SalesInvoice) else "supplier_id"
    if (
        corrected.company_id != record.company_id
        or corrected.pk == record.pk
        or corrected.corrects_id is not None
        or getattr(corrected, party) != getattr(record, party)
    ):
        raise ValidationError(
            _(
                "A credit note corrects an invoice of the same party that is not itself a "
                "credit note. Choose that invoice."
            ),
            code="credit_note_invoice",
        )


def prepare_lines(company: m.Company, record, lines: Sequence[models.Model]) -> None:
    """Fill in what the program works out on each line: its amount and its tax."""
    sales_side = isinstance(record, m.Receipt | m.SalesInvoice)
    receivable_or_payable = None
    for position, line in enumerate(lines):
        line.id = uuid.uuid4()
        line._state.adding = True
        line.company = company
        line.position = position
        if isinstance(line, m.SalesInvoiceLine | m.PurchaseInvoiceLine):
            line.amount = line_amount(line.quantity, line.unit_price)
        if getattr(line, "invoice_id", None):
            if receivable_or_payable is None:
                role = m.AccountRole.RECEIVABLE if sales_side else m.AccountRole.PAYABLE
                receivable_or_payable = m.Account.objects.get(company=company, role=role)
            line.account = receivable_or_payable
        if hasattr(line, "tax_amount"):
            code = line.tax_code
            line.tax_amount = (
                line_tax(line.amount, code.rate, record.amounts_include_tax) if code else m.ZERO
            )


def next_invoice_number(company: m.Company, invoice: m.SalesInvoice) -> str:
    """The next number of the invoice's series, such as F2026-0001, never given before.

    The counter is raised before it is read, so that two invoices saved at once wait for each
    other (the row is locked until the first commits) and never share a number.
    """
    prefix = company.credit_note_prefix if invoice.corrects_id else company.invoice_prefix
    series = f"{prefix}{invoice.date.year}"
    counter = m.InvoiceCounter.objects.filter(company=company, series=series)
    if not counter.update(last_number=F("last_number") + 1):
        try:
            with transaction.atomic():
                m.InvoiceCounter.objects.create(company=company, series=series, last_number=1)
        except IntegrityError:  # another invoice started the series first
            counter.update(last_number=F("last_number") + 1)
    number = counter.values_list("last_number", flat=True).get()
    return f"{series}-{number:04d}"


@transaction.atomic
def do_save_transaction(
    company: m.Company, record: models.Model, lines: Iterable[models.Model]
) -> models.Model:
    """Create or update a transaction with its lines, and post it to the ledger.

    An unbalanced journal entry is refused with a ValidationError and changes nothing. A sales
    invoice that is not a draft gets the next number of its series when it has none.
    """
    lines = list(lines)
    check_lines(record, lines)
    creating = record._state.adding
    check_not_locked(company, record.date)
    if not creating:
        check_not_locked(company, type(record).objects.get(pk=record.pk).date)
    if creating and isinstance(record, m.SalesInvoice) and record.due_date is None:
        record.due_date = default_due_date(company, record.date)
    before = None if creating else snapshot(type(record).objects.get(pk=record.pk))
    record.company = company
    check_credit_note(record)
    check_withholding(record)
    if isinstance(record, m.TaxedTransaction):
        check_taxed_lines(record, lines)
    if isinstance(record, m.SalesInvoice) and not record.draft and not record.number:
        record.number = next_invoice_number(company, record)
    record.full_clean()
    record.save()
    line_model = record.lines.model
    parent_field = record.lines.field.name
    line_model.objects.filter(**{parent_field: record}).delete()
    prepare_lines(company, record, lines)
    for line in lines:
        setattr(line, parent_field, record)
    line_model.objects.bulk_create(lines)
    if isinstance(record, m.WithheldInvoice):
        record.withholding_amount = invoice_withholding(record, lines)
        record.save(update_fields=["withholding_amount"])
    post(record)
    send_changed(company, "create" if creating else "update", record, before, snapshot(record))
    return record


@transaction.atomic
def do_issue_invoice(company: m.Company, invoice: m.SalesInvoice) -> m.SalesInvoice:
    """Issue a draft: it gets its number and posts to the ledger."""
    if not invoice.draft:
        return invoice
    check_not_locked(company, invoice.date)
    before = snapshot(invoice)
    invoice.draft = False
    invoice.number = next_invoice_number(company, invoice)
    invoice.save(update_fields=["draft", "number"])
    post(invoice)
    send_changed(company, "update", invoice, before, snapshot(invoice))
    return invoice


@transaction.atomic
def do_set_archived(company: m.Company, record: m.Account | m.TaxCode, archived: bool):
    """Archive an account or tax code (kept with its movements, no longer offered) or bring
    it back."""
    before = snapshot(record)
    record.archived = archived
    record.save(update_fields=["archived"])
    send_changed(company, "update", record, before, snapshot(record))
    return record


def year_results(company: m.Company, first_day: datetime.date, last_day: datetime.date):
    """Each income and expense account's balance over the period, closings left out."""
    closings = m.JournalEntry.objects.filter(company=company, closes_year=True).values("id")
    rows = (
        m.LedgerEntry.objects.filter(
            company=company,
            date__gte=first_day,
            date__lte=last_day,
            account__kind__in=(m.AccountKind.INCOME, m.AccountKind.EXPENSE),
        )
        .exclude(source_id__in=closings)
        .values("account_id")
        .annotate(balance=models.Sum("amount"))
        .order_by("account__code")
    )
    return [(row["account_id"], row["balance"]) for row in rows if row["balance"]]


@transaction.atomic
def do_close_year(
    company: m.Company, first_day: datetime.date, last_day: datetime.date
) -> m.JournalEntry:
    """Close a year: one journal entry on its last day moves each income and expense account's
    balance to the results account (129 in the Spanish chart), and the books are locked up to
    that day. The profit and loss of the year leaves the closing entry out."""
    if m.JournalEntry.objects.filter(company=company, closes_year=True, date=last_day).exists():
        raise ValidationError(
            _("This year is closed already: its closing entry is dated %(date)s."),
            code="closed",
            params={"date": format_date(last_day)},
        )
    results = m.Account.objects.filter(
        company=company, role=m.AccountRole.RETAINED_EARNINGS
    ).first()
    if results is None:
        raise ValidationError(
            _(
                "No account has the role “%(role)s”, where a year's result goes. Give that "
                "role to an equity account (129 in the Spanish chart) and close again."
            ),
            code="no_results_account",
            params={"role": m.AccountRole.RETAINED_EARNINGS.label},
        )
    balances = year_results(company, first_day, last_day)
    if not balances:
        raise ValidationError(
            _("There is no income or expense in this year to close."), code="nothing_to_close"
        )
    lines = [
        m.JournalEntryLine(
            account_id=account_id,
            debit=-balance if balance < 0 else m.ZERO,
            credit=balance if balance > 0 else m.ZERO,
        )
        for account_id, balance in balances
    ]
    profit = -sum((balance for _account, balance in balances), m.ZERO)
    lines.append(
        m.JournalEntryLine(
            account=results,
            debit=-profit if profit < 0 else m.ZERO,
            credit=profit if profit > 0 else m.ZERO,
        )
    )
    entry = m.JournalEntry(
        date=last_day,
        closes_year=True,
        description=_("Closing of the year %(year)s") % {"year": last_day.year},
    )
    entry = do_save_transaction(company, entry, lines)
    do_update_company(company, lock_date=max(filter(None, [company.lock_date, last_day])))
    return entry
