"""Layout a first-time user sees, measured in Chromium on the Spanish screens: what stays on one
line, which inputs have room, and which look alike."""

import pytest

from partida.books import models as m
from partida.mail.models import Email
from tests.mail.conftest import make_invoice

pytestmark = pytest.mark.browser


@pytest.fixture
def es_page(page, live_server):
    """The page in Spanish, at a laptop's width."""
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.set_viewport_size({"width": 1280, "height": 900})
    return page


LINES = """element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
    return tops.size;
}"""


def width(locator) -> float:
    return locator.bounding_box()["width"]


@pytest.mark.parametrize("viewport_width", [1280, 1024])
def test_the_invoice_number_is_one_line_high_in_the_list(es_page, company, viewport_width):
    invoice = make_invoice(company)
    invoice.number = "F2025-00090"
    invoice.description = "Factura F2025-00090 a Restaurante Sierra Nevada S.L., reparación"
    invoice.save()
    invoice.customer.name = "Restaurante Sierra Nevada de la Costa del Sol S.L."
    invoice.customer.save()
    es_page.set_viewport_size({"width": viewport_width, "height": 900})
    es_page.goto(f"/c/{company.pk}/sales_invoice/")
    number = es_page.locator("td.ref", has_text="F2025-00090")
    assert number.evaluate(LINES) == 1
    line_height = number.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    text_height = number.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getBoundingClientRect().height; }"
    )
    assert text_height <= line_height + 1
    # A long customer wraps instead, where the page is too narrow for it.
    customer = es_page.locator("td", has_text="Restaurante Sierra Nevada de la Costa")
    assert customer.evaluate(LINES) >= 1


def test_a_description_has_room_in_the_form_and_in_its_lines(es_page, company):
    es_page.goto(f"/c/{company.pk}/receipt/add/")
    grid = es_page.locator(".fields-grid")
    description = es_page.locator("input[name=description]")
    date = es_page.locator("input[name=date]")
    assert width(description) >= width(grid) - 2  # the whole row
    assert width(description) > 3 * width(date)
    line_description = es_page.locator("tr.line input[name$='-description']").first
    line_amount = es_page.locator("tr.line input[name$='-amount']").first
    line_account = es_page.locator("tr.line select[name$='-account']").first
    assert width(line_description) > width(line_account)
    assert width(line_description) > 3 * width(line_amount)

    invoice = make_invoice(company)
    es_page.goto(f"/c/{company.pk}/sales_invoice/{invoice.pk}/")
    line_description = es_page.locator("tr.line input[name$='-description']").first
    quantity = es_page.locator("tr.line input[name$='-quantity']").first
    assert width(line_description) > 2.5 * width(quantity)


def test_the_password_looks_like_the_other_inputs(es_page, company):
    es_page.goto(f"/c/{company.pk}/emails/settings/")
    assert es_page.locator("label[for=id_password]").inner_text() == "Contraseña"
    style = (
        "e => { const s = getComputedStyle(e); return [s.borderTopWidth, s.borderTopColor,"
        " s.borderRadius, s.paddingTop, s.paddingLeft, s.fontSize, e.offsetHeight,"
        " e.offsetWidth]; }"
    )
    password = es_page.locator("input[name=password]").evaluate(style)
    user_name = es_page.locator("input[name=username]").evaluate(style)
    assert password == user_name


def test_an_email_shows_the_lines_it_was_sent_with(es_page, company):
    body = "Hola, Ana:\n\nTe adjunto la factura F-1.\n\nUn saludo,\nFerretería Núñez"
    email = Email.objects.create(
        company=company,
        from_address="facturas@example.com",
        to_addresses="ana@example.com",
        subject="Factura F-1",
        body=body,
        status=Email.Status.SENT,
    )
    es_page.goto(f"/c/{company.pk}/emails/{email.pk}/")
    shown = es_page.locator(".email-body")
    assert shown.inner_text() == body
    # Four lines of text and the two blank ones between them: six lines high, not more.
    line_height = shown.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    text_height = shown.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getBoundingClientRect().height; }"
    )
    assert round(text_height / line_height) == 6
    # Label and value side by side on each row of the facts.
    label = es_page.locator("dl.facts dt", has_text="Para").bounding_box()
    value = es_page.locator("dl.facts dd", has_text="ana@example.com").bounding_box()
    assert abs(label["y"] - value["y"]) < 2 and value["x"] >= label["x"] + label["width"]


def test_the_browser_finds_the_icon(es_page, company, live_server):
    es_page.goto(f"/c/{company.pk}/")
    icon = es_page.locator("link[rel=icon]").get_attribute("href")
    for address in (icon, "/favicon.ico"):
        response = es_page.request.get(address)
        assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
        assert response.body().startswith(b"<svg ")


def test_chart_of_accounts_opens_chart_of_accounts(es_page, company):
    es_page.goto(f"/c/{company.pk}/")
    es_page.get_by_role("link", name="Plan de cuentas").click()
    assert es_page.locator("h1").inner_text() == "Plan de cuentas"
    assert es_page.title().startswith("Plan de cuentas · ")
    assert m.Account.objects.filter(company=company).exists()
