"""The screens of real books, driven through the Django test client as a browser sends them:
taxes on lines and the totals, invoice numbers and drafts, receipts and payments applied to
invoices, credit notes, the invoices' states in the lists, the invoice PDF and History."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from partida.books import actions
from partida.books import models as m
from partida.history.models import HistoryEntry

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
YEAR = TODAY.year


@pytest.fixture
def books(db):
    """A Spanish company (the PGC: 700 sales, 430 customers, 477 IVA, 5720 bank) with a
    customer and a supplier."""
    company = actions.do_create_company("Ferretería Núñez", "EUR", "es")
    actions.do_update_company(
        company, legal_name="Ferretería Núñez, S.L.", tax_id="B12345674", city="Madrid"
    )
    customer = actions.do_save_record(
        company,
        m.Customer(name="Ana Ruiz", tax_id="12345678Z", address="Calle Luna 3\n41001 Sevilla"),
    )
    supplier = actions.do_save_record(company, m.Supplier(name="Luz del Sur S.A."))
    return company, customer, supplier


def account(company, code):
    return m.Account.objects.get(company=company, code=code)


def tax(company, name):
    return m.TaxCode.objects.get(company=company, name=name)


def bank(company):
    return m.BankAccount.objects.get(company=company, kind="bank")


def url(name, company, **kwargs):
    return reverse(f"books:{name}", kwargs={"company_id": company.pk, **kwargs})


def lines_data(lines, initial=0):
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = "" if value is None else str(value)
    return data


def posted(company, record) -> dict[str, Decimal]:
    """What the record posts, by account code."""
    entries = m.LedgerEntry.objects.filter(source_id=record.pk).select_related("account")
    totals: dict[str, Decimal] = {}
    for entry in entries:
        totals[entry.account.code] = totals.get(entry.account.code, Decimal("0")) + entry.amount
    return totals


def text_of(response) -> str:
    """The page's text without tags, spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(page.split())


def invoice_line(company, code, quantity, price, tax_name=None, description=""):
    return {
        "account": account(company, code).pk,
        "description": description,
        "quantity": quantity,
        "unit_price": price,
        "tax_code": tax(company, tax_name).pk if tax_name else "",
    }


def save_invoice(client, company, customer, lines, expect=302, **fields):
    data = {
        "date": fields.pop("date", TODAY.isoformat()),
        "customer": str(customer.pk),
        **fields,
        **lines_data(lines),
    }
    response = client.post(url("record_add", company, kind="sales_invoice"), data)
    assert response.status_code == expect, text_of(response)
    return response


def new_invoice(company, customer, price="100", tax_name="IVA 21 %", **fields):
    """An issued invoice, saved through the actions as the form saves it."""
    return actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, **fields),
        [
            m.SalesInvoiceLine(
                account=account(company, "700"),
                quantity=Decimal("1"),
                unit_price=Decimal(price),
                tax_code=tax(company, tax_name) if tax_name else None,
            )
        ],
    )


def list_row(client, company, kind, label) -> str:
    """The text of the row of a list that names ``label``."""
    page = client.get(url("record_list", company, kind=kind)).content.decode()
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
        if label in text:
            return text
    raise AssertionError(f"no row with {label} in the list")


# --- Taxes on lines, and the totals ----------------------------------------------------------


def test_an_invoice_with_two_rates_and_a_line_without_tax_posts_its_bases_and_tax(client, books):
    company, customer, _supplier = books
    page = client.get(url("record_add", company, kind="sales_invoice"))
    line = page.context["formset"].forms[0]
    offered = [label for value, label in line.fields["tax_code"].widget.choices]
    assert offered[0] == "No tax" and "IVA 21 %" in offered and "IVA 10 %" in offered
    html = page.content.decode()
    assert 'data-rate="21.0000"' in html
    assert "Amounts include tax" in html and "half a cent up" in html
    assert "amount × rate / (100 + rate)" in html

    save_invoice(
        client,
        company,
        customer,
        [
            invoice_line(company, "700", "2", "500", "IVA 21 %", "Taladros"),
            invoice_line(company, "700", "1", "100.05", "IVA 10 %", "Brocas"),
            invoice_line(company, "705", "1", "50", None, "Montaje"),
        ],
    )
    invoice = m.SalesInvoice.objects.get(company=company)
    assert invoice.number == f"F{YEAR}-0001"
    assert [line.tax_amount for line in invoice.lines.all()] == [
        Decimal("210.00"),
        Decimal("10.01"),  # 10.005, half a cent up
        Decimal("0.00"),
    ]
    assert posted(company, invoice) == {
        "700": Decimal("-1100.05"),
        "705": Decimal("-50.00"),
        "477": Decimal("-220.01"),
        "430": Decimal("1370.06"),
    }

    form = client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk))
    shown = text_of(form)
    assert f"Sales invoice F{YEAR}-0001" in shown
    # Base, tax and total for each tax code, and altogether.
    assert "IVA 21 % 1,000.00 210.00 1,210.00" in shown
    assert "IVA 10 % 100.05 10.01 110.06" in shown
    assert "No tax 50.00 0.00 50.00" in shown
    assert "Total (EUR) 1,150.05 220.01 1,370.06" in shown
    # The number is shown, never typed.
    assert 'name="number"' not in form.content.decode()
    # The list's total has the tax in it.
    assert "1,370.06" in list_row(client, company, "sales_invoice", f"F{YEAR}-0001")


