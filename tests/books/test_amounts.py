"""Amounts typed as people write them, read by their language's rules (Babel), on the server
and in the page's live totals, the same way."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from partida.books import models as m
from partida.books.numbers import format_money, format_number, parse_number
from tests.backups.conftest import make_company

SPELLINGS = {
    "es": ["1234,56", "1.234,56", "1 234,56", "1\u00a0234,56"],
    "en": ["1234.56", "1,234.56"],
}
REFUSED = {
    "es": ["1.50", "1,234.56", "1234.56", "12,3,4"],
    "en": ["1.234,56", "1234,56", "1,23.4"],
}


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang, texts in SPELLINGS.items() for text in texts]
)
def test_every_spelling_of_a_language_reads_as_the_same_amount(language, text):
    assert parse_number(text, language) == Decimal("1234.56")


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang, texts in REFUSED.items() for text in texts]
)
def test_a_spelling_another_language_uses_is_refused_not_guessed(language, text):
    with pytest.raises(ValueError):
        parse_number(text, language)


def test_an_ambiguous_entry_is_read_by_the_language_s_rules():
    assert parse_number("1.500", "es") == Decimal("1500")
    assert parse_number("1.500", "en") == Decimal("1.500")


def test_numbers_are_shown_with_the_decimals_they_have_where_that_is_asked():
    assert format_number(Decimal("1336.3500"), None, "es") == "1.336,35"
    assert format_number(Decimal("6.0000"), None, "es") == "6"
    assert format_number(Decimal("10471.46"), 2, "es") == "10.471,46"
    assert format_number(Decimal("10471.46"), 2, "en") == "10,471.46"


def test_a_price_shows_its_cents_and_any_finer_decimals_it_has():
    assert format_number(Decimal("526.1000"), None, "es", at_least=2) == "526,10"
    assert format_number(Decimal("0.0125"), None, "es", at_least=2) == "0,0125"
    assert format_money(Decimal("0.0125"), "EUR", "es", exact=True) == "0,0125\u00a0€"
    assert format_money(Decimal("526.1000"), "EUR", "en", exact=True) == "€526.10"
    assert format_money(Decimal("0.0125"), "EUR", "en") == "€0.01"


def test_an_invoice_line_shows_its_price_with_cents_and_its_quantity_as_it_is(client, db):
    company = make_company()
    invoice = m.SalesInvoice.objects.filter(company=company).first()
    line = invoice.lines.first()
    m.SalesInvoiceLine.objects.filter(pk=line.pk).update(
        quantity=Decimal("6"), unit_price=Decimal("526.1")
    )
    client.cookies["django_language"] = "es"
    page = client.get(
        reverse("books:record_edit", args=[company.pk, "sales_invoice", invoice.pk])
    ).content.decode()
    assert 'value="526,10"' in page and 'value="6"' in page


def receipt_form(company) -> dict:
    bank = m.BankAccount.objects.filter(company=company).first()
    sales = (
        m.Account.objects.get(company=company, code="7000")
        if m.Account.objects.filter(company=company, code="7000").exists()
        else m.Account.objects.filter(company=company, kind="income").first()
    )
    return {
        "date": "2025-03-01",
        "reference": "",
        "bank_account": str(bank.pk),
        "customer": "",
        "description": "Venta",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-account": str(sales.pk),
        "lines-0-description": "",
    }


@pytest.mark.parametrize(
    ("language", "text"), [(lang, text) for lang, texts in SPELLINGS.items() for text in texts]
)
def test_a_receipt_saves_the_amount_as_written(client, db, language, text):
    company = make_company()
    form = receipt_form(company) | {"lines-0-amount": text}
    url = reverse("books:record_add", kwargs={"company_id": company.pk, "kind": "receipt"})
    page = client.post(url, form, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 302, page.content.decode()[:2000]
    saved = m.ReceiptLine.objects.filter(receipt__company=company, amount=Decimal("1234.56"))
    assert saved.count() == 1


def test_a_number_the_language_does_not_write_says_how_to_write_it(client, db):
    company = make_company()
    form = receipt_form(company) | {"lines-0-amount": "1,234.56"}
    url = reverse("books:record_add", kwargs={"company_id": company.pk, "kind": "receipt"})
    page = client.post(url, form, HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 400  # the form again, with what was typed and the sentence
    html = page.content.decode()
    assert "escríbelo como 1.234,56" in html and 'value="1,234.56"' in html


@pytest.mark.browser
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_live_total_reads_each_spelling_as_the_server_saves_it(browser, live_server, language):
    company = make_company()
    context = browser.new_context(base_url=live_server.url, locale=language)
    page = context.new_page()
    page.goto("/")
    page.locator("#language-select").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    shown = format_number(Decimal("1234.56"), 2, language)
    for text in SPELLINGS[language]:
        page.goto(f"/c/{company.pk}/receipt/add/")
        page.locator("select[name=bank_account]").select_option(index=1)
        page.locator("select[name$='-account']").first.select_option(index=1)
        page.locator("input[name$='-amount']").first.fill(text)
        expect(page.locator('output[data-total="document"]')).to_have_text(shown)
        page.locator("button[type=submit].primary").first.click()
        expect(page.locator(".message")).to_be_visible()
    saved = m.ReceiptLine.objects.filter(receipt__company=company, amount=Decimal("1234.56"))
    assert saved.count() >= len(SPELLINGS[language])
    context.close()
