"""Closing a year in Chromium, in Spanish, against a real ``partida serve``: a small bakery
sells and pays rent in 2025, closes the year from the Summary, finds the closing entry in
Journal entries and the lock date in the company's details."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.serving import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NBSP = "\u00a0"
SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("close-year-home"))
    yield server
    server.stop()


@pytest.fixture
def spanish_page(browser, server):
    context = browser.new_context(base_url=server.url, locale="es-ES")
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def choose_account(page, code: str) -> None:
    select = page.locator("select[name$='-account']").first
    label = select.locator("option", has_text=re.compile(rf"^\s*{code}\b")).first.inner_text()
    select.select_option(label=label.strip())


def add_transaction(page, company: str, kind: str, day: str, code: str, amount: str) -> None:
    page.goto(f"/c/{company}/{kind}/add/")
    page.locator("input[name=date]").fill(day)
    page.locator("select[name=bank_account]").select_option(index=1)
    choose_account(page, code)
    page.locator("input[name$='-amount']").first.fill(amount)
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".message.success")).to_be_visible()


def test_close_a_year_and_find_its_entry_and_the_lock_date(spanish_page):
    page = spanish_page
    SHOTS.mkdir(exist_ok=True)
    page.goto("/companies/add/")
    page.get_by_label("Nombre").fill("Panadería Sol")
    page.get_by_role("button", name="Añadir empresa").click()
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}/$"))
    company = re.search(r"/c/([0-9a-f-]{36})/", page.url).group(1)

    add_transaction(page, company, "receipt", "2025-03-10", "700", "1.000,00")
    add_transaction(page, company, "payment", "2025-11-30", "621", "400,00")

    page.goto(f"/c/{company}/")
    page.get_by_role("link", name="Cerrar el ejercicio").click()
    expect(page.get_by_role("heading", name="Cerrar el ejercicio")).to_be_visible()
    page.get_by_label("Ejercicio", exact=True).select_option("2025")
    page.get_by_role("button", name="Mostrar").click()
    result = page.locator("tr.grand-total")
    expect(result).to_contain_text("Beneficio neto")
    expect(result).to_contain_text(f"600,00{NBSP}€")
    lines = page.locator("table.closing-lines tbody tr")
    expect(lines).to_have_count(3)
    expect(lines.filter(has_text="129 Resultado del ejercicio")).to_contain_text("600,00")
    page.screenshot(path=str(SHOTS / "close-year-preview.png"), full_page=True)

    page.get_by_role("button", name="Cerrar el ejercicio 2025").click()
    expect(page.locator(".message.success")).to_contain_text("El ejercicio 2025 está cerrado")
    expect(page.get_by_role("heading", name="Asientos")).to_be_visible()
    row = page.locator("table.list tbody tr").first
    expect(row).to_contain_text("31/12/2025")
    expect(row).to_contain_text("(cierre del ejercicio)")
    expect(row).to_contain_text("Cierre del ejercicio 2025")
    expect(row.locator("td.num")).to_have_text("1.000,00")
    page.screenshot(path=str(SHOTS / "close-year-journal.png"), full_page=True)

    page.goto(f"/c/{company}/details/")
    expect(page.get_by_label("Fecha de bloqueo")).to_have_value("2025-12-31")
    page.get_by_label("Fecha de bloqueo").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "close-year-details.png"), full_page=True)

    # The closed year refuses a new receipt, with the sentence that says what to do.
    page.goto(f"/c/{company}/receipt/add/")
    page.locator("input[name=date]").fill("2025-12-15")
    page.locator("select[name=bank_account]").select_option(index=1)
    choose_account(page, "700")
    page.locator("input[name$='-amount']").first.fill("10,00")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".alert.error")).to_contain_text("Los libros están cerrados hasta")
