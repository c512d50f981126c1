"""The balance the customers and suppliers lists show for each party is what the aged
receivables and payables say that party owes, or is owed, today."""

import datetime

from django.urls import reverse

from partida.books import models as m
from partida.books.invoices import PURCHASES, SALES, party_balances
from partida.books.numbers import format_number
from partida.reports import receivables as rc
from tests.reports.books import make_books


def aged_totals(side, company) -> dict:
    report = rc.aged_report(side, company, datetime.date.today())
    return {line.party_id: line.total for line in report.lines}


def test_each_party_s_balance_is_its_line_of_the_aged_report(db):
    company = make_books().company
    for side, model in ((SALES, m.Customer), (PURCHASES, m.Supplier)):
        parties = list(model.objects.filter(company=company).values_list("id", flat=True))
        balances = party_balances(side, company, parties)
        aged = aged_totals(side, company)
        assert {k: v for k, v in balances.items() if v} == aged
        assert any(aged.values())


def test_the_customers_list_shows_each_balance(client, db, settings):
    settings.LANGUAGE_CODE = "es"
    books = make_books()
    page = client.get(
        reverse("books:record_list", kwargs={"company_id": books.company.pk, "kind": "customer"}),
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    assert "Saldo" in page
    for party_id, total in aged_totals(SALES, books.company).items():
        assert format_number(total, 2, "es") in page, party_id


def test_a_customer_s_form_links_to_their_statement(client, db):
    books = make_books()
    form = client.get(
        reverse(
            "books:record_edit",
            kwargs={"company_id": books.company.pk, "kind": "customer", "pk": books.ana.pk},
        ),
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    link = (
        reverse("reports:customer_statement", kwargs={"company_id": books.company.pk})
        + f"?party={books.ana.pk}"
    )
    assert f'href="{link}">Extracto de cuenta</a>' in form
    statement = client.get(link, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ana Gómez" in statement