def test_amounts_that_include_tax_are_split_into_base_and_tax(client, books):
    company, customer, _supplier = books
    save_invoice(
        client,
        company,
        customer,
        [
            invoice_line(company, "700", "1", "121", "IVA 21 %"),
            invoice_line(company, "700", "1", "10", "IVA 21 %"),
        ],
        amounts_include_tax="on",
    )
    invoice = m.SalesInvoice.objects.get(company=company)
    assert invoice.amounts_include_tax
    # 10 × 21 / 121 = 1.7355…, rounded to the cent.
    assert [line.tax_amount for line in invoice.lines.all()] == [Decimal("21.00"), Decimal("1.74")]
    assert posted(company, invoice) == {
        "700": Decimal("-108.26"),
        "477": Decimal("-22.74"),
        "430": Decimal("131.00"),
    }
    shown = text_of(client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk)))
    assert "IVA 21 % 108.26 22.74 131.00" in shown


def test_a_receipt_line_with_tax_posts_it_and_the_list_total_has_it(client, books):
    company, customer, _supplier = books
    data = {
        "date": TODAY.isoformat(),
        "bank_account": str(bank(company).pk),
        **lines_data(
            [
                {
                    "account": account(company, "700").pk,
                    "amount": "200",
                    "tax_code": tax(company, "IVA 21 %").pk,
                }
            ]
        ),
    }
    response = client.post(url("record_add", company, kind="receipt"), data)
    assert response.status_code == 302, text_of(response)
    receipt = m.Receipt.objects.get(company=company)
    assert posted(company, receipt) == {
        "5720": Decimal("242.00"),
        "700": Decimal("-200.00"),
        "477": Decimal("-42.00"),
    }
    assert "242.00" in list_row(client, company, "receipt", "Banco")


def test_archived_accounts_and_taxes_are_not_offered_but_a_line_keeps_its_own(client, books):
    company, customer, _supplier = books
    invoice = new_invoice(company, customer, tax_name="IVA 10 %")
    actions.do_set_archived(company, account(company, "700"), True)
    actions.do_set_archived(company, tax(company, "IVA 10 %"), True)

    new = client.get(url("record_add", company, kind="sales_invoice")).context["formset"]
    assert account(company, "700") not in new.forms[0].fields["account"].queryset
    assert tax(company, "IVA 10 %") not in new.forms[0].fields["tax_code"].queryset

    edit = client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk))
    line = edit.context["formset"].forms[0]
    assert account(company, "700") in line.fields["account"].queryset
    assert tax(company, "IVA 10 %") in line.fields["tax_code"].queryset


# --- Numbers and drafts ----------------------------------------------------------------------


