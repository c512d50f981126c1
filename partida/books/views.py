"""The screens of the books: companies, the Summary, and every kind of record.
Views stay thin: forms check the input, ``partida.books.actions`` makes the changes.
"""

import base64
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partida.books import actions
from partida.books import models as m
from partida.books.access import visible_companies
from partida.books.closing import list_mark
from partida.books.forms import (
    RECORD_FORMS,
    CompanyDetailsForm,
    CompanyForm,
    acceptable_files,
    invoice_label,
    line_formset,
)
from partida.books.invoice_pdf import invoice_filename, invoice_pdf
from partida.books.invoices import (
    PURCHASES,
    SALES,
    InvoiceState,
    balance_of,
    invoice_balances,
    numbering_gaps,
    party_balances,
    state_of,
    tax_breakdown,
)
from partida.books.kinds import RECORD_KINDS, TRANSACTION_KINDS
from partida.books.logo import logo_png
from partida.books.origin import origin_sentence
from partida.books.signals import attachments_submitted, hold_attachments
from partida.books.summary import summarize
from partida.books.tabs import company_tabs, tab_label
from partida.books.usage import uses_of

PAGE_SIZE = 50
AMOUNT_FIELDS = ("amount", "quantity", "unit_price", "debit", "credit")
INVOICE_KINDS = {"sales_invoice": SALES, "purchase_invoice": PURCHASES}
#: The receipt or payment that pays each kind of invoice, and the other way round.
PAYING_KIND = {"sales_invoice": "receipt", "purchase_invoice": "payment"}
PAID_KIND = {"receipt": "sales_invoice", "payment": "purchase_invoice"}
GAPS_NAMED = 20  # how many missing invoice numbers the sales invoices list names
ATTACHMENTS_PANEL = "attachments/_panel.html"
BACKUP_DIALOG = "backups/_backup_dialog.html"
BACKUP_NOTICE = "autobackups/_summary_notice.html"
COMPANIES_ACTIONS = "autobackups/_companies_actions.html"


def get_company(company_id) -> m.Company:
    return get_object_or_404(m.Company, pk=company_id)


def company_context(company: m.Company, active_tab: str | None, **extra) -> dict:
    """What every screen inside a company needs: the company, its tabs and the active one."""
    return {
        "company": company,
        "company_tabs": company_tabs(company),
        "active_tab": active_tab,
        **extra,
    }


def show_error(form, error: ValidationError) -> None:
    """Put an error from an action on the form: on its field if the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def optional_template(name: str) -> str | None:
    """``name`` if another app provides that template (a panel, a dialog), else None."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


# --- Companies -------------------------------------------------------------------------------


@require_GET
def companies(request: HttpRequest) -> HttpResponse:
    rows = [
        {"company": company, "origin": origin_sentence(company)}
        for company in visible_companies(request).select_related("origin")
    ]
    context = {"companies": rows, "companies_actions": optional_template(COMPANIES_ACTIONS)}
    return render(request, "books/companies.html", context)


