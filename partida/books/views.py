"""The screens of the books: companies, the Summary, and every kind of record.

Views stay thin: forms check the input, ``partida.books.actions`` makes the changes.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Sum
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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from partida.books import actions
from partida.books import models as m
from partida.books.access import visible_companies
from partida.books.closing import list_mark
from partida.books.forms import (
    RECORD_FORMS,
    CompanyDetailsForm,
    CompanyForm,
    acceptable_files,
    line_formset,
)
from partida.books.invoice_pdf import invoice_filename, invoice_pdf
from partida.books.kinds import RECORD_KINDS, TRANSACTION_KINDS
from partida.books.origin import origin_sentence
from partida.books.signals import attachments_submitted, hold_attachments
from partida.books.summary import summarize
from partida.books.tabs import company_tabs, tab_label
from partida.books.usage import uses_of

PAGE_SIZE = 50
AMOUNT_FIELDS = ("amount", "quantity", "unit_price", "debit", "credit")
ATTACHMENTS_PANEL = "attachments/_panel.html"
BACKUP_DIALOG = "backups/_backup_dialog.html"


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
    return render(request, "books/companies.html", {"companies": rows})


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
    form = CompanyDetailsForm(request.POST or None, instance=m.Company.objects.get(pk=company.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_company(company, **form.details())
        except ValidationError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The company details were saved."))
            return redirect("books:summary", company_id=company.pk)
    context = company_context(company, None, form=form)
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
        (gettext_lazy("Date"), "date", "date"),
        (gettext_lazy("Reference"), "reference", "ref"),
        (gettext_lazy("Customer"), "customer", "text"),
        (gettext_lazy("Description"), "description", "text"),
        (gettext_lazy("Due date"), "due_date", "date"),
        (gettext_lazy("Total"), "total", "money"),
    ],
    "purchase_invoice": [
        (gettext_lazy("Date"), "date", "date"),
        (gettext_lazy("Reference"), "reference", "ref"),
        (gettext_lazy("Supplier"), "supplier", "text"),
        (gettext_lazy("Description"), "description", "text"),
        (gettext_lazy("Due date"), "due_date", "date"),
        (gettext_lazy("Total"), "total", "money"),
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
    "sales_invoice": ["customer"],
    "purchase_invoice": ["supplier"],
}


def record_queryset(company: m.Company, kind: str):
    """Every record of this kind in the company, as the list shows them."""
    model = RECORD_KINDS[kind]
    records = model.objects.filter(company=company)
    if kind in TRANSACTION_KINDS:
        total = Sum("lines__debit") if kind == "journal_entry" else Sum("lines__amount")
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
    rows = [
        {
            "url": row_url(company, kind, r.pk),
            "cells": [(value_of(r, attribute), style) for _h, attribute, style in columns],
            "mark": list_mark(r),
        }
        for r in page
    ]
    context = company_context(
        company,
        kind,
        page=page,
        rows=rows,
        headings=[(heading, style) for heading, _a, style in columns],
        # A company restored from a backup older than taxes can get the default ones.
        offer_default_taxes=kind == "tax_code" and not page.paginator.count,
        **kind_names(kind),
    )
    return render(request, "books/record_list.html", context)


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


def record_form(request: HttpRequest, company: m.Company, kind: str, record) -> HttpResponse:
    creating = record._state.adding
    posted = request.method == "POST"
    form = RECORD_FORMS[kind](
        request.POST if posted else None,
        request.FILES if posted else None,
        instance=record,
        company=company,
    )
    formset = None
    if kind in TRANSACTION_KINDS:
        formset = line_formset(kind, company, record, request.POST if posted else None)
    dropped = set(request.POST.getlist("drop_attachment"))
    held = [t for t in request.POST.getlist("held_attachment") if t not in dropped]
    if posted:
        valid = form.is_valid()
        valid = (formset.is_valid() if formset is not None else True) and valid
        if valid:
            try:
                save_record(company, kind, form, formset, held)
            except ValidationError as error:
                if creating:  # the save was rolled back: the record is still a new one
                    record._state.adding = True
                show_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("books:record_list", company_id=company.pk, kind=kind)
    kept, lost = (
        held_files(request, company, held) if posted and formset is not None else ([], False)
    )
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
        **kind_names(kind),
    )
    return render(request, "books/record_form.html", context, status=400 if posted else 200)


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