def test_a_draft_posts_nothing_until_it_is_issued_with_its_button(client, books):
    company, customer, _supplier = books
    response = save_invoice(
        client,
        company,
        customer,
        [invoice_line(company, "700", "1", "100", "IVA 21 %")],
        draft="on",
    )
    invoice = m.SalesInvoice.objects.get(company=company)
    assert invoice.draft and invoice.number == ""
    assert not m.LedgerEntry.objects.filter(source_id=invoice.pk).exists()
    listing = client.get(response["Location"])
    assert "Saved as a draft" in text_of(listing)
    assert "Draft" in list_row(client, company, "sales_invoice", "Ana Ruiz")

    form = client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk))
    page = form.content.decode()
    issue = url("sales_invoice_issue", company, pk=invoice.pk)
    assert f'action="{issue}"' in page and "Issue invoice" in page
    assert "Sales invoice (draft)" in text_of(form)
    assert 'name="draft"' not in page  # a draft is issued with the button, not the box

    # The button posts with the form's CSRF token; without it nothing happens.
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(issue).status_code == 403
    invoice.refresh_from_db()
    assert invoice.draft
    assert client.get(issue).status_code == 405

    response = client.post(issue)
    assert response["Location"] == url("record_edit", company, kind="sales_invoice", pk=invoice.pk)
    invoice.refresh_from_db()
    assert not invoice.draft and invoice.number == f"F{YEAR}-0001"
    assert posted(company, invoice) == {
        "700": Decimal("-100.00"),
        "477": Decimal("-21.00"),
        "430": Decimal("121.00"),
    }
    issued = client.get(response["Location"])
    assert f"Invoice F{YEAR}-0001 was issued." in text_of(issued)
    assert "Issue invoice" not in issued.content.decode()

    # History has the saving and the issuing, the number in the issuing's after.
    entries = HistoryEntry.objects.filter(record_id=invoice.pk).order_by("at", "id")
    assert [entry.action for entry in entries] == ["create", "update"]
    assert entries[1].after["number"] == f"F{YEAR}-0001"
    assert entries[1].before["draft"] is True and entries[1].after["draft"] is False


def test_deleting_an_issued_invoice_warns_of_the_gap_and_the_list_names_it(client, books):
    company, customer, _supplier = books
    first = new_invoice(company, customer)
    second = new_invoice(company, customer)
    assert (first.number, second.number) == (f"F{YEAR}-0001", f"F{YEAR}-0002")
    confirm = text_of(client.get(url("record_delete", company, kind="sales_invoice", pk=first.pk)))
    assert (
        f"Its number F{YEAR}-0001 will stay unused in the series, a gap a Spanish series should "
        "not have: the usual way to cancel an invoice is a credit note." in confirm
    )
    client.post(url("record_delete", company, kind="sales_invoice", pk=first.pk))
    listing = text_of(client.get(url("record_list", company, kind="sales_invoice")))
    assert (
        f"The invoice number F{YEAR}-0001 was given to an invoice that was deleted: it stays "
        "unused, a gap in the series." in listing
    )
    # A draft's deletion leaves no gap and says nothing of one.
    draft = new_invoice(company, customer, draft=True)
    confirm = text_of(client.get(url("record_delete", company, kind="sales_invoice", pk=draft.pk)))
    assert "stay unused" not in confirm


# --- Receipts and payments applied to invoices -----------------------------------------------


def test_receipts_applied_to_an_invoice_make_it_partly_paid_then_paid(client, books):
    company, customer, _supplier = books
    other = actions.do_save_record(company, m.Customer(name="Bruno Sanz"))
    invoice = new_invoice(company, customer, due_date=TODAY + datetime.timedelta(days=30))
    theirs = new_invoice(company, other)
    assert "Issued" in list_row(client, company, "sales_invoice", invoice.number)

    # The invoice's button opens a receipt for the customer, paying what is due.
    form = client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk))
    pay = url("record_add", company, kind="receipt") + f"?invoice={invoice.pk}"
    assert f'href="{pay}"' in form.content.decode() and "Record a receipt" in text_of(form)
    opened = client.get(pay)
    assert opened.context["form"]["customer"].value() == customer.pk
    line = opened.context["formset"].forms[0]
    assert line["invoice"].value() == invoice.pk
    assert line["amount"].value() == Decimal("121.00")
    # Every open invoice is offered, with its customer and what is due; the page's script shows
    # only the chosen customer's.
    labels = dict(line.fields["invoice"].widget.choices)
    assert labels[str(invoice.pk)] == f"{invoice.number} · Ana Ruiz · due €121.00"
    assert labels[str(theirs.pk)] == f"{theirs.number} · Bruno Sanz · due €121.00"
    assert f'data-party="{other.pk}"' in opened.content.decode()

    def receive(amount, **line):
        data = {
            "date": TODAY.isoformat(),
            "bank_account": str(bank(company).pk),
            "customer": str(customer.pk),
            **lines_data([{"invoice": invoice.pk, "account": "", "amount": amount, **line}]),
        }
        return client.post(pay, data)

    refused = receive("50", tax_code=tax(company, "IVA 21 %").pk)
    assert refused.status_code == 400
    assert "A line that pays an invoice carries no tax" in text_of(refused)

    assert receive("50").status_code == 302
    receipt = m.Receipt.objects.get(company=company)
    assert posted(company, receipt) == {"5720": Decimal("50.00"), "430": Decimal("-50.00")}
    row = list_row(client, company, "sales_invoice", invoice.number)
    assert "Partly paid" in row and "121.00 71.00" in row

    form = text_of(client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk)))
    assert "Partly paid" in form and "Balance due €71.00" in form and "Paid €50.00" in form
    assert "Receipts applied:" in form

    assert receive("71").status_code == 302
    row = list_row(client, company, "sales_invoice", invoice.number)
    assert "Paid" in row and "Partly" not in row and "121.00 0.00" in row
    form = client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk))
    assert "Record a receipt" not in text_of(form)

    # Editing a receipt keeps offering the invoice it pays, though nothing is due any more.
    edit = client.get(url("record_edit", company, kind="receipt", pk=receipt.pk))
    offered = dict(edit.context["formset"].forms[0].fields["invoice"].widget.choices)
    # What was due before this receipt paid its 50.
    assert offered[str(invoice.pk)] == f"{invoice.number} · Ana Ruiz · due €50.00"


