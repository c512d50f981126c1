"""The reports as a person gets them: screens, CSV files a spreadsheet opens, PDF files, and
the account lines that open an account's movements."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from partida.books import actions
from partida.books import models as m
from partida.reports import documents
from partida.reports import ledger_reports as r
from tests.reports.conftest import SPRING

QUERY = f"?from={SPRING.date_from.isoformat()}&to={SPRING.date_to.isoformat()}"


def url(name: str, company, **kwargs) -> str:
    return reverse(name, kwargs={"company_id": company.pk, **kwargs})


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads it as UTF-8
    first = text[1:].split("\r\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter)), delimiter


def test_a_spanish_trial_balance_csv_opens_in_a_spanish_spreadsheet(client, demo):
    response = client.get(
        url("reports:trial_balance", demo) + QUERY + "&format=csv", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows, delimiter = csv_rows(response)
    assert delimiter == ";"
    assert rows[0] == [
        "Código",
        "Cuenta",
        "Saldo inicial",
        "Debe",
        "Haber",
        "Saldo deudor",
        "Saldo acreedor",
    ]
    report = r.trial_balance(demo, SPRING)
    totals = rows[-1]
    assert totals[1] == "Totales"
    # Decimal comma, no thousands separator: "12345,67" is a number to a Spanish spreadsheet.
    assert "." not in totals[3] and "," in totals[3]
    assert Decimal(totals[3].replace(",", ".")) == report.debit
    assert Decimal(totals[4].replace(",", ".")) == report.credit
    assert len(rows) == len(report.lines) + 2


def test_an_english_general_ledger_csv_uses_commas_and_decimal_points(client, demo):
    response = client.get(
        url("reports:general_ledger", demo) + QUERY + "&format=csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows, delimiter = csv_rows(response)
    assert delimiter == ","
    assert rows[0][:3] == ["Account", "Account name", "Date"]
    movements = [row for row in rows[1:] if row[2]]
    assert (
        len(movements)
        == m.LedgerEntry.objects.filter(
            company=demo, date__gte=SPRING.date_from, date__lte=SPRING.date_to
        ).count()
    )
    assert all(row[2][:4] == "2025" and row[2][4] == "-" for row in movements)  # ISO dates
    debit = sum(Decimal(row[7]) for row in movements if row[7])
    assert debit == r.trial_balance(demo, SPRING).debit


def test_the_journal_csv_repeats_each_entry_on_its_postings(client, demo):
    response = client.get(
        url("reports:journal", demo) + QUERY + "&format=csv", HTTP_ACCEPT_LANGUAGE="es"
    )
    rows, _delimiter = csv_rows(response)
    assert rows[0][:5] == ["N.º", "Fecha", "Transacción", "Referencia", "Descripción"]
    postings = rows[1:-1]
    numbers = sorted({int(row[0]) for row in postings})
    assert numbers == list(range(1, len(numbers) + 1))
    debit = sum(Decimal(row[7].replace(",", ".")) for row in postings if row[7])
    credit = sum(Decimal(row[8].replace(",", ".")) for row in postings if row[8])
    assert debit == credit == r.trial_balance(demo, SPRING).debit


@pytest.mark.parametrize("name", ["trial_balance", "general_ledger", "journal", "profit_and_loss"])
def test_every_report_is_a_pdf_too(client, demo, name):
    response = client.get(
        url(f"reports:{name}", demo) + QUERY + "&format=pdf", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert ".pdf" in response["Content-Disposition"]


def test_a_pdf_too_long_to_make_is_refused_in_a_sentence(client, demo, monkeypatch):
    monkeypatch.setattr(documents, "MAX_PDF_ROWS", 10)
    response = client.get(
        url("reports:journal", demo) + QUERY + "&format=pdf",
        HTTP_ACCEPT_LANGUAGE="es",
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain and "application/pdf" not in response["Content-Type"]
    assert "demasiadas para un PDF" in page and "descarga el archivo CSV" in page


def test_the_account_movements_pdf_says_the_account_and_its_balances(demo):
    account = m.Account.objects.get(company=demo, code="5720")
    with translation.override("es"):
        document = documents.account_movements_document(account, SPRING)
        rows = list(document.rows)
    assert rows[0].cells[3] == "Saldo inicial"
    assert rows[-1].style == "total"
    assert rows[-1].cells[-1] == r.balance_before(account.pk, r.after(SPRING.date_to))
    document.rows = rows
    assert documents.pdf_bytes(document).startswith(b"%PDF")


def test_accounts_open_their_movements_from_the_chart_and_the_summary(client, demo):
    account = m.Account.objects.get(company=demo, code="5720")
    movements = url("reports:account_movements", demo, account_id=account.pk)
    chart = client.get(url("books:record_list", demo, kind="account")).content.decode()
    assert f'href="{movements}"' in chart
    summary = client.get(url("books:summary", demo) + QUERY).content.decode()
    assert f'href="{movements}{QUERY.replace("&", "&amp;")}"' in summary
    page = client.get(movements + QUERY, HTTP_ACCEPT_LANGUAGE="es")
    html = page.content.decode()
    assert f"Movimientos: 5720 {account.name}" in html
    edit = url("books:record_edit", demo, kind="account", pk=account.pk)
    assert f'href="{edit}"' in html and "Editar la cuenta" in html
    report = page.context["report"]
    assert report.movements and report.opening == r.balance_before(account.pk, SPRING.date_from)


def test_another_companys_account_is_not_found(client, demo):
    other = actions.do_create_company("Otra S.L.", "EUR", "es")
    account = m.Account.objects.filter(company=other).first()
    response = client.get(url("reports:account_movements", demo, account_id=account.pk))
    assert response.status_code == 404


def test_the_report_screens_default_to_the_summarys_period_and_page_on(client, demo):
    response = client.get(url("reports:journal", demo), HTTP_ACCEPT_LANGUAGE="es")
    assert response.context["period"] == r.Period(
        response.context["date_from"], response.context["date_to"]
    )
    summary = client.get(url("books:summary", demo))
    assert response.context["date_from"] == summary.context["date_from"]
    assert response.context["date_to"] == summary.context["date_to"]
    html = response.content.decode()
    assert "Libro diario" in html and "Página 1 de" in html
    second = client.get(url("reports:journal", demo) + "?" + response.context["next_query"])
    assert second.context["report"].entries[0].number == len(response.context["report"].entries) + 1


def test_the_reports_tab_is_among_the_companys_tabs(client, demo):
    html = client.get(url("books:summary", demo), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f'href="{url("reports:index", demo)}"' in html and "Informes" in html