@require_http_methods(["GET", "POST"])
def company_add(request: HttpRequest) -> HttpResponse:
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = actions.do_create_company(**form.cleaned_data)
        messages.success(request, _("The company “%(name)s” was created.") % {"name": company})
        return redirect("books:summary", company_id=company.pk)
    return render(request, "books/company_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    # The form edits a copy: a refused change must not show as the company's name meanwhile.
    form = CompanyDetailsForm(
        request.POST or None, request.FILES or None, instance=m.Company.objects.get(pk=company.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_company(company, **form.details())
        except ValidationError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The company details were saved."))
            return redirect("books:summary", company_id=company.pk)
    logo = logo_png(company.logo)
    context = company_context(
        company,
        None,
        form=form,
        logo_data=base64.b64encode(logo).decode("ascii") if logo else "",
    )
    return render(request, "books/company_details.html", context)


@require_http_methods(["GET", "POST"])
def company_delete(request: HttpRequest, company_id) -> HttpResponse:
    """GET asks for confirmation; only a POST deletes."""
    company = get_company(company_id)
    if request.method == "POST":
        name = company.name
        actions.do_delete_company(company)
        messages.success(request, _("The company “%(name)s” was deleted.") % {"name": name})
        return redirect("books:companies")
    return render(request, "books/company_delete.html", company_context(company, None))


# --- Summary ---------------------------------------------------------------------------------


def default_period(company: m.Company, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """This year up to today; for books whose last entry is in an earlier year, that year."""
    last = (
        m.AccountDay.objects.filter(company=company)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if last is not None and last.year < today.year:
        return last.replace(month=1, day=1), last.replace(month=12, day=31)
    return today.replace(month=1, day=1), today


def summary_period(
    request: HttpRequest, company: m.Company
) -> tuple[datetime.date, datetime.date, list[str]]:
    """The period from the ``from`` and ``to`` parameters, else the default period."""
    today = timezone.localdate()
    date_from, date_to = default_period(company, today)
    problems = []
    for name in ("from", "to"):
        text = request.GET.get(name, "").strip()
        if not text:
            continue
        try:
            value = parse_date(text)
        except ValueError:
            value = None
        if value is None:
            problems.append(
                _("“%(value)s” is not a date. Enter a date such as %(example)s.")
                % {"value": text, "example": today.isoformat()}
            )
        elif name == "from":
            date_from = value
        else:
            date_to = value
    if date_from > date_to:
        problems.append(_("The period starts after it ends. Choose a start date before the end."))
        date_from, date_to = default_period(company, today)
    return date_from, date_to, problems


@require_GET
def summary(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    date_from, date_to, problems = summary_period(request, company)
    result = summarize(company, date_from, date_to)
    sections = []
    for kind, label, total in (
        (m.AccountKind.ASSET, _("Assets"), result.assets),
        (m.AccountKind.LIABILITY, _("Liabilities"), result.liabilities),
        (m.AccountKind.EQUITY, _("Equity"), result.equity),
    ):
        lines = [a for a in result.balance_sheet_accounts if a.kind == kind]
        sections.append({"label": label, "lines": lines, "total": total})
    income = [a for a in result.profit_and_loss_accounts if a.kind == m.AccountKind.INCOME]
    expenses = [a for a in result.profit_and_loss_accounts if a.kind == m.AccountKind.EXPENSE]
    context = company_context(
        company,
        "summary",
        summary=result,
        balance_sheet=sections,
        income_lines=income,
        expense_lines=expenses,
        date_from=date_from,
        date_to=date_to,
        problems=problems,
        backup_dialog=optional_template(BACKUP_DIALOG),
        backup_notice=optional_template(BACKUP_NOTICE),
    )
    return render(request, "books/summary.html", context)


# --- Records ---------------------------------------------------------------------------------

# The columns of each list: (heading, attribute, how to show it: "text", "ref" for a number or
# code that stays on one line, "date" or "money").
COLUMNS: dict[str, list[tuple]] = {
    "account": [
        (gettext_lazy("Code"), "code", "ref"),
        (gettext_lazy("Name"), "name", "text"),
        (gettext_lazy("Kind"), "get_kind_display", "text"),
        (gettext_lazy("Role"), "get_role_display", "text"),
    ],
    "bank_account": [
        (gettext_lazy("Name"), "name", "text"),
        (gettext_lazy("Kind"), "get_kind_display", "text"),
        (gettext_lazy("Account number"), "number", "text"),
        (gettext_lazy("Balance"), "total", "money"),
    ],
    "customer": [
        (gettext_lazy("Name"), "name", "text"),
        (gettext_lazy("Email"), "email", "text"),
        (gettext_lazy("Tax ID"), "tax_id", "text"),
        (gettext_lazy("Balance"), "balance", "money"),
    ],
    "receipt": [
        (gettext_lazy("Date"), "date", "date"),
        (gettext_lazy("Reference"), "reference", "ref"),
        (gettext_lazy("Description"), "description", "text"),
        (gettext_lazy("Received in"), "bank_account", "text"),
        (gettext_lazy("Payer"), "customer", "text"),
        (gettext_lazy("Total"), "total", "money"),
    ],
    "payment": [
        (gettext_lazy("Date"), "date", "date"),
        (gettext_lazy("Reference"), "reference", "ref"),
        (gettext_lazy("Description"), "description", "text"),
        (gettext_lazy("Paid from"), "bank_account", "text"),
        (gettext_lazy("Payee"), "supplier", "text"),
        (gettext_lazy("Total"), "total", "money"),
    ],
    "sales_invoice": [
        (gettext_lazy("Number"), "number_label", "ref"),
        (gettext_lazy("Date"), "date", "date"),
        (gettext_lazy("Customer"), "customer", "text"),
        (gettext_lazy("Due date"), "due_date", "date"),
        (gettext_lazy("Total"), "total", "money"),
        (gettext_lazy("Balance due"), "balance_due", "due"),
        (gettext_lazy("State"), "state_cell", "state"),
    ],
    "purchase_invoice": [
        (gettext_lazy("Reference"), "reference", "ref"),
        (gettext_lazy("Date"), "date", "date"),
        (gettext_lazy("Supplier"), "supplier", "text"),
        (gettext_lazy("Due date"), "due_date", "date"),
        (gettext_lazy("Total"), "total", "money"),
        (gettext_lazy("Balance due"), "balance_due", "due"),
        (gettext_lazy("State"), "state_cell", "state"),
    ],
    "journal_entry": [
        (gettext_lazy("Date"), "date", "date"),
        (gettext_lazy("Reference"), "reference", "ref"),
        (gettext_lazy("Description"), "description", "text"),
        (gettext_lazy("Total"), "total", "money"),
    ],
}
COLUMNS["supplier"] = COLUMNS["customer"]
COLUMNS["tax_code"] = [
    (gettext_lazy("Name"), "name", "text"),
    (gettext_lazy("Rate"), "rate", "percent"),
    (gettext_lazy("Kind"), "get_kind_display", "text"),
    (gettext_lazy("Account on sales"), "sales_account", "text"),
    (gettext_lazy("Account on purchases"), "purchase_account", "text"),
]

RELATED = {
    "bank_account": [],
    "tax_code": ["sales_account", "purchase_account"],
    "receipt": ["bank_account", "customer"],
    "payment": ["bank_account", "supplier"],
    "sales_invoice": ["customer", "corrects"],
    "purchase_invoice": ["supplier", "corrects"],
}

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)
#: A line's tax where it is added to the amount (it is inside the amount when tax is included).
TAX_ADDED = Case(
    When(amounts_include_tax=True, then=Value(m.ZERO)),
    default=F("lines__tax_amount"),
    output_field=MONEY_FIELD,
)


def record_queryset(company: m.Company, kind: str):
    """Every record of this kind in the company, as the list shows them."""
    model = RECORD_KINDS[kind]
    records = model.objects.filter(company=company)
    if kind in INVOICE_KINDS:  # their totals come with their balances (``invoice_rows``)
        number = "-number" if kind == "sales_invoice" else "-reference"
        records = records.order_by("-date", number, "-id")
    elif kind == "journal_entry":
        records = records.annotate(total=Sum("lines__debit")).order_by("-date", "-reference")
    elif kind in TRANSACTION_KINDS:  # what was received or paid: each line's amount and tax
        total = Sum(F("lines__amount") + TAX_ADDED, output_field=MONEY_FIELD)
        records = records.annotate(total=total).order_by("-date", "-reference")
    elif kind == "bank_account":
        records = records.annotate(total=Sum("account__ledger_entries__amount")).order_by(
            *model._meta.ordering
        )
    elif kind in ("account", "tax_code"):
        records = records.order_by("archived", *model._meta.ordering)  # archived ones last
    return records.select_related(*RELATED.get(kind, []))


def get_record(company: m.Company, kind: str, pk):
    """A record of this company, or a 404: another company's record is not found here."""
    return get_object_or_404(RECORD_KINDS[kind], company=company, pk=pk)


def value_of(record, attribute: str):
    value = getattr(record, attribute, None)
    return value() if callable(value) else value


NEW_LABELS = {
    "account": gettext_lazy("New account"),
    "tax_code": gettext_lazy("New tax"),
    "bank_account": gettext_lazy("New bank or cash account"),
    "customer": gettext_lazy("New customer"),
    "supplier": gettext_lazy("New supplier"),
    "receipt": gettext_lazy("New receipt"),
    "payment": gettext_lazy("New payment"),
    "sales_invoice": gettext_lazy("New sales invoice"),
    "purchase_invoice": gettext_lazy("New purchase invoice"),
    "journal_entry": gettext_lazy("New journal entry"),
}


def kind_names(kind: str) -> dict:
    meta = RECORD_KINDS[kind]._meta
    return {
        "kind": kind,
        "new_label": NEW_LABELS[kind],
        "kind_name": meta.verbose_name,
        "kind_plural": capfirst(meta.verbose_name_plural),
        # The list's title is its tab's label, so "Chart of accounts" opens "Chart of accounts".
        "list_title": tab_label(kind) or capfirst(meta.verbose_name_plural),
        "is_transaction": kind in TRANSACTION_KINDS,
    }


def row_url(company: m.Company, kind: str, pk) -> str:
    """Where a row of a list leads: its record's form; an account, to its movements when the
    reports are installed (its form is a button away there)."""
    if kind == "account":
        try:
            return reverse(
                "reports:account_movements", kwargs={"company_id": company.pk, "account_id": pk}
            )
        except NoReverseMatch:
            pass
    return reverse("books:record_edit", kwargs={"company_id": company.pk, "kind": kind, "pk": pk})


@require_GET
def record_list(request: HttpRequest, company_id, kind: str) -> HttpResponse:
    company = get_company(company_id)
    page = Paginator(record_queryset(company, kind), PAGE_SIZE).get_page(request.GET.get("page"))
    columns = COLUMNS[kind]
    records = list(page)
    if kind in INVOICE_KINDS:
        invoice_rows(kind, records, timezone.localdate())
    if kind in ("customer", "supplier"):
        side = SALES if kind == "customer" else PURCHASES
        balances = party_balances(side, company, [record.pk for record in records])
        for record in records:
            record.balance = balances[record.pk]
    rows = [
        {
            "url": row_url(company, kind, r.pk),
            "cells": [(value_of(r, attribute), style) for _h, attribute, style in columns],
            "mark": list_mark(r),
        }
        for r in records
    ]
    context = company_context(
        company,
        kind,
        page=page,
        rows=rows,
        headings=[(heading, style) for heading, _a, style in columns],
        # A company restored from a backup older than taxes can get the default ones.
        offer_default_taxes=kind == "tax_code" and not page.paginator.count,
        notice=gaps_sentence(company) if kind == "sales_invoice" else None,
        **kind_names(kind),
    )
    return render(request, "books/record_list.html", context)


def state_label(invoice, state: InvoiceState) -> tuple[str, str]:
    """The State column of an invoice: a key for its colour and the words. A credit note says
    it is one, and which invoice it corrects."""
    if invoice.corrects_id is None:
        return state.value, capfirst(state.label)
    words = _("Credit note for %(invoice)s") % {"invoice": invoice_label(invoice.corrects)}
    if state is InvoiceState.DRAFT:
        words = f"{capfirst(state.label)} · {words}"
    return "credit-note", words


def invoice_rows(kind: str, invoices: list, today: datetime.date) -> None:
    """Give each invoice of a list's page its total (with tax), balance due and state, from
    their balances read together (``invoices.invoice_balances``), not one invoice at a time.

    A credit note's total is shown negative, as what it takes off; it has no balance due."""
    side = INVOICE_KINDS[kind]
    balances = invoice_balances(
        side, side.invoice.objects.filter(pk__in=[invoice.pk for invoice in invoices])
    )
    for invoice in invoices:
        balance = balances[invoice.pk]
        state = state_of(invoice, balance, today)
        draft = state is InvoiceState.DRAFT
        invoice.number_label = "" if draft else invoice_label(invoice)
        invoice.state_cell = state_label(invoice, state)
        if invoice.corrects_id is not None:
            invoice.total, invoice.balance_due = -balance.total, None
        else:
            invoice.total, invoice.balance_due = balance.total, None if draft else balance.due


def gaps_sentence(company: m.Company) -> str | None:
    """One sentence naming the numbers of the invoice series that no invoice has now."""
    gaps = numbering_gaps(company)
    if not gaps:
        return None
    named = ", ".join(gaps[:GAPS_NAMED])
    if len(gaps) > GAPS_NAMED:
        named = _("%(numbers)s and %(more)s more") % {
            "numbers": named,
            "more": len(gaps) - GAPS_NAMED,
        }
    return ngettext(
        "The invoice number %(numbers)s was given to an invoice that was deleted: it stays "
        "unused, a gap in the series.",
        "The invoice numbers %(numbers)s were given to invoices that were deleted: they stay "
        "unused, gaps in the series.",
        len(gaps),
    ) % {"numbers": named}


@require_http_methods(["GET", "POST"])
def record_add(request: HttpRequest, company_id, kind: str) -> HttpResponse:
    company = get_company(company_id)
    return record_form(request, company, kind, RECORD_KINDS[kind]())


@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, company_id, kind: str, pk) -> HttpResponse:
    company = get_company(company_id)
    return record_form(request, company, kind, get_record(company, kind, pk))


def save_record(company: m.Company, kind: str, form, formset, held: list[str]) -> None:
    """Save through the actions; a transaction's attachments (chosen now, or held from an
    earlier submission of the form) go out in the same transaction."""
    with transaction.atomic():
        if formset is not None:
            record = actions.do_save_transaction(company, form.instance, formset.lines())
            files = form.cleaned_data.get("attachments") or []
            if files or held:
                attachments_submitted.send(
                    sender=type(record),
                    company=company,
                    kind=kind,
                    record_id=record.pk,
                    files=files,
                    held=held,
                )
        elif kind == "bank_account":
            actions.do_save_bank_account(company, form.instance)
        else:
            actions.do_save_record(company, form.instance)


def held_files(request: HttpRequest, company: m.Company, held: list[str]) -> tuple[list, bool]:
    """A form that comes back keeps the files chosen in it (a browser never fills a file input
    again): those held from before, and the ones just chosen that can be attached. Returns the
    files held, to show, and whether some chosen file could not be kept."""
    chosen = acceptable_files(request.FILES.getlist("attachments"))
    if not chosen and not held:
        return [], False
    kept = [
        info
        for _receiver, answer in hold_attachments.send(
            sender=m.Company, company=company, files=chosen, held=held
        )
        for info in (answer or [])
    ]
    return kept, bool(chosen) and not kept


def prefilled(request: HttpRequest, company: m.Company, kind: str) -> tuple[dict, list | None]:
    """What a new record opened by another's button starts with: a receipt (or payment) for
    an invoice (``?invoice=<pk>``), with one line paying what is due on it; a credit note for
    an invoice (``?corrects=<pk>``), with its party and a copy of its lines to edit."""
    if kind in PAID_KIND and request.GET.get("invoice"):
        side = INVOICE_KINDS[PAID_KIND[kind]]
        invoice = issued_invoice(company, side, request.GET["invoice"])
        if invoice is None:
            return {}, None
        role = m.AccountRole.RECEIVABLE if side is SALES else m.AccountRole.PAYABLE
        account = m.Account.objects.filter(company=company, role=role).first()
        label = invoice_label(invoice)
        description = (
            _("Receipt for invoice %(invoice)s") if side is SALES else _("Payment of %(invoice)s")
        ) % {"invoice": label}
        initial = {side.party: getattr(invoice, f"{side.party}_id"), "description": description}
        due = balance_of(invoice).due
        line = {"invoice": invoice.pk, "account": account.pk if account else None}
        if due > 0:
            line["amount"] = due
        return initial, [line]
    if kind in INVOICE_KINDS and request.GET.get("corrects"):
        side = INVOICE_KINDS[kind]
        invoice = issued_invoice(company, side, request.GET["corrects"])
        if invoice is None:
            return {}, None
        initial = {
            side.party: getattr(invoice, f"{side.party}_id"),
            "corrects": invoice.pk,
            "amounts_include_tax": invoice.amounts_include_tax,
            "description": _("Credit note for invoice %(invoice)s")
            % {"invoice": invoice_label(invoice)},
        }
        lines = [
            {
                "account": line.account_id,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "tax_code": line.tax_code_id,
            }
            for line in invoice.lines.all()
        ]
        return initial, lines
    return {}, None


def issued_invoice(company: m.Company, side, pk):
    """The company's issued invoice (not a draft nor a credit note) with this key, or None."""
    invoices = side.invoice.objects.filter(company=company, corrects__isnull=True)
    if side is SALES:
        invoices = invoices.filter(draft=False)
    try:
        return invoices.select_related(side.party).filter(pk=pk).first()
    except (ValueError, ValidationError):
        return None


def document_totals(record) -> dict | None:
    """What a saved receipt, payment or invoice comes to: base, tax and total per tax code,
    and altogether, as the form shows them under its lines (the page's script keeps them up to
    date while lines are typed, worked out the same way)."""
    if record._state.adding or not isinstance(record, m.TaxedTransaction):
        return None
    lines = list(record.lines.select_related("tax_code"))
    rows = [
        {
            "name": str(code) if code is not None else _("No tax"),
            "base": base,
            "tax": tax,
            "total": base + tax,
        }
        for code, base, tax in tax_breakdown(record, lines)
    ]
    base = sum((row["base"] for row in rows), m.ZERO)
    tax = sum((row["tax"] for row in rows), m.ZERO)
    withheld = getattr(record, "withholding_amount", m.ZERO)
    code = getattr(record, "withholding", None)
    return {
        "rows": rows,
        "base": base,
        "tax": tax,
        "withholding": withheld if code is not None else None,
        "withholding_name": str(code) if code is not None else "",
        "total": base + tax + withheld,
    }


def record_title(kind: str, record, corrected) -> str | None:
    """The heading of an invoice's form: its number, a draft, a credit note."""
    if kind not in INVOICE_KINDS:
        return None
    if record._state.adding:
        return _("New credit note") if corrected is not None else None
    name = _("Credit note") if record.corrects_id else capfirst(record._meta.verbose_name)
    if getattr(record, "draft", False):
        return _("%(kind)s (draft)") % {"kind": name}
    label = invoice_label(record)
    return f"{name} {label}"


def invoice_status(company: m.Company, kind: str, invoice) -> dict | None:
    """An invoice's state, what is paid and due, and the receipts (or payments) and credit
    notes that count against it, with their addresses; None for a new one."""
    if kind not in INVOICE_KINDS or invoice._state.adding:
        return None
    side = INVOICE_KINDS[kind]
    balance = balance_of(invoice)
    state = state_of(invoice, balance, timezone.localdate())
    paying_kind = PAYING_KIND[kind]
    parent = "receipt" if side is SALES else "payment"
    paid_by: dict = {}
    for line in side.payment_line.objects.filter(invoice=invoice).select_related(parent):
        payment = getattr(line, parent)
        if payment.pk not in paid_by:
            paid_by[payment.pk] = {
                "record": payment,
                "amount": m.ZERO,
                "url": row_url(company, paying_kind, payment.pk),
            }
        paid_by[payment.pk]["amount"] += line.amount
    credit_notes = [
        {"record": note, "label": invoice_label(note), "url": row_url(company, kind, note.pk)}
        for note in invoice.credit_notes.order_by("date")
    ]
    is_credit_note = invoice.corrects_id is not None
    issued = state is not InvoiceState.DRAFT
    return {
        "balance": balance,
        "state": state,
        "state_cell": state_label(invoice, state),
        "is_credit_note": is_credit_note,
        "corrects_url": row_url(company, kind, invoice.corrects_id) if is_credit_note else None,
        "payments": sorted(paid_by.values(), key=lambda p: (p["record"].date, str(p["record"]))),
        "credit_notes": credit_notes,
        "pay_url": reverse(
            "books:record_add", kwargs={"company_id": company.pk, "kind": paying_kind}
        )
        + f"?invoice={invoice.pk}"
        if issued and not is_credit_note and balance.due > 0
        else None,
        "credit_note_url": reverse(
            "books:record_add", kwargs={"company_id": company.pk, "kind": kind}
        )
        + f"?corrects={invoice.pk}"
        if issued and not is_credit_note
        else None,
    }


def saved_message(kind: str, record) -> str:
    if kind == "sales_invoice" and record.draft:
        return _("Saved as a draft: it has no number and posts nothing until you issue it.")
    if kind == "sales_invoice" and record.number:
        return _("Saved: invoice %(number)s.") % {"number": record.number}
    return _("Saved.")


def record_form(request: HttpRequest, company: m.Company, kind: str, record) -> HttpResponse:
    creating = record._state.adding
    posted = request.method == "POST"
    initial, initial_lines = (
        ({}, None) if posted or not creating else prefilled(request, company, kind)
    )
    form = RECORD_FORMS[kind](
        request.POST if posted else None,
        request.FILES if posted else None,
        instance=record,
        company=company,
        initial=initial,
    )
    formset = None
    if kind in TRANSACTION_KINDS:
        formset = line_formset(
            kind, company, record, request.POST if posted else None, initial=initial_lines
        )
    dropped = set(request.POST.getlist("drop_attachment"))
    held = [t for t in request.POST.getlist("held_attachment") if t not in dropped]
    if posted:
        valid = form.is_valid()
        valid = (formset.is_valid() if formset is not None else True) and valid
        if valid:
            # What saving works out (a number, a due date) is undone with it if it fails.
            worked_out = {name: getattr(record, name, None) for name in ("number", "due_date")}
            try:
                save_record(company, kind, form, formset, held)
            except ValidationError as error:
                if creating:  # the save was rolled back: the record is still a new one
                    record._state.adding = True
                    for name, value in worked_out.items():
                        if hasattr(record, name):
                            setattr(record, name, value)
                show_error(form, error)
            else:
                messages.success(request, saved_message(kind, record))
                return redirect("books:record_list", company_id=company.pk, kind=kind)
    kept, lost = (
        held_files(request, company, held) if posted and formset is not None else ([], False)
    )
    corrected = getattr(form, "corrected_invoice", None)
    context = company_context(
        company,
        kind,
        form=form,
        formset=formset,
        record=record,
        creating=creating,
        amount_fields=AMOUNT_FIELDS,
        held_files=kept,
        files_not_kept=lost,
        attachments_panel=None
        if creating or formset is None
        else optional_template(ATTACHMENTS_PANEL),
        totals=document_totals(record) if not posted else None,
        status=invoice_status(company, kind, record),
        corrected=corrected,
        corrected_label=invoice_label(corrected) if corrected is not None else "",
        record_title=record_title(kind, record, corrected),
        counter_account=formset.form_kwargs["choices"].counter_account
        if formset is not None
        else None,
        **kind_names(kind),
    )
    return render(request, "books/record_form.html", context, status=400 if posted else 200)


@require_POST
def sales_invoice_issue(request: HttpRequest, company_id, pk) -> HttpResponse:
    """Issue a draft: it gets the next number of its series and posts to the books."""
    company = get_company(company_id)
    invoice = get_record(company, "sales_invoice", pk)
    if not invoice.draft:
        messages.info(request, _("This invoice was issued already."))
    else:
        try:
            actions.do_issue_invoice(company, invoice)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Invoice %(number)s was issued.") % {"number": invoice.number}
            )
    return redirect("books:record_edit", company_id=company.pk, kind="sales_invoice", pk=pk)


@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, company_id, kind: str, pk) -> HttpResponse:
    company = get_company(company_id)
    if kind not in RECORD_KINDS or kind == "company":
        raise Http404
    record = get_record(company, kind, pk)
    error = None
    if request.method == "POST":
        try:
            actions.do_delete_record(company, record)
        except ValidationError as problem:
            error = " ".join(problem.messages)
            record = get_record(company, kind, pk)  # as it is, the failed deletion undone
        else:
            messages.success(request, _("Deleted."))
            return redirect("books:record_list", company_id=company.pk, kind=kind)
    # Said before anyone presses Delete, which is not offered while it can only fail.
    uses = uses_of(company, record)
    context = company_context(
        company, kind, record=record, error=error, uses=uses, **kind_names(kind)
    )
    return render(
        request, "books/record_delete.html", context, status=409 if error is not None else 200
    )


@require_GET
def sales_invoice_pdf(request: HttpRequest, company_id, pk) -> HttpResponse:
    """The invoice as the customer gets it: the same PDF that Send by email attaches."""
    company = get_company(company_id)
    invoice = get_object_or_404(
        m.SalesInvoice.objects.select_related("customer", "company"), company=company, pk=pk
    )
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=invoice_filename(invoice)
    )
    return response
