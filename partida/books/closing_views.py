"""The screens of closing a year, archiving accounts and taxes, and adding the default taxes.

Thin, as every view: ``partida.books.closing`` has the logic, ``actions`` makes the changes.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partida.books import closing
from partida.books import models as m
from partida.books.closing_forms import CloseYearForm
from partida.books.numbers import format_day
from partida.books.views import company_context, get_company, get_record

ARCHIVABLE_KINDS = ("account", "tax_code")


@require_http_methods(["GET", "POST"])
def close_year(request: HttpRequest, company_id) -> HttpResponse:
    """GET shows what closing the chosen year posts; only a POST closes it."""
    company = get_company(company_id)
    today = timezone.localdate()
    suggested = closing.year_to_close(company, today)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = CloseYearForm(data, company=company, suggested=suggested, this_year=today.year)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else suggested
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            entry = closing.do_close_calendar_year(company, year)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, closed_message(year, entry))
            return redirect("books:record_list", company_id=company.pk, kind="journal_entry")
    context = company_context(
        company, "summary", form=form, closing=closing.year_closing(company, year), error=error
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "books/close_year.html", context, status=status)


def closed_message(year: int, entry) -> str:
    return _(
        "The year %(year)s is closed: its closing entry is in Journal entries, and nothing "
        "dated on or before %(date)s can be changed any more."
    ) % {"year": year, "date": format_day(entry.date)}


@require_POST
def set_archived(request: HttpRequest, company_id, kind: str, pk) -> HttpResponse:
    """Archive an account or a tax, or bring it back (``archived`` is 1 or 0)."""
    company = get_company(company_id)
    if kind not in ARCHIVABLE_KINDS:
        raise Http404
    record = get_record(company, kind, pk)
    archived = request.POST.get("archived") == "1"
    try:
        closing.do_archive(company, record, archived)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return redirect("books:record_edit", company_id=company.pk, kind=kind, pk=pk)
    messages.success(request, archived_message(record, archived))
    return redirect("books:record_list", company_id=company.pk, kind=kind)


def archived_message(record, archived: bool) -> str:
    name = {"name": str(record)}
    if isinstance(record, m.TaxCode):
        if archived:
            return _("The tax “%(name)s” is archived: new lines are not offered it.") % name
        return _("The tax “%(name)s” is back in use.") % name
    if archived:
        return _("The account “%(name)s” is archived: new lines are not offered it.") % name
    return _("The account “%(name)s” is back in use.") % name


@require_POST
def add_default_taxes(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    try:
        taxes = closing.do_add_default_taxes(company)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(
            request,
            _("The default taxes were added: %(names)s.")
            % {"names": ", ".join(tax.name for tax in taxes)},
        )
    return redirect("books:record_list", company_id=company.pk, kind="tax_code")
