"""Real books in Chromium, as a new user keeps them, in Spanish and in English, on the desktop
edition's SQLite and on PostgreSQL, against a real ``partida serve``:

create a customer, a sales invoice with two IVA rates, email it (to a real SMTP server on
127.0.0.1), record a partial receipt applied to it and see it partly paid, see the IVA summary
and the trial balance change, back the company up from the Summary's dialog, import the file
as a new company, and find the same invoice state and the same reports there.
"""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.backups.test_cli import new_database, postgres  # noqa: F401 (fixture)
from tests.mail.conftest import smtp_server  # noqa: F401 (fixture)
from tests.serving import Server

pytestmark = [pytest.mark.browser, pytest.mark.both_engines, pytest.mark.slow]

SHOTS = Path("/tmp/shots")
TODAY = datetime.date.today()
NUMBER = f"F{TODAY.year}-0001"

WORDS = {
    "es": {
        "locale": "es-ES",
        "chart": "es",
        "sales": "700",
        "taxes": ("IVA 21 %", "IVA 10 %"),
        "price": "1.234,56",
        "tax_lines": ("259,26", "246,91"),
        "total": "4.209,85",
        "received": "1.000,00",
        "due": "3.209,85",
        "bank": "Banco",
        "issued": "Emitida",
        "partly_paid": "Parcialmente pagada",
        "record_receipt": "Registrar un cobro",
        "send": "Enviar por correo",
        "send_button": "Enviar",
        "backup": "Copia de seguridad",
        "companies": "Empresas",
        "import": "Importar empresa",
        "continue": "Continuar",
        "new_name": "Nombre de la nueva empresa",
        "confirm": "Importar",
        "quota_21": "259,26",
        "receivable": "430",
        "tax_account": "477",
    },
    "en": {
        "locale": "en-US",
        "chart": "en",
        "sales": "4000",
        "taxes": ("VAT 21%", "VAT 10%"),
        "price": "1,234.56",
        "tax_lines": ("259.26", "246.91"),
        "total": "4,209.85",
        "received": "1,000.00",
        "due": "3,209.85",
        "bank": "Bank",
        "issued": "Issued",
        "partly_paid": "Partly paid",
        "record_receipt": "Record a receipt",
        "send": "Send by email",
        "send_button": "Send",
        "backup": "Backup",
        "companies": "Companies",
        "import": "Import company",
        "continue": "Continue",
        "new_name": "Name of the new company",
        "confirm": "Import",
        "quota_21": "259.26",
        "receivable": "1200",
        "tax_account": "2100",
    },
}


def choose(select, starting: str) -> None:
    """Pick the option whose label starts with ``starting`` ("700", "IVA 21 %")."""
    option = select.locator("option", has_text=re.compile(rf"^\s*{re.escape(starting)}")).first
    select.select_option(label=option.inner_text().strip())


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def company_key(page) -> str:
    return re.search(r"/c/([0-9a-f-]{36})/", page.url).group(1)


def report_tables(page, company: str) -> dict[str, str]:
    """What the IVA summary and the trial balance show, table by table."""
    shown = {}
    for name in ("iva", "trial-balance"):
        page.goto(f"/c/{company}/reports/{name}/")
        shown[name] = page.locator("main table").first.inner_text()
    return shown


def account_row(page, company: str, code: str) -> str:
    """The trial balance's row of the account ``code``; empty when it has not moved."""
    page.goto(f"/c/{company}/reports/trial-balance/")
    expect(page.locator("main h1")).to_be_visible()  # an empty trial balance has no table
    row = page.locator("main table tr", has_text=re.compile(rf"^\s*{code}\b"))
    return row.first.inner_text() if row.count() else ""


