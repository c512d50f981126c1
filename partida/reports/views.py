"""The report screens, and the same reports as CSV and PDF files (``?format=csv|pdf``).

Thin: ``partida.reports.ledger_reports`` reads the books, ``partida.reports.documents`` writes
the files.
"""

import datetime
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from partida.books import models as m
from partida.books.numbers import format_count
from partida.books.views import company_context, get_company, summary_period
from partida.reports import documents
from partida.reports import ledger_reports as r
from partida.reports import receivables as rc
from partida.reports import tax_report as tx

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
    (
        "reports:aged_receivables",
        gettext_lazy("Aged receivables"),
        gettext_lazy("What each customer owes on a day, by how long it is past due."),
    ),
    (
        "reports:aged_payables",
        gettext_lazy("Aged payables"),
        gettext_lazy("What is owed to each supplier on a day, by how long it is past due."),
    ),
    (
        "reports:customer_statement",
        gettext_lazy("Customer statement"),
        gettext_lazy("A customer's invoices, credit notes and receipts, with the balance."),
    ),
    (
        "reports:supplier_statement",
        gettext_lazy("Supplier statement"),
        gettext_lazy("A supplier's invoices, credit notes and payments, with the balance."),
    ),
    (
        "reports:tax_summary",
        gettext_lazy("IVA summary"),
        gettext_lazy(
            "Output and input VAT by rate and the withholdings: the figures of the "
            "quarterly return (modelo 303 and 111)."
        ),
    ),
]

# The period a report shows when none is asked for, from a day (today, or the day asked):
# the year up to that day for the aged balances, the quarter for the IVA summary.
Default = Callable[[datetime.date], tuple[datetime.date, datetime.date]]


def year_to_day(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    return day.replace(month=1, day=1), day


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    quarter = tx.quarter_of(day)
    return quarter.date_from, quarter.date_to


def chosen_period(
    request: HttpRequest, company: m.Company, default: Default | None
) -> tuple[datetime.date, datetime.date, list[str]]:
    """The period asked for; a date not given comes from ``default`` (of the other date
    given, else of today), or from the Summary's period when the report has no default."""
    date_from, date_to, problems = summary_period(request, company)
    if default is None:
        return date_from, date_to, problems
    given_from = bool(request.GET.get("from", "").strip())
    given_to = bool(request.GET.get("to", "").strip())
    today = timezone.localdate()
    default_from, default_to = default(date_to if given_to else today)
    date_from = date_from if given_from else default_from
    date_to = date_to if given_to else default_to
    if date_from > date_to:
        problems.append(_("The period starts after it ends. Choose a start date before the end."))
        date_from, date_to = default(today)
    return date_from, date_to, problems


def page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


def report_context(
    request: HttpRequest,
    company: m.Company,
    url_name: str,
    default: Default | None = None,
    keep: dict | None = None,
    **extra,
) -> dict:
    """What every report screen shows: the period chosen, its problems, the other reports and
    the addresses of the same report as CSV and PDF (``keep``: more of the query to keep)."""
    date_from, date_to, problems = chosen_period(request, company, default)
    period = r.Period(date_from, date_to)
    query = {**(keep or {}), "from": date_from.isoformat(), "to": date_to.isoformat()}
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


def aged_view(side, url_name: str):
    @require_GET
    def view(request: HttpRequest, company_id) -> HttpResponse:
        company = get_company(company_id)
        context = report_context(request, company, url_name, default=year_to_day)
        answer = file_answer(
            request,
            lambda period: documents.aged_document(side, company, period.date_to),
            context,
        )
        if answer:
            return answer
        report = rc.aged_report(side, company, context["date_to"])
        statement = "customer_statement" if side is rc.SALES else "supplier_statement"
        context.update(
            report=report,
            bucket_titles=rc.BUCKET_TITLES,
            title=documents.aged_title(report),
            unassigned_label=documents.unassigned_label(report),
            note=documents.aged_note(report),
            statement_url=f"reports:{statement}",
            statement_query=urlencode(
                {
                    "from": report.as_of.replace(month=1, day=1).isoformat(),
                    "to": report.as_of.isoformat(),
                }
            ),
        )
        return render(request, "reports/aged.html", context)

    return view


aged_receivables = aged_view(rc.SALES, "reports:aged_receivables")
aged_payables = aged_view(rc.PURCHASES, "reports:aged_payables")


def chosen_party(request: HttpRequest, company: m.Company, side):
    """The customer (supplier) of ``?party=``, or None when none (or no such one) is chosen."""
    key = request.GET.get("party", "").strip()
    if not key:
        return None
    try:
        return rc.party_model(side).objects.filter(company=company, pk=key).first()
    except (ValueError, ValidationError):
        return None


def statement_view(side, url_name: str):
    @require_GET
    def view(request: HttpRequest, company_id) -> HttpResponse:
        company = get_company(company_id)
        party = chosen_party(request, company, side)
        keep = {"party": str(party.pk)} if party else {}
        context = report_context(request, company, url_name, keep=keep)
        if party is not None:
            answer = file_answer(
                request,
                lambda period: documents.statement_document(side, party, period),
                context,
            )
            if answer:
                return answer
            report = rc.statement(side, party, context["period"])
            context.update(report=report, title=documents.statement_title(report))
        else:
            context["title"] = (
                _("Customer statement") if side is rc.SALES else _("Supplier statement")
            )
        context.update(
            party=party,
            parties=rc.party_model(side).objects.filter(company=company).order_by("name"),
            is_customer=side is rc.SALES,
        )
        return render(request, "reports/statement.html", context)

    return view


customer_statement = statement_view(rc.SALES, "reports:customer_statement")
supplier_statement = statement_view(rc.PURCHASES, "reports:supplier_statement")


@require_GET
def tax_summary(request: HttpRequest, company_id) -> HttpResponse:
    company = get_company(company_id)
    context = report_context(request, company, "reports:tax_summary", default=quarter_of)
    answer = file_answer(request, lambda period: documents.tax_document(company, period), context)
    if answer:
        return answer
    report = tx.tax_summary(company, context["period"])
    year = context["date_to"].year
    context.update(
        report=report,
        sections=report.sections(),
        result_label=documents.result_label(),
        note=documents.tax_note(),
        quarters=[
            {
                "label": _("Q%(number)s %(year)s") % {"number": n, "year": year},
                "query": urlencode(
                    {
                        "from": quarter.date_from.isoformat(),
                        "to": quarter.date_to.isoformat(),
                    }
                ),
                "active": quarter == context["period"],
            }
            for n, quarter in (
                (n, tx.quarter_of(datetime.date(year, 3 * n, 1))) for n in range(1, 5)
            )
        ],
    )
    return render(request, "reports/tax_summary.html", context)
