"""An amount typed the way a person of each language writes it is saved as that amount, and shown
one way everywhere: the live total, the list, the Summary and the invoice PDF.

A real ``partida serve`` (the desktop edition on SQLite, as ``scripts/run`` starts it), driven by
Chromium in Spanish and in English. Each accepted spelling goes into a receipt, a sales invoice
and a journal entry; the saved value is read back from the database file itself.
"""

import datetime
import io
import re
import sqlite3
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.serving import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NBSP = "\u00a0"
AMOUNT = Decimal("1234.56")

# What a person writes, by language: the program's own display ("1.234,56"), the same with a
# space (normal and non-breaking) for thousands, and no grouping at all.
SPELLINGS = {
    "es": ["1234,56", "1.234,56", "1 234,56", f"1{NBSP}234,56"],
    "en": ["1234.56", "1,234.56"],
}
BROWSER_LOCALE = {"es": "es-ES", "en": "en-US"}
# How each language shows the amount alone and as money (CLDR, through Babel: Spanish keeps
# the euro sign on the same line as its amount with a non-breaking space).
NUMBER = {"es": "1.234,56", "en": "1,234.56"}
MONEY = {"es": f"1.234,56{NBSP}€", "en": "€1,234.56"}
# The same amount times the number of spellings: what each account of the Summary must show.
TOTALS = {
    "es": {"number": "4.938,24", "money": f"4.938,24{NBSP}€", "double": f"9.876,48{NBSP}€"},
    "en": {"number": "2,469.12", "money": "€2,469.12", "double": "€4,938.24"},
}
# The accounts each chart gives sales, services, rent, loans, the bank and the customers.
CODES = {
    "es": {
        "sales": "700",
        "services": "705",
        "rent": "621",
        "loans": "520",
        "bank": "5720",
        "customers": "430",
    },
    "en": {
        "sales": "4000",
        "services": "4100",
        "rent": "5200",
        "loans": "2200",
        "bank": "1700",
        "customers": "1200",
    },
}
# Where each kind keeps the typed amount: (table, column) pairs.
TYPED_AMOUNTS = {
    "receipt": [("books_receiptline", "amount")],
    "sales_invoice": [("books_salesinvoiceline", "unit_price")],
    "journal_entry": [("books_journalentryline", "debit"), ("books_journalentryline", "credit")],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("amounts-home")
    server = Server(home)
    yield server, home
    server.stop()


def open_page(browser, url: str, language: str):
    context = browser.new_context(base_url=url, locale=BROWSER_LOCALE[language])
    context.set_default_timeout(30_000)
    return context.new_page()


def saved_values(home, company_name: str, kind: str) -> list[Decimal]:
    """The non-zero typed amounts of the company's records of this kind, from the database."""
    values = []
    with sqlite3.connect(home / "partida.sqlite3") as connection:
        for table, column in TYPED_AMOUNTS[kind]:
            rows = connection.execute(
                f"SELECT CAST(line.{column} AS TEXT) FROM {table} AS line "
                "JOIN books_company AS company ON company.id = line.company_id "
                f"WHERE company.name = ? AND line.{column} != 0",
                (company_name,),
            ).fetchall()
            values += [Decimal(value) for (value,) in rows]
    return values


def add_company(page, name: str, language: str) -> str:
    page.goto("/companies/add/")
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=base_currency]").fill("EUR")
    page.locator("select[name=chart_language]").select_option(language)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}/$"))
    return re.search(r"/c/([0-9a-f-]{36})/", page.url).group(1)


