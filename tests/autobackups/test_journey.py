"""A person switches automatic backups on in Spanish, in Chromium, against a real ``partida
serve`` with a short schedule (every 3.6 seconds): the backups appear in the chosen folder on
schedule, retention keeps one (a file of someone else's with a backup's name stays), the
company's "Copias de seguridad" list shows it, and it downloads and imports as a new company.
Then the folder disappears: the next backup fails, and the list and the Summary say why.

Screenshots go to ``PARTIDA_SHOTS`` (default ``/tmp/helper-c-shots``).
"""

import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.backups.test_cli import partida
from tests.serving import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(os.environ.get("PARTIDA_SHOTS", "/tmp/helper-c-shots"))
COMPANY = "Mi Tienda S.L."
FOREIGN = f"{COMPANY} (2026-01-05 09.30).manager"  # a backup's name, but not Partida's file


class Lines:
    """What the server prints, collected as it prints it."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self.read, args=(stream,), daemon=True)
        self.thread.start()

    def read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


def ours(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".manager") and n != FOREIGN)


def wait_until(condition, seconds: float = 90) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "it did not happen in time"
        time.sleep(0.2)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def save_settings(page, folder: Path, when: str = "Cada día") -> None:
    page.goto("/automatic-backups/")
    page.get_by_label("Hacer copias automáticas").check()
    page.get_by_label(when).check()
    page.get_by_label("Carpeta", exact=True).fill(str(folder))
    page.get_by_label("Copias diarias que se conservan").fill("1")
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".message.success")).to_contain_text(
        "Las copias automáticas están activadas"
    )


def test_automatic_backups_appear_in_the_chosen_folder_with_retention_applied(browser, tmp_path):
    home, folder = tmp_path / "home", tmp_path / "Mi unidad" / "Copias de Partida"
    folder.mkdir(parents=True)
    (folder / FOREIGN).write_bytes(b"notas mias, no una copia")
    partida(home, "demo", "--name", COMPANY, "--seed", "1")
    server = Server(home, PARTIDA_BACKUP_EVERY_HOURS="0.001", PARTIDA_BACKUP_CHECK_SECONDS="1")
    printed = Lines(server.process.stdout)
    context = browser.new_context(base_url=server.url, locale="es-ES", accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto("/")
        shot(page, "0-companies")
        page.get_by_role("link", name="Copias automáticas").click()
        expect(page.get_by_role("heading", name="Copias automáticas")).to_be_visible()
        # A folder that is not there is one sentence, and nothing is saved.
        page.get_by_label("Hacer copias automáticas").check()
        page.get_by_label("Carpeta", exact=True).fill(str(tmp_path / "no existe"))
        page.get_by_role("button", name="Guardar").click()
        expect(page.locator(".field-folder .error")).to_have_text(
            f"No existe la carpeta «{tmp_path / 'no existe'}»: créala primero o elige otra."
        )
        shot(page, "1-settings-bad-folder")
        assert ours(folder) == []

        save_settings(page, folder)
        shot(page, "2-settings-saved")
        # Backups on schedule: at least three, each taking the place of the one before.
        wait_until(lambda: printed.count("Copia automática de «Mi Tienda S.L.»") >= 3)
        wait_until(lambda: len(ours(folder)) == 1)
        assert (folder / FOREIGN).read_bytes() == b"notas mias, no una copia"
        hidden = [n for n in os.listdir(folder) if n.startswith(".")]
        assert all(n.startswith(".partida-") for n in hidden), hidden  # only one in progress

        # Made when Partida closes, from now on: the folder holds still for what follows.
        save_settings(page, folder, when="Al cerrar Partida")
        time.sleep(2)  # a backup that had started finishes
        (kept,) = ours(folder)
        assert partida(home, "verify", str(folder / kept)).returncode == 0

        page.goto("/")
        page.get_by_role("link", name=COMPANY).click()
        page.get_by_role("link", name="Copias de seguridad", exact=True).click()
        rows = page.locator("table.backups-list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(kept)
        expect(rows.first).to_contain_text(
            "Contabilidad, Adjuntos, Correos electrónicos, Historial"
        )
        expect(rows.first.locator("td").nth(3)).to_have_text("Sí")
        shot(page, "3-company-backups")

        with page.expect_download() as download:
            rows.first.get_by_role("link", name="Descargar").click()
        saved = tmp_path / "descargada.manager"
        download.value.save_as(saved)
        assert download.value.suggested_filename == kept
        assert saved.read_bytes() == (folder / kept).read_bytes()

        rows.first.get_by_role("button", name="Importar como empresa nueva").click()
        expect(page.locator("#preview-company")).to_contain_text(COMPANY)
        shot(page, "4-import-preview")
        page.get_by_label("Nombre de la nueva empresa").fill("Mi Tienda (de la copia)")
        page.get_by_role("button", name="Importar", exact=True).click()
        expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]+/$"), timeout=60_000)
        expect(page.locator(".company-name")).to_have_text("Mi Tienda (de la copia)")

        # The folder goes away (an unplugged drive): the next backup fails, and says why.
        other = tmp_path / "Pendrive"
        other.mkdir()
        save_settings(page, other)
        wait_until(lambda: any(name.startswith(COMPANY) for name in ours(other)))
        shutil.rmtree(other)
        wait_until(lambda: printed.count(f"La copia automática de «{COMPANY}» ha fallado") >= 1)
        page.goto("/")
        page.get_by_role("link", name=COMPANY).click()
        notice = page.locator(".backup-notice")
        expect(notice).to_contain_text("ha fallado: No existe la carpeta")
        shot(page, "5-summary-notice")
        page.get_by_role("link", name="Ver las copias").click()
        failed = page.locator("table.backups-list tbody tr[data-state=failed]").first
        expect(failed).to_contain_text(f"No existe la carpeta «{other}»")
        shot(page, "6-company-backups-failed")
    finally:
        context.close()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=60)
        print("".join(printed.lines))  # shown when the test fails
        server.process.stderr.close()
