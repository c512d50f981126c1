import email
import email.policy
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from partida.attachments.store import blob_exists, open_blob
from partida.mail.models import Email, EmailAttachment, SmtpSettings
from partida.mail.sending import do_send_invoice_email, parse_smtp_url
from tests.mail.conftest import free_port, make_invoice


def received(server, index=-1):
    envelope = server.inbox.messages[index]
    return envelope, email.message_from_bytes(envelope.content, policy=email.policy.default)


def spanish(text):
    with translation.override("es"):
        return translation.gettext(text)


def pdf_parts(message):
    return [
        part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"
    ]


def test_an_invoice_arrives_with_its_pdf_and_the_email_is_kept(
    company, invoice, smtp_server, settings
):
    settings.PARTIDA_SMTP_URL = smtp_server.url + "?from=facturas@ferreteria.example"
    sent = do_send_invoice_email(
        company, invoice, "ana@example.com, pagos@example.com", "Su factura", "Hola Ana"
    )

    envelope, message = received(smtp_server)
    assert envelope.rcpt_tos == ["ana@example.com", "pagos@example.com"]
    assert message["Subject"] == "Su factura"
    assert message["From"] == "facturas@ferreteria.example"
    assert message.get_body(("plain",)).get_content().strip() == "Hola Ana"
    [pdf] = pdf_parts(message)
    pdf_bytes = pdf.get_content()
    assert pdf_bytes.startswith(b"%PDF-")
    # "Factura F2026-0001": the number the invoice was given.
    title = spanish("Invoice %(number)s") % {"number": invoice.number}
    assert pdf.get_filename() == f"{title}.pdf"
    assert title.encode() in pdf_bytes  # the document's title, in the company's language

    sent.refresh_from_db()
    assert sent.status == Email.Status.SENT
    assert sent.error == ""
    assert (sent.about_kind, sent.about_id) == ("sales_invoice", invoice.pk)
    assert sent.to_addresses.splitlines() == ["ana@example.com", "pagos@example.com"]
    assert (sent.subject, sent.body, sent.from_address) == (
        "Su factura",
        "Hola Ana",
        "facturas@ferreteria.example",
    )
    [kept] = EmailAttachment.objects.filter(email=sent)
    assert kept.filename == f"{title}.pdf"
    assert kept.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert kept.size == len(pdf_bytes)
    with open_blob(kept.sha256) as handle:
        assert handle.read() == pdf_bytes


def test_the_companys_own_mail_server_wins(company, invoice, smtp_server, settings):
    settings.PARTIDA_SMTP_URL = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    SmtpSettings.objects.create(
        company=company,
        host="127.0.0.1",
        port=smtp_server.port,
        security="none",
        from_address="yo@ferreteria.example",
    )
    sent = do_send_invoice_email(company, invoice, "ana@example.com", "Factura", "")
    assert sent.status == Email.Status.SENT
    assert received(smtp_server)[1]["From"] == "yo@ferreteria.example"


def test_a_refusing_server_gives_a_failed_email_with_the_servers_answer(
    company, invoice, refusing_smtp_server, settings
):
    settings.PARTIDA_SMTP_URL = refusing_smtp_server.url
    failed = do_send_invoice_email(company, invoice, "nadie@example.com", "Factura", "Hola")
    assert failed.status == Email.Status.FAILED
    assert "550" in failed.error and "Mailbox unavailable" in failed.error
    assert refusing_smtp_server.inbox.messages == []
    [kept] = failed.attachments.all()
    assert blob_exists(kept.sha256)


def test_an_unreachable_server_gives_a_failed_email_with_the_error(company, invoice, settings):
    settings.PARTIDA_SMTP_URL = f"smtp://127.0.0.1:{free_port()}"
    failed = do_send_invoice_email(company, invoice, "ana@example.com", "Factura", "Hola")
    assert failed.status == Email.Status.FAILED
    assert "refused" in failed.error.lower()
    assert Email.objects.filter(company=company).count() == 1


def test_without_a_mail_server_nothing_is_sent_and_the_user_is_told_to_set_one_up(company, invoice):
    with pytest.raises(ValidationError) as error:
        do_send_invoice_email(company, invoice, "ana@example.com", "Factura", "Hola")
    assert "No mail server is set up" in error.value.messages[0]
    assert not Email.objects.exists()


def test_a_wrong_address_is_refused_before_sending(company, invoice, smtp_server, settings):
    settings.PARTIDA_SMTP_URL = smtp_server.url
    with pytest.raises(ValidationError) as error:
        do_send_invoice_email(company, invoice, "ana@example.com, ana-at-example", "F", "")
    assert "“ana-at-example” is not an email address" in error.value.messages[0]
    assert smtp_server.inbox.messages == []
    assert not Email.objects.exists()


