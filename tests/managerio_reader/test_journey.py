"""A person who keeps their books in Manager.io brings them to Partida in Chromium, in Spanish."""

import re

import pytest
from playwright.sync_api import expect

from partida.books import models as m

pytestmark = pytest.mark.browser


def test_a_manager_business_imported_in_spanish_shows_manager_figures_on_its_summary(
    page, settings, tmp_path, sale_and_partial_receipt
):
    settings.PARTIDA_JOBS_IN_THREADS = True  # the real progress screen, as a user sees it
    path, _keys = sale_and_partial_receipt
    page.goto("/")
    page.locator("#language-select").select_option("es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("link", name="Importar empresa").click()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Continuar").click()

    # No business details in this file: Manager names a business by its file.
    expect(page.locator("#preview-company")).to_have_text("Ferretería (EUR)")
    expect(page.get_by_label("Nombre de la nueva empresa")).to_have_value("Ferretería")
    expect(page.locator("#preview-dates")).to_have_text("del 06/05/2025 al 07/05/2025")
    expect(page.locator("tr[data-kind=SalesInvoice] td.num")).to_have_text("1")
    expect(page.locator("tr[data-kind=Receipt] td.num")).to_have_text("1")
    page.screenshot(path=tmp_path / "preview.png", full_page=True)
    page.get_by_label("Nombre de la nueva empresa").fill("Ferretería López (de Manager)")
    page.get_by_role("button", name="Importar", exact=True).click()

    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]+/$"), timeout=30_000)
    company = m.Company.objects.get(name="Ferretería López (de Manager)")
    assert page.url.rstrip("/").endswith(str(company.pk))
    statements = page.locator(".statements")
    # Manager's figures: 37,25 of sales, 20,00 in the bank, 20,98 still owed.
    expect(statements).to_contain_text("37,25")
    expect(statements).to_contain_text("20,98")
    expect(statements.locator(".income, section", has_text="Ventas").first).to_contain_text("37,25")
    page.screenshot(path=tmp_path / "summary.png", full_page=True)
