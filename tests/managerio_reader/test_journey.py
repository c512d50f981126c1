"""A person who keeps their books in Manager.io brings them to Partida in Chromium, in Spanish:
a backup with attachments (.manager.tar), written by the tests' own Manager writer."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from partida.attachments.models import Attachment
from partida.books import models as m
from partida.books.numbers import format_number
from tests.managerio.fixtures import small_spanish
from tests.managerio.writer import AR

pytestmark = pytest.mark.browser


def test_a_manager_business_imported_in_spanish_shows_manager_figures_on_its_summary(
    page, settings, tmp_path
):
    settings.PARTIDA_JOBS_IN_THREADS = True  # the real progress screen, as a user sees it
    business = small_spanish(tmp_path)
    path = business.write_tar(tmp_path / "Taller Ruiz.manager.tar")
    expected = business.expected()
    page.goto("/")
    page.locator("#language-select").select_option("es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("link", name="Importar empresa").click()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Continuar").click()

    expect(page.locator("#preview-company")).to_have_text("Taller Ruiz (EUR)")
    expect(page.locator("#preview-dates")).to_have_text("del 01/04/2025 al 25/04/2025")
    expect(page.locator("tr[data-kind=SalesInvoice] td.num")).to_have_text("3")
    expect(page.locator("tr[data-kind=Attachment] td.num")).to_have_text("1")
    page.screenshot(path=tmp_path / "preview.png", full_page=True)
    page.get_by_label("Nombre de la nueva empresa").fill("Taller Ruiz (de Manager)")
    page.get_by_role("button", name="Importar", exact=True).click()

    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]+/$"), timeout=30_000)
    company = m.Company.objects.get(name="Taller Ruiz (de Manager)")
    assert page.url.rstrip("/").endswith(str(company.pk))
    statements = page.locator(".statements")
    with translation.override("es"):
        owed = format_number(expected.balance(AR))
        income = format_number(-expected.balance(business.named["repairs"]))
        in_bank = format_number(expected.bank_balances()[business.named["bank"]])
    # Manager's figures, by the writer's own arithmetic: owed, earned and in the bank.
    for figure in (owed, income, in_bank):
        expect(statements).to_contain_text(figure)
    page.screenshot(path=tmp_path / "summary.png", full_page=True)
    assert Attachment.objects.filter(company=company).count() == 1
