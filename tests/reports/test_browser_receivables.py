"""The aged receivables, a customer's statement and the IVA summary in Chromium, in Spanish,
against a real ``partida serve`` holding a demo company: what the screen shows is what
``partida report … --json`` says, and the aged total is the receivable account's balance."""

import json
import os
from decimal import Decimal

import pytest
from django.utils import translation

from partida.reports.formatting import format_amount
from tests.backups.test_cli import partida
from tests.serving import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NAME = "Informes S.L."
SHOTS = "/tmp/shots"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    home = tmp_path_factory.mktemp("receivables-home")
    partida(home, "demo", "--name", NAME, "--size", "small", "--seed", "4")
    server = Server(home)
    yield server, home
    server.stop()


@pytest.fixture
def es_page(browser, served):
    server, _home = served
    context = browser.new_context(base_url=server.url, locale="es-ES")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    yield page
    context.close()


def report_json(home, *args) -> dict:
    return json.loads(partida(home, "report", *args, "--json").stdout)


def spanish(value: str) -> str:
    with translation.override("es"):
        return format_amount(Decimal(value))


def shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_the_aged_receivables_and_a_statement_in_spanish(es_page, served):
    _server, home = served
    es_page.goto("/")
    es_page.get_by_role("link", name=NAME).first.click()
    es_page.locator("nav.tabs").get_by_role("link", name="Informes").click()
    es_page.get_by_role("link", name="Antigüedad de saldos de clientes").first.click()
    assert es_page.locator("h1").inner_text() == "Antigüedad de saldos de clientes"
    as_of = es_page.locator("#period-to").input_value()
    data = report_json(home, "aged-receivables", NAME, "--to", as_of)
    heads = es_page.locator("table.aged thead th").all_inner_texts()
    assert [h.strip().lower() for h in heads] == [
        "cliente",
        "no vencido",
        "1–30 días",
        "31–60 días",
        "61–90 días",
        "más de 90 días",
        "a cuenta",
        "total",
    ]
    total = es_page.locator("table.aged tfoot td").last.inner_text()
    assert total.startswith(spanish(data["totals"]["total"]))
    assert data["totals"]["total"] == data["account_balance"]  # 430 on that day
    assert f"Saldo de la 430: {spanish(data['account_balance'])}" in es_page.locator(
        ".footnote"
    ).inner_text().replace("\u00a0", " ")
    shot(es_page, "aged-receivables")
    first = es_page.locator("table.aged tbody a").first
    name = first.inner_text()
    first.click()
    assert es_page.locator("h1").inner_text() == f"Extracto de cliente: {name}"
    closing = es_page.locator("table.report-table tfoot td").last.inner_text()
    party = next(p for p in data["parties"] if p["name"] == name)
    assert closing.startswith(spanish(party["total"]))
    shot(es_page, "customer-statement")


def test_the_iva_summary_in_spanish(es_page, served):
    _server, home = served
    es_page.goto("/")
    es_page.get_by_role("link", name=NAME).first.click()
    es_page.locator("nav.tabs").get_by_role("link", name="Informes").click()
    es_page.get_by_role("link", name="Resumen de IVA").first.click()
    assert es_page.locator("h1").inner_text() == "Resumen de IVA"
    es_page.get_by_role("link", name="2T 2025").click()
    assert es_page.locator("#period-from").input_value() == "2025-04-01"
    assert es_page.locator("#period-to").input_value() == "2025-06-30"
    data = report_json(home, "tax", NAME, "--from", "2025-04-01", "--to", "2025-06-30")
    heads = es_page.locator("table.tax-summary .section-head th").all_inner_texts()
    assert [h.lower() for h in heads[:2]] == [
        "iva devengado, en ventas",
        "iva deducible, en compras",
    ]
    result = es_page.locator("tr.result").inner_text()
    assert "resultado de la liquidación" in result.lower()
    assert spanish(data["result"]) in result
    shot(es_page, "iva-summary")
