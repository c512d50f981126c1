"""Sending a sales invoice by email, as a PDF, and keeping every email sent or tried.

The mail server is the company's own (``SmtpSettings``) if it has one, else the program's
(``settings.PARTIDA_SMTP_URL``: ``smtp://user:pass@host:port``, ``smtp+ssl://`` or
``smtp+starttls://``). Every delivery, successful or not, is recorded as an ``Email`` with its
attachments, whose bytes go to the attachments' blob store.
"""

import io
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from partida.attachments.store import store_blob
from partida.books import models as m
from partida.books.numbers import format_money, format_number
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


# --- The invoice as a PDF ---------------------------------------------------------------------

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")


def _unicode_font() -> tuple[str, str] | None:
    for folder in FONT_DIRS:
        regular = os.path.join(folder, "DejaVuSans.ttf")
        bold = os.path.join(folder, "DejaVuSans-Bold.ttf")
        if os.path.exists(regular) and os.path.exists(bold):
            return regular, bold
    return None


def invoice_number(invoice: m.SalesInvoice) -> str:
    return invoice.reference or formats.date_format(invoice.date, "SHORT_DATE_FORMAT")


def invoice_total(invoice: m.SalesInvoice) -> Decimal:
    return sum((line.amount for line in invoice.lines.all()), Decimal("0.00"))


def money(value: Decimal, currency: str) -> str:
    return format_money(value, currency)


def invoice_filename(invoice: m.SalesInvoice) -> str:
    with translation.override(invoice.company.chart_language):
        name = _("Invoice %(number)s") % {"number": invoice_number(invoice)}
    return re.sub(r'[\\/:*?"<>|]+', "-", name) + ".pdf"


def invoice_pdf(invoice: m.SalesInvoice) -> bytes:
    """The sales invoice as a one-document PDF, in the company's chart language."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    company = invoice.company
    with translation.override(company.chart_language):
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(auto=True, margin=15)
        font = _unicode_font()
        if font:
            pdf.add_font("Body", "", font[0])
            pdf.add_font("Body", "B", font[1])
            family = "Body"

            def text(value) -> str:
                return str(value)

        else:  # the core fonts know Latin-1 only, which has no euro sign
            family = "Helvetica"

            def text(value) -> str:
                latin = str(value).replace("€", "EUR")
                return latin.encode("latin-1", "replace").decode("latin-1")

        pdf.set_title(text(_("Invoice %(number)s") % {"number": invoice_number(invoice)}))
        pdf.set_author(text(company.name))
        pdf.set_creation_date(timezone.now())
        pdf.add_page()
        new_line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

        pdf.set_font(family, "B", 16)
        pdf.cell(0, 9, text(company.name), **new_line)
        pdf.set_font(family, "B", 13)
        pdf.cell(
            0, 8, text(_("Invoice %(number)s") % {"number": invoice_number(invoice)}), **new_line
        )
        pdf.ln(3)

        pdf.set_font(family, "", 10)
        customer = invoice.customer
        pdf.cell(0, 6, text(_("Customer: %(name)s") % {"name": customer.name}), **new_line)
        if customer.tax_id:
            pdf.cell(0, 6, text(_("Tax ID: %(id)s") % {"id": customer.tax_id}), **new_line)
        if customer.address:
            pdf.multi_cell(0, 5, text(customer.address), **new_line)
        pdf.cell(
            0,
            6,
            text(_("Date: %(date)s") % {"date": formats.date_format(invoice.date)}),
            **new_line,
        )
        if invoice.due_date:
            pdf.cell(
                0,
                6,
                text(_("Due date: %(date)s") % {"date": formats.date_format(invoice.due_date)}),
                **new_line,
            )
        if invoice.reference:
            pdf.cell(0, 6, text(_("Reference: %(ref)s") % {"ref": invoice.reference}), **new_line)
        if invoice.description:
            pdf.multi_cell(0, 5, text(invoice.description), **new_line)
        pdf.ln(4)

        currency = company.base_currency
        widths = (90, 25, 35, 40)
        pdf.set_font(family, "B", 10)
        headings = (_("Description"), _("Quantity"), _("Unit price"), _("Amount"))
        for width, heading, align in zip(widths, headings, "LRRR", strict=True):
            pdf.cell(width, 7, text(heading), border="B", align=align)
        pdf.ln()
        pdf.set_font(family, "", 10)
        lines = list(invoice.lines.select_related("account"))
        for line in lines:
            description = line.description or line.account.name
            quantity = format_number(line.quantity, None)
            cells = (
                description[:60],
                quantity,
                money(line.unit_price, currency),
                money(line.amount, currency),
            )
            for width, value, align in zip(widths, cells, "LRRR", strict=True):
                pdf.cell(width, 7, text(value), align=align)
            pdf.ln()
        pdf.set_font(family, "B", 11)
        pdf.cell(sum(widths[:3]), 9, text(_("Total")), border="T", align="R")
        total = sum((line.amount for line in lines), Decimal("0.00"))
        pdf.cell(widths[3], 9, text(money(total, currency)), border="T", align="R")
        pdf.ln()
        return bytes(pdf.output())


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
