"""A sales invoice as a PDF document, in the company's chart language and currency format.

Amounts go through Babel in the chart's language (the customer reads the invoice, not the
user), so a Spanish company's invoice says "1.234,56 €" whatever language the screens are in.

What a Spanish invoice must say is there: its number (a draft says it is one and has none), its
date and due date, the seller's and the buyer's legal name, NIF and address, each line with its
quantity, unit price, tax rate and amount, then the base, rate and quota of each tax and the
total. A credit note (factura rectificativa) says so, names the invoice it corrects and its
date, and shows its amounts negative, as what it takes off that invoice.
"""

import io
import re
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from PIL import Image

from partida.books import models as m
from partida.books.invoices import tax_breakdown
from partida.books.logo import logo_png
from partida.books.numbers import format_money, format_number
from partida.books.pdf_fonts import body_font
from partida.books.posting import document_total


def invoice_number(invoice: m.SalesInvoice) -> str:
    """The invoice's number; an invoice from before numbering, its reference or its date; a
    draft, the word for one."""
    if invoice.draft:
        return _("Draft")
    return (
        invoice.number
        or invoice.reference
        or formats.date_format(invoice.date, "SHORT_DATE_FORMAT")
    )


def invoice_total(invoice: m.SalesInvoice) -> Decimal:
    """What the invoice comes to: each line's base and tax, less any withholding."""
    return document_total(invoice, list(invoice.lines.all()))


def money(value: Decimal, currency: str) -> str:
    return format_money(value, currency)


def rate_text(rate: Decimal) -> str:
    """A tax rate as the language writes it: "21 %", "-15 %", "5,5 %"."""
    return f"{format_number(rate.normalize(), None)} %"


def invoice_title(invoice: m.SalesInvoice) -> str:
    if invoice.corrects_id:
        return _("Credit note %(number)s") % {"number": invoice_number(invoice)}
    return _("Invoice %(number)s") % {"number": invoice_number(invoice)}


def invoice_filename(invoice: m.SalesInvoice) -> str:
    with translation.override(invoice.company.chart_language):
        name = invoice_title(invoice)
    return re.sub(r'[\\/:*?"<>|]+', "-", name) + ".pdf"


#: Where the logo goes: the top right corner, at most this wide and high (millimetres).
LOGO_MM = (60, 22)


def draw_logo(pdf, company: m.Company) -> None:
    """The company's logo in the top right corner, scaled to fit; none when it does not read."""
    png = logo_png(company.logo)
    if png is None:
        return
    width, height = Image.open(io.BytesIO(png)).size
    scale = min(LOGO_MM[0] / width, LOGO_MM[1] / height)
    shown_width = width * scale
    pdf.image(io.BytesIO(png), x=pdf.w - pdf.r_margin - shown_width, y=pdf.t_margin, w=shown_width)


