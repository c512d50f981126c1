"""Import company and Backup as a person meets them: a real ``partida serve`` (the desktop
edition) on SQLite and on PostgreSQL, driven by Chromium, and killed with SIGKILL at the moments
that matter.

Each server runs as its own process with its own data folder, exactly as ``scripts/run`` starts
it. After a kill, the next start cleans up: no company, no row, no upload, no orphan attachment
file and no partial backup remain, and the job's page says it was interrupted.
"""

import json
import os
import re
import sqlite3
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from partida.backups.schema import table_columns
from tests.backups.test_cli import new_database, partida, postgres  # noqa: F401 (fixture)
from tests.serving import Server

pytestmark = [pytest.mark.both_engines, pytest.mark.browser, pytest.mark.slow]

ENGINES = ["sqlite", "postgresql"]
BUSY_SENTENCE = "se está escribiendo una importación"


@pytest.fixture(scope="module")
def backups(tmp_path_factory):
    """The small and the medium demo companies' backups, and the medium one's books."""
    home = tmp_path_factory.mktemp("demo-home")
    files = {}
    for size in ("small", "medium"):
        name = f"Demo {size} S.L."
        partida(home, "demo", "--name", name, "--size", size, "--seed", "3")
        files[size] = home / f"{size}.manager"
        partida(home, "backup", name, "-o", str(files[size]))
    summary = json.loads(partida(home, "summary", "Demo medium S.L.", "--json").stdout)
    return files, summary


@pytest.fixture
def installation(request, tmp_path):
    """A data folder (and, on PostgreSQL, a database of its own) holding one small company."""
    engine = request.param
    database_url = None
    if engine == "postgresql":
        cluster = request.getfixturevalue("postgres")
        database_url = new_database(cluster, f"serve_{os.getpid()}_{time.monotonic_ns()}")
    home = tmp_path / "home"
    partida(home, "demo", "--name", "Mi Tienda S.L.", "--seed", "1", database_url=database_url)
    servers: list[Server] = []

    def serve(**env: str) -> Server:
        server = Server(home, database_url, **env)
        servers.append(server)
        return server

    yield home, database_url, serve
    for server in servers:
        server.stop()


def spanish_page(browser, server: Server):
    context = browser.new_context(base_url=server.url, locale="es-ES", accept_downloads=True)
    context.set_default_timeout(30_000)
    return context.new_page()


def companies(home, database_url) -> dict[str, str]:
    listed = json.loads(partida(home, "companies", "--json", database_url=database_url).stdout)
    return {company["id"]: company["name"] for company in listed}


def query(home, database_url, sql: str) -> list[tuple]:
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as connection:
            return connection.execute(sql).fetchall()
    with sqlite3.connect(home / "partida.sqlite3") as connection:
        return connection.execute(sql).fetchall()


def all_rows(home, database_url) -> dict[str, int]:
    """The number of rows of every kind of company data."""
    counts = {}
    for columns in table_columns().values():
        table = columns.table.model._meta.db_table
        counts[table] = query(home, database_url, f'SELECT count(*) FROM "{table}"')[0][0]
    return counts


def traces(home, database_url) -> dict:
    """Everything an import or a backup can leave in an installation."""
    stored = {path.name for path in (home / "files" / "blobs").glob("*/*") if path.is_file()}
    used = {
        sha
        for (sha,) in query(
            home,
            database_url,
            "SELECT sha256 FROM attachments_attachment "
            "UNION SELECT sha256 FROM mail_emailattachment",
        )
    }
    return {
        "companies": companies(home, database_url),
        "rows": all_rows(home, database_url),
        "orphan files": sorted(stored - used),
        "uploads": sorted(p.name for p in (home / "imports").glob("*")),
        "work folders": sorted(p.name for p in (home / "work").glob("*")),
        "partial files": sorted(str(p) for p in home.rglob("*.partial")),
        "temporary blob files": sorted(p.name for p in (home / "files").rglob("upload-*")),
    }


