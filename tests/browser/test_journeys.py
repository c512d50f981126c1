"""What a person does in Chromium: keep books, back them up, and bring them back."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from partida.books import models as m
from partida.books.summary import summarize
from tests.backups.conftest import PDF, make_company

pytestmark = pytest.mark.browser


def figure(page, label: str) -> str:
    """The amount on the Summary row that starts with ``label``."""
    row = page.locator("tr", has_text=re.compile(rf"^\s*{re.escape(label)}", re.I)).first
    return row.locator("td.num, th.num").last.inner_text().strip()


def test_keep_books_attach_a_file_and_read_them_in_spanish(page, tmp_path):
    page.goto("/")
    page.get_by_role("link", name="Add company").click()
    page.get_by_label("Name").fill("Panadería Sol")
    page.get_by_label("Base currency").fill("EUR")
    page.get_by_label("Language of the chart of accounts").select_option("en")
    page.get_by_role("button", name="Add company").click()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    company = m.Company.objects.get(name="Panadería Sol")
    assert summarize(company).assets == 0

    page.get_by_role("link", name="Receipts").click()
    page.locator("a.button.primary").click()
    page.get_by_label("Received in").select_option(label="Bank")
    page.locator("select[name$='-account']").first.select_option(label="4000 Sales")
    page.locator("input[name$='-amount']").first.fill("250.00")
    scan = tmp_path / "ticket.pdf"
    scan.write_bytes(PDF)
    page.get_by_label("Attachments").set_input_files(str(scan))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message")).to_be_visible()

    page.get_by_role("link", name="Summary").click()
    expect(page.locator(".statements")).to_contain_text("250.00")
    assert str(summarize(company).assets) == "250.00"

    receipt = m.Receipt.objects.get(company=company)
    page.goto(f"/c/{company.pk}/receipt/{receipt.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="ticket.pdf", exact=True).click()
    assert Path(download.value.path()).read_bytes() == PDF

    page.locator("#language-select").select_option("es")
    expect(page.get_by_role("link", name="Resumen")).to_be_visible()
    page.get_by_role("link", name="Resumen").click()
    expect(page.get_by_role("link", name="Copia de seguridad")).to_be_visible()
    expect(page.locator(".statements")).to_contain_text("250,00")


WORDS = {
    "en": {
        "backup": "Backup",
        "companies": "Companies",
        "import": "Import company",
        "continue": "Continue",
        "name": "Name of the new company",
        "confirm": "Import",
    },
    "es": {
        "backup": "Copia de seguridad",
        "companies": "Empresas",
        "import": "Importar empresa",
        "continue": "Continuar",
        "name": "Nombre de la nueva empresa",
        "confirm": "Importar",
    },
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_back_up_then_import_gives_the_same_books(page, settings, tmp_path, language):
    settings.PARTIDA_JOBS_IN_THREADS = True  # the real progress screen, as a user sees it
    words = WORDS[language]
    original = make_company()
    page.goto("/")
    page.locator("#language-select").select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)

    page.goto(f"/c/{original.pk}/")
    page.get_by_role("link", name=words["backup"], exact=True).click()
    dialog = page.locator("#backup-dialog")
    expect(dialog).to_be_visible()
    suggested = dialog.locator("input[name=file_name]").input_value()
    assert re.fullmatch(r"Ferretería Núñez, S\.L\. \(\d{4}-\d{2}-\d{2}\)\.manager", suggested)
    for part in ("attachments", "emails", "history"):
        expect(dialog.locator(f"input[name={part}]")).to_be_checked()
    with page.expect_download() as download:
        dialog.get_by_role("button", name=words["backup"]).click()
    assert download.value.suggested_filename == suggested
    backup = tmp_path / download.value.suggested_filename
    download.value.save_as(backup)

    page.get_by_role("link", name=words["companies"]).first.click()
    page.get_by_role("link", name=words["import"]).click()
    page.locator("input[type=file]").set_input_files(str(backup))
    page.get_by_role("button", name=words["continue"]).click()
    expect(page.locator("#preview-company")).to_contain_text("Ferretería Núñez, S.L.")
    expect(page.locator("tr[data-table=receipts] td.num")).to_have_text("1")
    page.get_by_label(words["name"]).fill("Ferretería restaurada")
    page.get_by_role("button", name=words["confirm"], exact=True).click()

    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]+/$"), timeout=30_000)
    restored = m.Company.objects.get(name="Ferretería restaurada")
    assert page.url.rstrip("/").endswith(str(restored.pk))
    assert summarize(restored).as_json() == summarize(original).as_json()
    original_page = page.context.new_page()
    original_page.goto(f"/c/{original.pk}/")
    assert (
        original_page.locator(".statements").inner_text()
        == page.locator(".statements").inner_text()
    )
