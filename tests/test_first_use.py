"""Rough edges a first-time user meets, in Spanish, through the Django test client: what the
screens are called, which tab is lit, how an email is shown and the icon browsers ask for.
(The layout itself, such as what wraps, is measured in Chromium: tests/browser/test_layout.py.)"""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from partida.books.tabs import TABS
from partida.mail.models import Email
from tests.mail.conftest import make_invoice

pytestmark = pytest.mark.django_db


def spanish(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    return response.content.decode()


def heading(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def active_tab(html: str) -> str:
    return re.search(r'class="tab active" aria-current="page">([^<]*)</a>', html).group(1)


def test_every_list_is_titled_as_its_tab(client, company):
    """'Plan de cuentas' opens 'Plan de cuentas', 'Bancos y caja' opens 'Bancos y caja'."""
    for _key, label, url_name, kind in TABS:
        if url_name != "books:record_list":
            continue
        html = spanish(client, reverse(url_name, kwargs={"company_id": company.pk, "kind": kind}))
        with translation.override("es"):
            label = str(label)
        assert heading(html) == label == active_tab(html)
        assert f"<title>{label} · {company.name} · Partida</title>" in html
    account_list = spanish(client, reverse("books:record_list", args=[company.pk, "account"]))
    assert heading(account_list) == "Plan de cuentas"


def test_sending_an_invoice_keeps_the_sales_invoices_tab(client, company):
    invoice = make_invoice(company)
    html = spanish(client, reverse("mail:send_invoice", args=[company.pk, invoice.pk]))
    assert active_tab(html) == "Facturas de venta"
    assert '<label for="id_to">Para</label>' in html


def test_the_mail_servers_password_is_labelled_as_the_other_fields(client, company):
    html = spanish(client, reverse("mail:settings", args=[company.pk]))
    assert '<label for="id_password">Contraseña</label>' in html
    assert '<label for="id_host">Servidor SMTP</label>' in html
    assert 'type="password" name="password"' in html


def test_an_email_is_shown_as_it_was_sent(client, company):
    body = "Hola, Ana:\r\n\r\nTe adjunto la factura F-1.\r\nUn saludo,\r\n<Ferretería>"
    email = Email.objects.create(
        company=company,
        from_address="facturas@example.com",
        to_addresses="ana@example.com\nluis@example.com",
        subject="Factura F-1",
        body=body,
        status=Email.Status.SENT,
    )
    html = spanish(client, reverse("mail:email", args=[company.pk, email.pk]))
    shown = re.search(r'<div class="email-body">(.*?)</div>', html, re.S).group(1)
    # Every character as sent, escaped, with no paragraphs or breaks added around them.
    assert shown == body.replace("<", "&lt;").replace(">", "&gt;")
    assert "<dt>Para</dt><dd>ana@example.com, luis@example.com</dd>" in html
    assert "<dt>De</dt><dd>facturas@example.com</dd>" in html
    assert active_tab(html) == "Correos electrónicos"


def test_there_is_an_icon_and_favicon_ico_answers_it(client, company):
    html = spanish(client, reverse("books:summary", args=[company.pk]))
    assert '<link rel="icon" href="/static/partida/favicon.svg" type="image/svg+xml">' in html
    for method in (client.get, client.head):
        response = method("/favicon.ico")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert "max-age=86400" in response["Cache-Control"]
    assert client.get("/favicon.ico").content.startswith(b"<svg ")