def upload(page, backup: Path, name: str | None = None) -> None:
    """Companies → Importar empresa → the file → Continuar → (name) → Importar."""
    page.goto("/")
    page.get_by_role("link", name="Importar empresa").click()
    page.locator("input[type=file]").set_input_files(str(backup))
    page.get_by_role("button", name="Continuar").click()
    if name is not None:
        page.get_by_label("Nombre de la nueva empresa").fill(name)
    page.get_by_role("button", name="Importar", exact=True).click()
    expect(page).to_have_url(re.compile(r"/backups/jobs/[0-9a-f-]+/$"))


def job_key(page) -> str:
    return page.url.rstrip("/").rsplit("/", 1)[1]


def add_customer(page, company_id: str, name: str) -> str:
    """Save a new customer; what the page answered: saved, busy (the sentence), or else."""
    page.goto(f"/c/{company_id}/customer/add/")
    page.get_by_label("Nombre", exact=True).fill(name)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Guardar").click()
    status = answer.value.status
    if status == 503:
        expect(page.locator(".error-page")).to_contain_text(BUSY_SENTENCE)
        return "busy"
    assert status in (200, 302), f"saving a customer answered {status}"
    expect(page.get_by_text(name).first).to_be_visible()
    return "saved"


@pytest.mark.parametrize("installation", ENGINES, indirect=True)
def test_importing_from_the_browser_moves_the_bar_and_the_program_keeps_working(
    browser, installation, backups
):
    home, database_url, serve = installation
    files, original_books = backups
    server = serve()
    (shop,) = companies(home, database_url)
    page = spanish_page(browser, server)
    other = page.context.new_page()

    upload(page, files["medium"], name="Demo restaurada")
    seen, saves, phases = [], [], set()
    while "/backups/jobs/" in page.url:
        try:
            seen.append(int(page.locator("#job-progress").get_attribute("value", timeout=2_000)))
            phases.add(page.locator("#job-phase").inner_text(timeout=2_000))
        except Exception:
            break  # the page moved on to the new company
        if len(saves) < 4:
            saves.append(add_customer(other, shop, f"Cliente {len(saves)}"))
        else:
            page.wait_for_timeout(100)
    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]+/$"), timeout=120_000)

    assert any(0 < percent < 100 for percent in seen), seen
    assert seen == sorted(seen), "the bar never goes back"
    assert "Comprobando la copia de seguridad…" in phases, phases
    assert saves and set(saves) <= {"saved", "busy"}
    assert "saved" in saves, "saving works while the file is checked"
    restored = {
        key for key, name in companies(home, database_url).items() if name == "Demo restaurada"
    }
    (restored_key,) = restored
    assert page.url.rstrip("/").endswith(restored_key)
    books = json.loads(
        partida(home, "summary", restored_key, "--json", database_url=database_url).stdout
    )
    original = {key: value for key, value in original_books.items() if key != "company"}
    assert {key: value for key, value in books.items() if key != "company"} == original
    assert traces(home, database_url)["work folders"] == []
    assert traces(home, database_url)["uploads"] == []


KILL_MOMENTS = ["checking", "importing", "attachments", "committing"]


@pytest.mark.parametrize("moment", KILL_MOMENTS)
@pytest.mark.parametrize("installation", ENGINES, indirect=True)
def test_a_server_killed_during_an_import_leaves_nothing_and_says_so(
    browser, installation, backups, moment
):
    home, database_url, serve = installation
    files, _books = backups
    before = traces(home, database_url)
    server = serve(PARTIDA_TEST_ONLY_PAUSE_AT=moment)
    page = spanish_page(browser, server)
    upload(page, files["small"])
    key = job_key(page)
    paused = home / "work" / key / "paused"
    deadline = time.monotonic() + 60
    while not paused.exists():
        assert time.monotonic() < deadline, f"the import never reached {moment}"
        time.sleep(0.05)
    if moment == "attachments":
        assert list((home / "files" / "blobs").glob("*/*")), "an attachment file was stored"
    server.kill()
    page.context.close()

    again = serve()
    assert traces(home, database_url) == before
    page = spanish_page(browser, again)
    page.goto(f"/backups/jobs/{key}/")
    expect(page.locator("#job-error")).to_contain_text("La importación se interrumpió")
    expect(page.locator("#job-retry")).to_be_visible()
    page.context.close()