def test_an_invoice_past_its_due_date_with_something_due_is_overdue_in_spanish(client, books):
    company, customer, _supplier = books
    late = new_invoice(
        company,
        customer,
        date=TODAY - datetime.timedelta(days=60),
        due_date=TODAY - datetime.timedelta(days=30),
    )
    actions.do_save_transaction(
        company,
        m.Receipt(bank_account=bank(company), customer=customer),
        [m.ReceiptLine(invoice=late, account=account(company, "430"), amount=Decimal("21"))],
    )
    page = client.get(url("record_list", company, kind="sales_invoice"), HTTP_ACCEPT_LANGUAGE="es")
    row = text_of(page)
    assert "Vencida" in row and "100,00" in row
    for heading in ("Número", "Cliente", "Vencimiento", "Pendiente", "Estado"):
        assert heading in row, heading


def test_a_payment_applied_to_a_purchase_invoice(client, books):
    company, _customer, supplier = books
    invoice = actions.do_save_transaction(
        company,
        m.PurchaseInvoice(supplier=supplier, reference="L-77"),
        [
            m.PurchaseInvoiceLine(
                account=account(company, "628"),
                quantity=Decimal("1"),
                unit_price=Decimal("80"),
                tax_code=tax(company, "IVA 21 %"),
            )
        ],
    )
    assert posted(company, invoice) == {
        "628": Decimal("80.00"),
        "472": Decimal("16.80"),
        "400": Decimal("-96.80"),
    }
    form = client.get(url("record_edit", company, kind="purchase_invoice", pk=invoice.pk))
    pay = url("record_add", company, kind="payment") + f"?invoice={invoice.pk}"
    assert f'href="{pay}"' in form.content.decode() and "Record a payment" in text_of(form)
    data = {
        "date": TODAY.isoformat(),
        "bank_account": str(bank(company).pk),
        "supplier": str(supplier.pk),
        **lines_data([{"invoice": invoice.pk, "amount": "40"}]),
    }
    assert client.post(pay, data).status_code == 302
    payment = m.Payment.objects.get(company=company)
    assert posted(company, payment) == {"5720": Decimal("-40.00"), "400": Decimal("40.00")}
    row = list_row(client, company, "purchase_invoice", "L-77")
    assert "Partly paid" in row and "96.80 56.80" in row


# --- Credit notes ----------------------------------------------------------------------------


def test_a_credit_note_copies_the_invoice_lowers_its_balance_and_reverses_its_posting(
    client, books
):
    company, customer, _supplier = books
    invoice = new_invoice(company, customer)
    form = client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk))
    create = url("record_add", company, kind="sales_invoice") + f"?corrects={invoice.pk}"
    assert f'href="{create}"' in form.content.decode() and "Create credit note" in text_of(form)

    opened = client.get(create)
    shown = text_of(opened)
    assert "New credit note" in shown and f"Corrects invoice {invoice.number}" in shown
    assert "A credit note lowers what the customer owes" in shown
    assert opened.context["form"]["customer"].value() == customer.pk
    line = opened.context["formset"].forms[0]
    assert line["unit_price"].value() == Decimal("100.0000")
    assert line["tax_code"].value() == tax(company, "IVA 21 %").pk

    data = {
        "date": TODAY.isoformat(),
        "customer": str(customer.pk),
        "corrects": str(invoice.pk),
        **lines_data([invoice_line(company, "700", "1", "40", "IVA 21 %")]),
    }
    assert client.post(create, data).status_code == 302
    note = m.SalesInvoice.objects.get(company=company, corrects=invoice)
    assert note.number == f"R{YEAR}-0001"
    assert posted(company, note) == {
        "700": Decimal("40.00"),
        "477": Decimal("8.40"),
        "430": Decimal("-48.40"),
    }
    row = list_row(client, company, "sales_invoice", invoice.number + " ")
    assert "Partly paid" in row and "121.00 72.60" in row
    note_row = list_row(client, company, "sales_invoice", note.number)
    assert f"Credit note for {invoice.number}" in note_row and "-48.40" in note_row

    # Its own form names the invoice it corrects, which cannot be changed.
    note_form = client.get(url("record_edit", company, kind="sales_invoice", pk=note.pk))
    assert f"Credit note R{YEAR}-0001" in text_of(note_form)
    assert f"Corrects invoice {invoice.number}" in text_of(note_form)
    assert "Create credit note" not in text_of(note_form)
    assert "Credit notes: " + note.number in text_of(
        client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk))
    )


