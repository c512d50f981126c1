"""A sales invoice as a PDF document, in the company's chart language and currency format.

Amounts go through Babel in the chart's language (the customer reads the invoice, not the
user), so a Spanish company's invoice says "1.234,56 €" whatever language the screens are in.
"""

import re
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from partida.books import models as m
from partida.books.numbers import format_money, format_number
from partida.books.pdf_fonts import body_font


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
        family, text = body_font(pdf)

        pdf.set_title(text(_("Invoice %(number)s") % {"number": invoice_number(invoice)}))
        pdf.set_author(text(company.invoice_name))
        pdf.set_creation_date(timezone.now())
        pdf.add_page()
        new_line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

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
                format_money(line.unit_price, currency, exact=True),
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