def save(page) -> None:
    page.locator(".form-actions button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()
    assert not page.locator(".errorlist, .alert.error").count(), page.inner_text("main")


def choose_account(page, index: int, code: str) -> None:
    select = page.locator("select[name$='-account']").nth(index)
    label = select.locator("option", has_text=re.compile(rf"^\s*{code}\b")).first.inner_text()
    select.select_option(label=label.strip())


def add_receipt(page, company: str, spelling: str, number: int) -> None:
    page.goto(f"/c/{company}/receipt/add/")
    page.locator("input[name=reference]").fill(f"C-{number}")
    page.locator("select[name=bank_account]").select_option(index=1)
    choose_account(page, 0, CODES[current(page)]["sales"])
    page.locator("input[name$='-amount']").first.fill(spelling)
    expect(page.locator("output[data-total=document]")).to_have_text(NUMBER[current(page)])
    save(page)


def add_invoice(page, company: str, spelling: str, number: int) -> None:
    page.goto(f"/c/{company}/sales_invoice/add/")
    page.locator("input[name=reference]").fill(f"F-{number}")
    page.locator("select[name=customer]").select_option(index=1)
    choose_account(page, 0, CODES[current(page)]["services"])
    page.locator("input[name$='-quantity']").first.fill("1")
    page.locator("input[name$='-unit_price']").first.fill(spelling)
    expect(page.locator("output[data-total=document]")).to_have_text(NUMBER[current(page)])
    save(page)


def add_journal_entry(page, company: str, spelling: str, number: int) -> None:
    page.goto(f"/c/{company}/journal_entry/add/")
    page.locator("input[name=reference]").fill(f"A-{number}")
    choose_account(page, 0, CODES[current(page)]["rent"])
    page.locator("input[name$='-debit']").nth(0).fill(spelling)
    choose_account(page, 1, CODES[current(page)]["loans"])
    page.locator("input[name$='-credit']").nth(1).fill(spelling)
    for side in ("debit", "credit"):
        expect(page.locator(f"output[data-total={side}]")).to_have_text(NUMBER[current(page)])
    save(page)


def current(page) -> str:
    return page.locator("html").get_attribute("lang")[:2]


def summary_figure(page, label: str) -> str:
    row = page.locator(".statements tr", has_text=re.compile(rf"^\s*{re.escape(label)}")).first
    return row.locator("td.num").last.inner_text().strip()


def pdf_text(page, company: str, invoice_reference: str) -> str:
    page.goto(f"/c/{company}/sales_invoice/")
    row = page.locator("table.list tbody tr").filter(
        has=page.get_by_role("cell", name=invoice_reference, exact=True)
    )
    row.locator("a").first.click()
    link = page.locator("a[href$='/pdf/']")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


@pytest.mark.parametrize("language", ["es", "en"])
def test_each_spelling_is_saved_as_written_and_shown_one_way(browser, server, language):
    server, home = server
    page = open_page(browser, server.url, language)
    name = f"Importes {language} S.L."
    company = add_company(page, name, language)
    assert current(page) == language

    page.goto(f"/c/{company}/customer/add/")
    page.locator("input[name=name]").fill("Ana Peña")
    page.locator(".form-actions button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()

    spellings = SPELLINGS[language]
    for number, spelling in enumerate(spellings, start=1):
        add_receipt(page, company, spelling, number)
        add_invoice(page, company, spelling, number)
        add_journal_entry(page, company, spelling, number)

    # Saved exactly as the amount the person meant, whichever way it was written.
    for kind, places in TYPED_AMOUNTS.items():
        assert saved_values(home, name, kind) == [AMOUNT] * len(spellings) * len(places), kind

    # Every list shows the same amount the same way, once per spelling (the currency is in the
    # column's heading).
    for kind in TYPED_AMOUNTS:
        page.goto(f"/c/{company}/{kind}/")
        amounts = page.locator("table.list tbody td.num").all_inner_texts()
        # An invoice's row has its total and its balance due, nothing paid yet.
        per_row = 2 if kind == "sales_invoice" else 1
        assert amounts == [NUMBER[language]] * per_row * len(spellings), kind
        expect(page.locator("table.list thead th.num").first).to_contain_text("(EUR)")

    page.goto(f"/c/{company}/")
    totals = TOTALS[language]
    # Sales, services, rent, loans, the bank and the customers' account.
    for code in CODES[language].values():
        assert summary_figure(page, code) == totals["number"], code
    total_income = {"es": "Total ingresos", "en": "Total income"}[language]
    total_expenses = {"es": "Total gastos", "en": "Total expenses"}[language]
    net_profit = {"es": "Beneficio neto", "en": "Net profit"}[language]
    total_assets = {"es": "Total activo", "en": "Total assets"}[language]
    assert summary_figure(page, total_assets) == totals["double"]
    assert summary_figure(page, total_income) == totals["double"]
    assert summary_figure(page, total_expenses) == totals["money"]
    assert summary_figure(page, net_profit) == totals["money"]

    # The invoice the customer gets says the same, in the company's language.
    text = pdf_text(page, company, f"F{datetime.date.today().year}-0001")
    # The unit price, the line's amount, its base among the taxes, and the total.
    assert text.count(MONEY[language]) == 4, text
    assert "EUR" not in text, text
    page.context.close()
