"""A sales invoice with taxes and its first receipt, as a person does them in Chromium in Spanish
against a real ``partida serve``: lines at 21 % and 10 % typed as "1.234,56", the live tax and
total, saving (the number and the state), then Registrar un cobro from the invoice's own button
for part of what is due, and the list saying Parcialmente pagada.

A screenshot of each screen goes to /tmp/shots/ for a person to look at.
"""

import datetime
import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.serving import Server

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
YEAR = datetime.date.today().year


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("invoice-journey-home")
    server = Server(home)
    yield server, home
    server.stop()


def saved(home, query: str, *args) -> list[tuple]:
    with sqlite3.connect(home / "partida.sqlite3") as connection:
        return connection.execute(query, args).fetchall()


def choose(select, starting: str) -> None:
    """Pick the option whose label starts with ``starting`` ("700", "IVA 21 %")."""
    label = select.locator("option", has_text=re.compile(rf"^\s*{re.escape(starting)}")).first
    select.select_option(label=label.inner_text().strip())


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_invoice_with_two_rates_then_a_partial_receipt_in_spanish(browser, server):
    server, home = server
    context = browser.new_context(base_url=server.url, locale="es-ES")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/companies/add/")
    page.get_by_label("Nombre").fill("Ferretería Núñez")
    page.get_by_label("Moneda base").fill("EUR")
    page.get_by_role("button", name="Añadir empresa").click()
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}/$"))
    company = re.search(r"/c/([0-9a-f-]{36})/", page.url).group(1)
    page.goto(f"/c/{company}/customer/add/")
    page.locator("input[name=name]").fill("Ana Peña")
    page.locator(".form-actions button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()

    page.goto(f"/c/{company}/sales_invoice/add/")
    page.locator("select[name=customer]").select_option(label="Ana Peña")
    rows = page.locator("tr.line")
    for index, (quantity, tax_name) in enumerate((("1", "IVA 21 %"), ("2", "IVA 10 %"))):
        row = rows.nth(index)
        choose(row.locator("select[name$='-account']"), "700")
        row.locator("input[name$='-quantity']").fill(quantity)
        row.locator("input[name$='-unit_price']").fill("1.234,56")
        choose(row.locator("select[name$='-tax_code']"), tax_name)
    # Each line's tax as saving works it out, half a cent up: 259,2576 and 246,912.
    expect(rows.nth(0).locator("output[data-line=tax]")).to_have_text("259,26")
    expect(rows.nth(1).locator("output[data-line=amount]")).to_have_text("2.469,12")
    expect(rows.nth(1).locator("output[data-line=tax]")).to_have_text("246,91")
    breakdown = page.locator("[data-breakdown]")
    expect(breakdown).to_contain_text("IVA 21 %")
    expect(breakdown).to_contain_text("IVA 10 %")
    expect(page.locator("output[data-total=tax]")).to_have_text("506,17")
    expect(page.locator("output[data-total=document]")).to_have_text("4.209,85")
    shown = [rows.nth(i).locator("output[data-line=tax]").inner_text() for i in (0, 1)]
    shot(page, "invoice-new")

    page.locator(".form-actions button[type=submit]").click()
    number = f"F{YEAR}-0001"
    expect(page.locator(".message.success")).to_have_text(f"Guardada: factura {number}.")
    # The page's taxes are the saved ones, to the cent.
    taxes = saved(
        home,
        "SELECT CAST(tax_amount AS TEXT) FROM books_salesinvoiceline ORDER BY position",
    )
    assert [Decimal(value) for (value,) in taxes] == [Decimal("259.26"), Decimal("246.91")]
    assert [value.replace(",", ".") for value in shown] == ["259.26", "246.91"]
    row = page.locator("table.list tbody tr", has_text=number)
    expect(row).to_contain_text("4.209,85")
    expect(row.locator(".state")).to_have_text("Emitida")
    shot(page, "invoices-issued")

    row.get_by_role("link", name=number).click()
    expect(page.locator("h1")).to_have_text(f"Factura de venta {number}")
    expect(page.locator(".field-number output")).to_have_text(number)
    expect(page.locator(".invoice-status")).to_contain_text("4.209,85")
    page.get_by_role("link", name="Registrar un cobro").click()

    # The receipt comes for Ana, with one line paying what is due on the invoice.
    expect(page.locator("select[name=customer] option:checked")).to_have_text("Ana Peña")
    line = page.locator("tr.line").first
    expect(line.locator("select[name$='-invoice'] option:checked")).to_contain_text(number)
    expect(line.locator("input[name$='-amount']")).to_have_value("4.209,85")
    expect(line.locator("select[name$='-account']")).to_be_disabled()
    expect(line.locator("select[name$='-tax_code']")).to_be_disabled()
    page.locator("select[name=bank_account]").select_option(label="Banco")
    line.locator("input[name$='-amount']").fill("1.000,00")
    expect(page.locator("output[data-total=document]")).to_have_text("1.000,00")
    shot(page, "receipt-for-invoice")
    page.locator(".form-actions button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()

    page.goto(f"/c/{company}/sales_invoice/")
    row = page.locator("table.list tbody tr", has_text=number)
    expect(row.locator(".state")).to_have_text("Parcialmente pagada")
    expect(row).to_contain_text("3.209,85")
    shot(page, "invoices-partly-paid")
    context.close()
