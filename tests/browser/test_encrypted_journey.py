"""In Chromium, in Spanish: an encrypted backup from the Backup dialog, opened by the real age
tool, and imported back through Import company with its passphrase."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from partida.books import models as m
from partida.books.summary import summarize
from tests.age_tool import age_decrypt
from tests.backups.conftest import make_company

pytestmark = pytest.mark.browser

SECRET = "lluvia sobre Núñez 2026"


def test_an_encrypted_backup_opens_with_age_and_imports_with_its_passphrase(
    page, settings, tmp_path
):
    settings.PARTIDA_JOBS_IN_THREADS = True  # the real progress screen, as a user sees it
    settings.PARTIDA_SCRYPT_WORK_FACTOR = 12  # age reads any; the default is tested elsewhere
    original = make_company()
    page.goto("/")
    page.locator("#language-select").select_option("es")
    expect(page.locator("html")).to_have_attribute("lang", "es")

    page.goto(f"/c/{original.pk}/")
    page.get_by_role("link", name="Copia de seguridad", exact=True).click()
    dialog = page.locator("#backup-dialog")
    expect(dialog).to_be_visible()
    encrypt = dialog.get_by_label("Cifrar con contraseña")
    expect(encrypt).not_to_be_checked()
    expect(dialog.get_by_label("Contraseña", exact=True)).to_be_hidden()
    encrypt.check()
    dialog.get_by_label("Contraseña", exact=True).fill(SECRET)
    dialog.get_by_label("La misma contraseña otra vez").fill(SECRET)
    expect(dialog.locator("[data-warning=passphrase]")).to_contain_text("no se puede recuperar")
    page.screenshot(path=tmp_path / "dialog.png", full_page=True)
    suggested = dialog.locator("input[name=file_name]").input_value()
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Copia de seguridad").click()
    assert download.value.suggested_filename == suggested
    assert re.fullmatch(r"Ferretería Núñez, S\.L\. \(\d{4}-\d{2}-\d{2}\)\.manager", suggested)
    backup = tmp_path / suggested
    download.value.save_as(backup)
    assert backup.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")

    # The standard tool opens it, and tar lists the backup inside.
    plain = tmp_path / "descifrada.manager"
    age_decrypt(backup, plain, SECRET)
    listing = subprocess.run(
        ["tar", "--zstd", "-tf", str(plain)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert listing[0] == "manifest.json" and "data/receipts.jsonl" in listing

    page.get_by_role("link", name="Empresas").first.click()
    page.get_by_role("link", name="Importar empresa").click()
    page.locator("input[type=file]").set_input_files(str(backup))
    page.get_by_role("button", name="Continuar").click()
    expect(page.locator("#encrypted-note")).to_contain_text("es una copia de seguridad cifrada")
    page.get_by_label("Contraseña").fill("no es esta")
    page.get_by_role("button", name="Continuar").click()
    expect(page.locator(".field-passphrase .error")).to_have_text(
        "Esta contraseña no abre esta copia de seguridad: escríbela otra vez, tal como se "
        "eligió al hacer la copia."
    )
    page.screenshot(path=tmp_path / "wrong.png", full_page=True)
    page.get_by_label("Contraseña").fill(SECRET)
    page.get_by_role("button", name="Continuar").click()

    expect(page.locator("#preview-company")).to_contain_text("Ferretería Núñez, S.L.")
    expect(page.locator("tr[data-table=receipts] td.num")).to_have_text("1")
    page.screenshot(path=tmp_path / "preview.png", full_page=True)
    page.get_by_label("Nombre de la nueva empresa").fill("Ferretería descifrada")
    page.get_by_role("button", name="Importar", exact=True).click()
    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]+/$"), timeout=30_000)
    restored = m.Company.objects.get(name="Ferretería descifrada")
    assert page.url.rstrip("/").endswith(str(restored.pk))
    assert summarize(restored).as_json() == summarize(original).as_json()
    page.screenshot(path=tmp_path / "summary.png", full_page=True)
