"""The report screens, and the same reports as CSV and PDF files (``?format=csv|pdf``).

Thin: ``partida.reports.ledger_reports`` reads the books, ``partida.reports.documents`` writes
the files.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from partida.books import models as m
from partida.books.numbers import format_count
from partida.books.views import company_context, get_company, summary_period
from partida.reports import documents
from partida.reports import ledger_reports as r

# The reports of the Reports tab: (url name, title, what it is for).
REPORTS = [
    (
        "reports:trial_balance",
        gettext_lazy("Trial balance"),
        gettext_lazy("Each account's debits, credits and balance in the period."),
    ),
    (
        "reports:general_ledger",
        gettext_lazy("General ledger"),
        gettext_lazy("Every account's movements, with the running balance."),
    ),
    (
        "reports:journal",
        gettext_lazy("Journal"),
        gettext_lazy("The period's transactions in date order, with their postings."),
    ),
    (
        "reports:profit_and_loss",
        gettext_lazy("Profit and loss"),
        gettext_lazy("Income and expenses beside those of the period before."),
    ),
]


def page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


def report_context(request: HttpRequest, company: m.Company, url_name: str, **extra) -> dict:
    """What every report screen shows: the period chosen, its problems, the other reports and
    the addresses of the same report as CSV and PDF."""
    date_from, date_to, problems = summary_period(request, company)
    period = r.Period(date_from, date_to)
    query = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    return company_context(
        company,
        "reports",
        period=period,
        date_from=date_from,
        date_to=date_to,
        problems=problems,
        period_query=urlencode(query),
        csv_query=urlencode({**query, "format": "csv"}),
        pdf_query=urlencode({**query, "format": "pdf"}),
        reports=[
            {"url_name": name, "title": title, "about": about, "active": name == url_name}
            for name, title, about in REPORTS
        ],
        **extra,
    )


def page_links(context: dict, page: int, pages: int) -> dict:
    """The query strings of the previous and next pages, keeping the period."""
    base = context["period_query"]
    return {
        "page": page,
        "pages": pages,
        "previous_query": f"{base}&page={page - 1}" if page > 1 else "",
        "next_query": f"{base}&page={page + 1}" if page < pages else "",
    }


def file_answer(request: HttpRequest, make_document, context: dict) -> HttpResponse | None:
    """The report as the file ``?format=`` asks for, or None for the screen."""
    wanted = request.GET.get("format")
    if wanted not in ("csv", "pdf"):
        return None
    document = make_document(context["period"])
    if wanted == "csv":
        response = StreamingHttpResponse(
            documents.csv_lines(document), content_type="text/csv; charset=utf-8"
        )
        name = document.filename_stem + ".csv"
    else:
        try:
            content = documents.pdf_bytes(document)
        except documents.TooLongForPdf:
            messages.error(
                request,
                _(
                    "This period has more than %(rows)s rows, too many for one PDF. Choose a "
                    "shorter period, or download the CSV file and open it in a spreadsheet."
                )
                % {"rows": format_count(documents.MAX_PDF_ROWS)},
            )
            return redirect(f"{request.path}?{context['period_query']}")
        response = HttpResponse(content, content_type="application/pdf")
        name = document.filename_stem + ".pdf"
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=wanted == "csv", filename=name
    )
    return response


@require_GET
def index(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    context = report_context(request, company, "reports:index")
    return render(request, "reports/index.html", context)


@require_GET
def account_movements(request: HttpRequest, company_id, account_id) -> HttpResponse:
    company = get_company(company_id)
    account = get_object_or_404(m.Account, company=company, pk=account_id)
    context = report_context(request, company, "reports:account_movements", account=account)
    answer = file_answer(
        request,
        lambda period: documents.account_movements_document(account, period),
        context,
    )
    if answer:
        return answer
    result = r.account_movements(account, context["period"], page_number(request))
    context.update(report=result, **page_links(context, result.page, result.pages))
    return render(request, "reports/account_movements.html", context)


@require_GET
def trial_balance(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    context = report_context(request, company, "reports:trial_balance")
    answer = file_answer(
        request, lambda period: documents.trial_balance_document(company, period), context
    )
    if answer:
        return answer
    context["report"] = r.trial_balance(company, context["period"])
    return render(request, "reports/trial_balance.html", context)


@require_GET
def general_ledger(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    context = report_context(request, company, "reports:general_ledger")
    answer = file_answer(
        request, lambda period: documents.general_ledger_document(company, period), context
    )
    if answer:
        return answer
    result = r.general_ledger(company, context["period"], page_number(request))
    context.update(report=result, **page_links(context, result.page, result.pages))
    return render(request, "reports/general_ledger.html", context)


@require_GET
def journal(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    context = report_context(request, company, "reports:journal")
    answer = file_answer(
        request, lambda period: documents.journal_document(company, period), context
    )
    if answer:
        return answer
    result = r.journal(company, context["period"], page_number(request))
    context.update(report=result, **page_links(context, result.page, result.pages))
    return render(request, "reports/journal.html", context)


@require_GET
def profit_and_loss(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    context = report_context(request, company, "reports:profit_and_loss")
    answer = file_answer(
        request, lambda period: documents.profit_and_loss_document(company, period), context
    )
    if answer:
        return answer
    report = context["report"] = r.profit_and_loss(company, context["period"])
    context["sections"] = report.sections()
    return render(request, "reports/profit_and_loss.html", context)