@pytest.fixture(params=["sqlite", "postgresql"])
def serving(request, tmp_path, smtp_server):  # noqa: F811
    database_url = None
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres")
        database_url = new_database(
            cluster, f"journey_{request.node.callspec.id}".replace("-", "_")
        )
    server = Server(tmp_path / "home", database_url, PARTIDA_SMTP_URL=smtp_server.url)
    yield server, request.param
    server.stop()


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_new_user_keeps_real_books_backs_them_up_and_finds_them_again(
    browser,
    serving,
    smtp_server,  # noqa: F811
    tmp_path,
    language,
):
    server, engine = serving
    words = WORDS[language]
    context = browser.new_context(
        base_url=server.url, locale=words["locale"], accept_downloads=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/companies/add/")
    page.locator("input[name=name]").fill("Taller Luna S.L.")
    page.locator("select[name=chart_language]").select_option(words["chart"])
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}/$"))
    company = company_key(page)
    before = account_row(page, company, words["tax_account"])

    page.goto(f"/c/{company}/customer/add/")
    page.locator("input[name=name]").fill("Ana Peña")
    page.locator("input[name=email]").fill("ana@example.com")
    page.locator(".form-actions button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()

    page.goto(f"/c/{company}/sales_invoice/add/")
    page.locator("select[name=customer]").select_option(label="Ana Peña")
    rows = page.locator("tr.line")
    for index, (quantity, tax_name) in enumerate(zip(("1", "2"), words["taxes"], strict=True)):
        row = rows.nth(index)
        choose(row.locator("select[name$='-account']"), words["sales"])
        row.locator("input[name$='-quantity']").fill(quantity)
        row.locator("input[name$='-unit_price']").fill(words["price"])
        choose(row.locator("select[name$='-tax_code']"), tax_name)
    for index, tax in enumerate(words["tax_lines"]):
        expect(rows.nth(index).locator("output[data-line=tax]")).to_have_text(tax)
    expect(page.locator("output[data-total=document]")).to_have_text(words["total"])
    page.locator(".form-actions button[type=submit]").click()
    expect(page.locator(".message.success")).to_contain_text(NUMBER)
    invoice_row = page.locator("table.list tbody tr", has_text=NUMBER)
    expect(invoice_row.locator(".state")).to_have_text(words["issued"])

    invoice_row.get_by_role("link", name=NUMBER).click()
    invoice_url = page.url
    page.get_by_role("link", name=words["send"]).click()
    expect(page.locator("input[name=to]")).to_have_value("ana@example.com")
    page.get_by_role("button", name=words["send_button"], exact=True).click()
    expect(page.locator(".message.success")).to_contain_text("ana@example.com")
    assert len(smtp_server.inbox.messages) == 1
    assert b"application/pdf" in smtp_server.inbox.messages[0].content

    page.goto(invoice_url)
    page.get_by_role("link", name=words["record_receipt"]).click()
    line = page.locator("tr.line").first
    expect(line.locator("select[name$='-invoice'] option:checked")).to_contain_text(NUMBER)
    expect(line.locator("input[name$='-amount']")).to_have_value(words["total"])
    page.locator("select[name=bank_account]").select_option(label=words["bank"])
    line.locator("input[name$='-amount']").fill(words["received"])
    page.locator(".form-actions button[type=submit]").click()
    expect(page.locator(".message.success")).to_be_visible()

    page.goto(f"/c/{company}/sales_invoice/")
    invoice_row = page.locator("table.list tbody tr", has_text=NUMBER)
    expect(invoice_row.locator(".state")).to_have_text(words["partly_paid"])
    expect(invoice_row).to_contain_text(words["due"])
    shot(page, f"journey-{engine}-{language}-invoices")

    page.goto(f"/c/{company}/reports/iva/")
    expect(page.locator("table.tax-summary")).to_contain_text(words["taxes"][0])
    expect(page.locator("table.tax-summary")).to_contain_text(words["quota_21"])
    shot(page, f"journey-{engine}-{language}-iva")
    after = account_row(page, company, words["tax_account"])
    assert after != before and "506" in after  # 259,26 + 246,91 to IVA repercutido
    assert words["due"] in account_row(page, company, words["receivable"])
    shot(page, f"journey-{engine}-{language}-trial-balance")
    original = report_tables(page, company)

    page.goto(f"/c/{company}/")
    page.get_by_role("link", name=words["backup"], exact=True).click()
    dialog = page.locator("#backup-dialog")
    expect(dialog).to_be_visible()
    with page.expect_download() as download:
        dialog.get_by_role("button", name=words["backup"]).click()
    backup = tmp_path / download.value.suggested_filename
    download.value.save_as(backup)

    page.get_by_role("link", name=words["companies"]).first.click()
    page.get_by_role("link", name=words["import"]).click()
    page.locator("input[type=file]").set_input_files(str(backup))
    page.get_by_role("button", name=words["continue"]).click()
    expect(page.locator("#preview-company")).to_contain_text("Taller Luna S.L.")
    page.get_by_label(words["new_name"]).fill("Taller Luna restaurado")
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]+/$"), timeout=60_000)
    restored = company_key(page)
    assert restored != company

    page.goto(f"/c/{restored}/sales_invoice/")
    invoice_row = page.locator("table.list tbody tr", has_text=NUMBER)
    expect(invoice_row.locator(".state")).to_have_text(words["partly_paid"])
    expect(invoice_row).to_contain_text(words["due"])
    assert report_tables(page, restored) == original
    shot(page, f"journey-{engine}-{language}-restored")
    context.close()
