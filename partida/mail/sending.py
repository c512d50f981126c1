"""Sending a sales invoice by email, as a PDF, and keeping every email sent or tried.

The mail server is the company's own (``SmtpSettings``) if it has one, else the program's
(``settings.PARTIDA_SMTP_URL``: ``smtp://user:pass@host:port``, ``smtp+ssl://`` or
``smtp+starttls://``). Every delivery, successful or not, is recorded as an ``Email`` with its
attachments, whose bytes go to the attachments' blob store.
"""

import io
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partida.attachments.store import store_blob
from partida.books import models as m
from partida.books.invoice_pdf import (
    invoice_filename,
    invoice_number,
    invoice_pdf,
    invoice_total,
    money,
)
from partida.mail.models import Email, EmailAttachment, SmtpSettings

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_TIMEOUT = 30
DEFAULT_PORTS = {"none": 25, "ssl": 465, "starttls": 587}
SCHEMES = {"smtp": "none", "smtp+ssl": "ssl", "smtps": "ssl", "smtp+starttls": "starttls"}


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    username: str
    password: str
    security: str  # "none", "ssl" or "starttls"
    from_address: str

    def connection(self):
        # Always SMTP, whatever EMAIL_BACKEND says: these settings name a real server.
        return get_connection(
            SMTP_BACKEND,
            host=self.host,
            port=self.port,
            username=self.username or None,
            password=self.password or None,
            use_tls=self.security == "starttls",
            use_ssl=self.security == "ssl",
            timeout=SMTP_TIMEOUT,
            fail_silently=False,
        )


def parse_smtp_url(url: str) -> MailServer:
    """``smtp://user:pass@host:port`` (plain), ``smtp+ssl://...`` or ``smtp+starttls://...``.

    An optional ``?from=address`` sets the sender; otherwise ``DEFAULT_FROM_EMAIL``.
    """
    parts = urlsplit(url.strip())
    security = SCHEMES.get(parts.scheme.lower())
    if security is None or not parts.hostname:
        raise ValidationError(
            _(
                "The mail server address “%(url)s” is not understood. Write it as "
                "smtp://user:password@host:port, smtp+ssl://… or smtp+starttls://…."
            ),
            code="bad_smtp_url",
            params={"url": f"{parts.scheme}://{parts.hostname or ''}"},
        )
    try:
        port = parts.port or DEFAULT_PORTS[security]
    except ValueError as error:
        raise ValidationError(
            _("The mail server's port is not a number. Correct PARTIDA_SMTP_URL."),
            code="bad_smtp_url",
        ) from error
    from_address = parse_qs(parts.query).get("from", [""])[0] or settings.DEFAULT_FROM_EMAIL
    return MailServer(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        security=security,
        from_address=from_address,
    )


def mail_server_for(company: m.Company) -> MailServer:
    """The company's own mail server, else the program's; a clear error if there is neither."""
    own = SmtpSettings.objects.filter(company=company).first()
    if own is not None:
        return MailServer(
            host=own.host,
            port=own.port,
            username=own.username,
            password=own.password,
            security=own.security,
            from_address=own.from_address,
        )
    if settings.PARTIDA_SMTP_URL:
        return parse_smtp_url(settings.PARTIDA_SMTP_URL)
    raise ValidationError(
        _(
            "No mail server is set up, so the email cannot be sent. Enter your mail server "
            "in Emails › Mail server settings, then try again."
        ),
        code="no_mail_server",
    )


def split_addresses(value: str | list[str]) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,;\s]+", value)
    return [address.strip() for address in value if address and address.strip()]


def check_addresses(addresses: list[str]) -> None:
    if not addresses:
        raise ValidationError(_("Enter the address to send the email to."), code="no_recipient")
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError as error:
            raise ValidationError(
                _("“%(address)s” is not an email address. Correct it and send again."),
                code="bad_recipient",
                params={"address": address},
            ) from error


# --- Sending ----------------------------------------------------------------------------------


def default_subject_and_body(invoice: m.SalesInvoice) -> tuple[str, str]:
    """A subject and message for the invoice, in the company's chart language."""
    company = invoice.company
    with translation.override(company.chart_language):
        values = {
            "number": invoice_number(invoice),
            "company": company.name,
            "customer": invoice.customer.name,
            "total": money(invoice_total(invoice), company.base_currency),
        }
        subject = _("Invoice %(number)s from %(company)s") % values
        body = (
            _(
                "Hello %(customer)s,\n\nPlease find attached invoice %(number)s for "
                "%(total)s.\n\nKind regards,\n%(company)s"
            )
            % values
        )
    return subject, body


def describe_error(error: Exception) -> str:
    detail = str(error).strip()
    name = type(error).__name__
    return f"{name}: {detail}" if detail else name


def do_send_invoice_email(
    company: m.Company, invoice: m.SalesInvoice, to, subject: str, body: str
) -> Email:
    """Send the invoice as a PDF and record the email, delivered or not.

    Raises ValidationError, recording nothing, when there is no mail server or an address is
    wrong. A server that refuses or cannot be reached gives an Email with status "failed" and
    the server's error. Sending happens outside any database transaction, so a slow server never
    holds the database.
    """
    if invoice.company_id != company.pk:
        raise m.SalesInvoice.DoesNotExist
    addresses = split_addresses(to)
    check_addresses(addresses)
    subject = " ".join(subject.split())
    if not subject:
        raise ValidationError(_("Enter a subject for the email."), code="no_subject")
    server = mail_server_for(company)

    pdf = invoice_pdf(invoice)
    filename = invoice_filename(invoice)
    sha256, size = store_blob(io.BytesIO(pdf))

    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=server.from_address,
        to=addresses,
        connection=server.connection(),
    )
    message.attach(filename, pdf, "application/pdf")
    status, error_text = Email.Status.SENT, ""
    try:
        message.send(fail_silently=False)
    except Exception as error:  # any refusal or network failure is recorded, not raised
        status, error_text = Email.Status.FAILED, describe_error(error)

    with transaction.atomic():
        email = Email.objects.create(
            company=company,
            sent_at=timezone.now(),
            from_address=server.from_address,
            to_addresses="\n".join(addresses),
            subject=subject[:500],
            body=body,
            about_kind="sales_invoice",
            about_id=invoice.pk,
            status=status,
            error=error_text,
        )
        EmailAttachment.objects.create(
            company=company,
            email=email,
            filename=filename,
            content_type="application/pdf",
            size=size,
            sha256=sha256,
        )
    return email