def invoice_pdf(invoice: m.SalesInvoice) -> bytes:
    """The sales invoice as a one-document PDF, in the company's chart language."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    company = invoice.company
    with translation.override(company.chart_language):
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(auto=True, margin=15)
        family, text = body_font(pdf)
        title = invoice_title(invoice)

        pdf.set_title(text(title))
        pdf.set_author(text(company.invoice_name))
        pdf.set_creation_date(timezone.now())
        pdf.add_page()
        new_line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

        draw_logo(pdf, company)
        # The seller as a Spanish invoice must name it: legal name, tax ID and address.
        pdf.set_font(family, "B", 16)
        pdf.cell(0, 9, text(company.invoice_name), **new_line)
        pdf.set_font(family, "", 10)
        if company.tax_id:
            pdf.cell(0, 5, text(_("Tax ID: %(id)s") % {"id": company.tax_id}), **new_line)
        for line in company.address_lines:
            pdf.cell(0, 5, text(line), **new_line)
        contact = " · ".join(part for part in (company.email, company.phone) if part)
        if contact:
            pdf.cell(0, 5, text(contact), **new_line)
        pdf.ln(2)
        pdf.set_font(family, "B", 13)
        pdf.cell(0, 8, text(title), **new_line)
        pdf.set_font(family, "", 10)
        corrected = invoice.corrects
        if corrected is not None:
            pdf.cell(
                0,
                6,
                text(
                    _("Corrects invoice %(number)s of %(date)s")
                    % {
                        "number": invoice_number(corrected),
                        "date": formats.date_format(corrected.date),
                    }
                ),
                **new_line,
            )
        if invoice.draft:
            pdf.cell(0, 6, text(_("Draft: not yet issued, it has no number.")), **new_line)
        pdf.ln(3)

        # The buyer: name, tax ID and address.
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
        # A credit note takes its amounts off the invoice it corrects: they print negative.
        sign = -1 if corrected is not None else 1
        widths = (78, 20, 32, 20, 40)
        pdf.set_font(family, "B", 10)
        headings = (_("Description"), _("Quantity"), _("Unit price"), _("Tax"), _("Amount"))
        for width, heading, align in zip(widths, headings, "LRRRR", strict=True):
            pdf.cell(width, 7, text(heading), border="B", align=align)
        pdf.ln()
        pdf.set_font(family, "", 10)
        lines = list(invoice.lines.select_related("account", "tax_code"))
        for line in lines:
            description = line.description or line.account.name
            cells = (
                description[:52],
                format_number(sign * line.quantity, None),
                format_money(line.unit_price, currency, exact=True),
                rate_text(line.tax_code.rate) if line.tax_code else "",
                money(sign * line.amount, currency),
            )
            for width, value, align in zip(widths, cells, "LRRRR", strict=True):
                pdf.cell(width, 7, text(value), align=align)
            pdf.ln()
        if invoice.amounts_include_tax:
            pdf.set_font(family, "", 8)
            pdf.cell(0, 6, text(_("The amounts of the lines include their tax.")), **new_line)
        pdf.ln(3)

        # Each tax: its base, rate and quota; then any withholding and the total.
        tax_widths = (70, 40, 30, 40)
        left = sum(widths) - sum(tax_widths)
        pdf.set_font(family, "B", 10)
        pdf.cell(left, 7, "")
        for width, heading, align in zip(
            tax_widths, (_("Tax"), _("Base"), _("Rate"), _("Quota")), "LRRR", strict=True
        ):
            pdf.cell(width, 7, text(heading), border="B", align=align)
        pdf.ln()
        pdf.set_font(family, "", 10)
        for code, base, tax in tax_breakdown(invoice, lines):
            cells = (
                str(code) if code is not None else _("No tax"),
                money(sign * base, currency),
                rate_text(code.rate) if code is not None else "",
                money(sign * tax, currency),
            )
            pdf.cell(left, 7, "")
            for width, value, align in zip(tax_widths, cells, "LRRR", strict=True):
                pdf.cell(width, 7, text(value), align=align)
            pdf.ln()
        withholding = invoice.withholding
        if withholding is not None and invoice.withholding_amount:
            bases = sum((base for _code, base, _tax in tax_breakdown(invoice, lines)), m.ZERO)
            cells = (
                str(withholding),
                money(sign * bases, currency),
                rate_text(withholding.rate),
                money(sign * invoice.withholding_amount, currency),
            )
            pdf.cell(left, 7, "")
            for width, value, align in zip(tax_widths, cells, "LRRR", strict=True):
                pdf.cell(width, 7, text(value), align=align)
            pdf.ln()
        pdf.set_font(family, "B", 11)
        pdf.cell(left, 9, "")
        pdf.cell(sum(tax_widths[:3]), 9, text(_("Total")), border="T", align="R")
        total = document_total(invoice, lines)
        pdf.cell(tax_widths[3], 9, text(money(sign * total, currency)), border="T", align="R")
        pdf.ln()
        return bytes(pdf.output())