def test_a_suppliers_credit_note_keeps_the_suppliers_number(client, books):
    company, _customer, supplier = books
    invoice = actions.do_save_transaction(
        company,
        m.PurchaseInvoice(supplier=supplier, reference="L-77"),
        [m.PurchaseInvoiceLine(account=account(company, "628"), unit_price=Decimal("80"))],
    )
    create = url("record_add", company, kind="purchase_invoice") + f"?corrects={invoice.pk}"
    opened = text_of(client.get(create))
    assert "Corrects invoice L-77" in opened and "lowers what you owe the supplier" in opened
    data = {
        "date": TODAY.isoformat(),
        "supplier": str(supplier.pk),
        "reference": "AB-3",
        "corrects": str(invoice.pk),
        **lines_data([invoice_line(company, "628", "1", "80")]),
    }
    assert client.post(create, data).status_code == 302
    note = m.PurchaseInvoice.objects.get(company=company, corrects=invoice)
    assert note.reference == "AB-3"
    assert posted(company, note) == {"628": Decimal("-80.00"), "400": Decimal("80.00")}
    assert "Paid" in list_row(client, company, "purchase_invoice", "L-77")
    assert "Credit note for L-77" in list_row(client, company, "purchase_invoice", "AB-3")


# --- The invoice PDF -------------------------------------------------------------------------


def pdf_lines(client, company, invoice) -> list[str]:
    response = client.get(url("sales_invoice_pdf", company, pk=invoice.pk))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages).splitlines()


def test_the_pdf_has_the_number_the_buyer_each_rate_and_the_breakdown(client, books):
    company, customer, _supplier = books
    invoice = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, date=datetime.date(YEAR, 3, 12)),
        [
            m.SalesInvoiceLine(
                account=account(company, "700"),
                description="Taladro",
                quantity=Decimal("2"),
                unit_price=Decimal("500"),
                tax_code=tax(company, "IVA 21 %"),
            ),
            m.SalesInvoiceLine(
                account=account(company, "700"),
                description="Brocas",
                quantity=Decimal("1"),
                unit_price=Decimal("100"),
                tax_code=tax(company, "IVA 10 %"),
            ),
        ],
    )
    lines = pdf_lines(client, company, invoice)
    text = "\n".join(lines)
    assert lines[0] == "Ferretería Núñez, S.L." and "NIF: B12345674" in lines
    assert f"Factura F{YEAR}-0001" in lines
    assert "Cliente: Ana Ruiz" in lines and "NIF: 12345678Z" in lines and "41001 Sevilla" in lines
    assert f"Fecha: 12 de marzo de {YEAR}" in lines
    assert re.search(r"Taladro\s*2\s*500,00\s€\s*21 %\s*1\.000,00\s€", text), text
    assert re.search(r"IVA 21 %\s*1\.000,00\s€\s*21 %\s*210,00\s€", text), text
    assert re.search(r"IVA 10 %\s*100,00\s€\s*10 %\s*10,00\s€", text), text
    assert re.search(r"Total\s*1\.320,00\s€", text), text

    note = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, corrects=invoice, date=datetime.date(YEAR, 3, 20)),
        [
            m.SalesInvoiceLine(
                account=account(company, "700"),
                description="Brocas devueltas",
                unit_price=Decimal("100"),
                tax_code=tax(company, "IVA 10 %"),
            )
        ],
    )
    text = "\n".join(pdf_lines(client, company, note))
    assert f"Factura rectificativa R{YEAR}-0001" in text
    assert f"Rectifica la factura F{YEAR}-0001 del 12 de marzo de {YEAR}" in text
    assert re.search(r"Total\s*-110,00\s€", text), text

    draft = new_invoice(company, customer, draft=True)
    text = "\n".join(pdf_lines(client, company, draft))
    assert "Factura Borrador" in text and "F2" not in text.replace(f"F{YEAR}-0001", "")