def test_smtp_urls():
    plain = parse_smtp_url("smtp://user%40x:p%3Ass@mail.example:2525")
    assert (plain.host, plain.port, plain.username, plain.password, plain.security) == (
        "mail.example",
        2525,
        "user@x",
        "p:ss",
        "none",
    )
    assert parse_smtp_url("smtp+ssl://mail.example").port == 465
    assert parse_smtp_url("smtp+ssl://mail.example").security == "ssl"
    starttls = parse_smtp_url("smtp+starttls://u:p@mail.example")
    assert (starttls.port, starttls.security) == (587, "starttls")
    with pytest.raises(ValidationError):
        parse_smtp_url("http://mail.example")


def test_send_form_is_prefilled_in_the_companys_language_and_sends(
    client, company, invoice, smtp_server, settings
):
    settings.PARTIDA_SMTP_URL = smtp_server.url
    url = reverse("mail:send_invoice", args=[company.pk, invoice.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    form = page.context["form"]
    assert form.initial["to"] == "ana@example.com"
    # The company's language (Spanish), not the screen's (English).
    assert form.initial["subject"] == spanish("Invoice %(number)s from %(company)s") % {
        "number": invoice.number,
        "company": "Ferretería Núñez",
    }
    assert invoice.number in form.initial["body"]

    response = client.post(
        url, {"to": "ana@example.com", "subject": "Factura", "body": "Hola"}, follow=True
    )
    sent = Email.objects.get()
    assert response.redirect_chain[-1][0] == reverse("mail:email", args=[company.pk, sent.pk])
    assert len(smtp_server.inbox.messages) == 1
    assert "ana@example.com" in [str(m) for m in response.context["messages"]][0]


def test_send_form_reports_a_failure_and_a_missing_server(client, company, invoice, settings):
    url = reverse("mail:send_invoice", args=[company.pk, invoice.pk])
    data = {"to": "ana@example.com", "subject": "Factura", "body": "Hola"}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No mail server is set up" in response.content.decode()

    settings.PARTIDA_SMTP_URL = f"smtp://127.0.0.1:{free_port()}"
    response = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("The email could not be sent:")
    assert "refused" in message.lower()
    assert Email.objects.get().status == Email.Status.FAILED


def test_emails_tab_lists_newest_first_with_status_and_only_this_company(
    client, company, other_company, invoice, smtp_server, settings
):
    settings.PARTIDA_SMTP_URL = smtp_server.url
    first = do_send_invoice_email(company, invoice, "ana@example.com", "Primero", "")
    settings.PARTIDA_SMTP_URL = f"smtp://127.0.0.1:{free_port()}"
    second = do_send_invoice_email(company, invoice, "ana@example.com", "Segundo", "")
    elsewhere = make_invoice(other_company, "x@example.com")
    settings.PARTIDA_SMTP_URL = smtp_server.url
    foreign = do_send_invoice_email(other_company, elsewhere, "x@example.com", "Ajeno", "")

    page = client.get(reverse("mail:emails", args=[company.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["active_tab"] == "emails"
    assert [e.pk for e in page.context["page"].object_list] == [second.pk, first.pk]
    html = page.content.decode()
    assert "Delivered to the mail server" in html and "Not delivered" in html
    assert "Ajeno" not in html

    detail = client.get(reverse("mail:email", args=[company.pk, first.pk]))
    [file] = detail.context["files"]
    download = client.get(reverse("mail:email_file", args=[company.pk, first.pk, file.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert client.get(reverse("mail:email", args=[company.pk, foreign.pk])).status_code == 404
    assert (
        client.get(reverse("mail:email_file", args=[company.pk, foreign.pk, file.pk])).status_code
        == 404
    )


def test_mail_server_settings_never_echo_the_password(client, company):
    url = reverse("mail:settings", args=[company.pk])
    data = {
        "host": "smtp.example.com",
        "port": "587",
        "security": "starttls",
        "username": "yo",
        "password": "s3cr3t-pw",
        "from_address": "yo@example.com",
    }
    assert client.post(url, data).status_code == 302
    saved = SmtpSettings.objects.get(company=company)
    assert saved.password == "s3cr3t-pw"
    assert "s3cr3t-pw" not in client.get(url).content.decode()

    client.post(url, {**data, "password": "", "host": "smtp2.example.com"})
    saved.refresh_from_db()
    assert (saved.host, saved.password) == ("smtp2.example.com", "s3cr3t-pw")

    client.post(url, {"remove": "1"})
    assert not SmtpSettings.objects.filter(company=company).exists()


def test_an_english_companys_invoice_is_in_english(other_company, smtp_server, settings):
    settings.PARTIDA_SMTP_URL = smtp_server.url
    invoice = make_invoice(other_company)
    with translation.override("es"):
        do_send_invoice_email(other_company, invoice, "ana@example.com", "Invoice", "Hello")
    [pdf] = pdf_parts(received(smtp_server)[1])
    assert pdf.get_filename() == f"Invoice {invoice.number}.pdf"
    assert f"Invoice {invoice.number}".encode() in pdf.get_content()