def backup_paused_while_writing(browser, server, home, database_url):
    """Summary → Copia de seguridad → the dialog's button; returns once the backup is writing
    its file (the server runs with ``PARTIDA_TEST_ONLY_PAUSE_AT=writing``)."""
    (shop,) = companies(home, database_url)
    page = spanish_page(browser, server)
    page.goto(f"/c/{shop}/")
    page.get_by_role("link", name="Copia de seguridad", exact=True).click()
    page.locator("#backup-dialog").get_by_role("button", name="Copia de seguridad").click()
    expect(page).to_have_url(re.compile(r"/backups/jobs/[0-9a-f-]+/$"))
    key = job_key(page)
    deadline = time.monotonic() + 60
    while not (home / "work" / key / "paused").exists():
        assert time.monotonic() < deadline, "the backup never started writing"
        time.sleep(0.05)
    return page, key


@pytest.mark.parametrize("installation", ENGINES, indirect=True)
def test_a_server_killed_during_a_backup_leaves_no_partial_file(browser, installation):
    home, database_url, serve = installation
    before = traces(home, database_url)
    server = serve(PARTIDA_TEST_ONLY_PAUSE_AT="writing")
    page, key = backup_paused_while_writing(browser, server, home, database_url)
    assert list((home / "work" / key).glob("*.partial")), "the backup was being written"
    server.kill()
    page.context.close()

    again = serve()
    assert traces(home, database_url) == before
    page = spanish_page(browser, again)
    page.goto(f"/backups/jobs/{key}/")
    expect(page.locator("#job-error")).to_contain_text("La copia de seguridad se interrumpió")
    page.context.close()


@pytest.mark.parametrize("installation", ENGINES, indirect=True)
def test_cancel_stops_a_backup_and_keeps_nothing(browser, installation):
    home, database_url, serve = installation
    before = traces(home, database_url)
    server = serve(PARTIDA_TEST_ONLY_PAUSE_AT="writing")
    page, _key = backup_paused_while_writing(browser, server, home, database_url)
    page.get_by_role("button", name="Cancelar").click()
    expect(
        page.get_by_text("Se canceló la copia de seguridad: no se ha guardado nada.")
    ).to_be_visible()
    assert traces(home, database_url) == before
    assert list((home / "exports").glob("*")) == []
    page.context.close()


@pytest.mark.parametrize("installation", ENGINES, indirect=True)
def test_cancel_stops_an_import_and_leaves_nothing(browser, installation, backups):
    home, database_url, serve = installation
    files, _books = backups
    before = traces(home, database_url)
    server = serve()
    page = spanish_page(browser, server)
    upload(page, files["medium"])
    page.get_by_role("button", name="Cancelar").click()
    expect(page.get_by_text("Se canceló la importación: no se ha cambiado nada.")).to_be_visible()
    expect(page.locator("#job-retry")).to_be_visible()
    deadline = time.monotonic() + 30
    while traces(home, database_url) != before and time.monotonic() < deadline:
        time.sleep(0.2)  # the job's last clean-up runs just after its page says so
    assert traces(home, database_url) == before
    page.context.close()


def test_a_save_while_another_process_writes_says_so_and_keeps_what_was_typed(browser, tmp_path):
    """SQLite, the desktop's own engine: another connection holds the write lock (as an
    import's last step does); the save answers within a moment, and sends again on request."""
    home = tmp_path / "home"
    partida(home, "demo", "--name", "Mi Tienda S.L.", "--seed", "1")
    (shop,) = companies(home, None)
    server = Server(home, PARTIDA_SQLITE_BUSY_SECONDS="1")
    try:
        page = spanish_page(browser, server)
        writer = sqlite3.connect(home / "partida.sqlite3", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # the write lock, held by another process's connection
        started = time.monotonic()
        assert add_customer(page, shop, "Cliente paciente") == "busy"
        assert time.monotonic() - started < 5
        writer.execute("ROLLBACK")
        writer.close()
        page.get_by_role("button", name="Intentar de nuevo con lo que escribí").click()
        expect(page.get_by_text("Cliente paciente").first).to_be_visible()
        names = {n for (n,) in query(home, None, "SELECT name FROM books_customer")}
        assert "Cliente paciente" in names
    finally:
        server.stop()
