"""The reports in Chromium, in Spanish, as an accountant goes through them."""

import os

import pytest

from partida.reports import ledger_reports as r
from partida.reports.formatting import format_amount
from tests.reports.conftest import SPRING

pytestmark = pytest.mark.browser
QUERY = f"?from={SPRING.date_from.isoformat()}&to={SPRING.date_to.isoformat()}"
SHOTS = os.environ.get("PARTIDA_SCREENSHOTS")  # a folder, to look at the screens


@pytest.fixture
def es_page(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_from_the_chart_of_accounts_to_an_accounts_movements_and_its_form(es_page, demo):
    es_page.goto(f"/c/{demo.pk}/")
    es_page.locator("nav.tabs").get_by_role("link", name="Plan de cuentas").click()
    es_page.locator("table.list").get_by_role("link", name="5720", exact=True).click()
    assert es_page.locator("h1").inner_text().startswith("Movimientos: 5720 ")
    assert es_page.locator("nav.tabs .tab.active").inner_text() == "Informes"
    first = es_page.locator("table.report-table tbody tr").first
    assert "Saldo inicial" in first.inner_text()
    headings = es_page.locator("table.report-table thead th").all_inner_texts()
    assert [h.strip().lower() for h in headings] == [
        "fecha",
        "transacción",
        "descripción",
        "debe",
        "haber",
        "saldo",
    ]
    shot(es_page, "movements")
    # The record behind a movement is a click away, and so is the account's form.
    es_page.locator("table.report-table tbody a").first.click()
    assert es_page.locator("form").count() >= 1
    es_page.go_back()
    es_page.get_by_role("link", name="Editar la cuenta").click()
    assert es_page.locator("input[name=code]").input_value() == "5720"


def test_the_trial_balance_totals_agree_on_screen(es_page, demo):
    es_page.goto(f"/c/{demo.pk}/reports/{QUERY}")
    assert es_page.locator("h1").inner_text() == "Informes"
    es_page.get_by_role("link", name="Sumas y saldos").first.click()
    assert es_page.locator("h1").inner_text() == "Sumas y saldos"
    totals = es_page.locator("table.report-table tfoot td").all_inner_texts()
    report = r.trial_balance(demo, SPRING)
    from django.utils import translation

    with translation.override("es"):
        debit = format_amount(report.debit)
    assert totals[1] == totals[2] == debit  # Debe = Haber, "123.456,78"
    assert totals[3] == totals[4]
    # Amounts line up on the right of their columns.
    cells = es_page.locator("table.report-table tbody tr:first-child td.num")
    assert cells.first.evaluate("e => getComputedStyle(e).textAlign") in ("right", "end")
    shot(es_page, "trial-balance")
    # An account's line opens its movements for the same period.
    es_page.locator("table.report-table tbody a").first.click()
    assert es_page.locator("h1").inner_text().startswith("Movimientos: ")
    assert es_page.locator("#period-from").input_value() == SPRING.date_from.isoformat()


def test_the_journal_and_the_ledger_page_on_in_spanish(es_page, demo):
    es_page.goto(f"/c/{demo.pk}/reports/journal/{QUERY}")
    assert es_page.locator(".entry-head").first.inner_text().startswith("1\t")
    assert "Página 1 de" in es_page.locator(".pagination").inner_text()
    shot(es_page, "journal")
    es_page.get_by_role("link", name="Siguiente ›").click()
    assert "Página 2 de" in es_page.locator(".pagination").inner_text()
    es_page.get_by_role("link", name="Libro mayor").click()
    assert es_page.locator("h1").inner_text() == "Libro mayor"
    assert es_page.locator(".ledger-account h2").count() >= 1
    shot(es_page, "general-ledger")
    es_page.get_by_role("link", name="Pérdidas y ganancias").first.click()
    heads = es_page.locator("table.compared thead th").all_inner_texts()
    assert heads[1:] == ["10/03/2025 – 20/06/2025", "27/11/2024 – 09/03/2025"]
    shot(es_page, "profit-and-loss")
