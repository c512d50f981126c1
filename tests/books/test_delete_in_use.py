"""The Delete page of a record that others use says so, names them, and offers no Delete button
that could only fail."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from partida.books import actions
from partida.books import models as m
from tests.books.test_screens import account, bank, url

pytestmark = pytest.mark.django_db


def sales_invoice(company, customer, reference, day):
    return actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, reference=reference, date=datetime.date(2026, 1, day)),
        [
            m.SalesInvoiceLine(
                account=account(company, "4000"), quantity=Decimal("1"), unit_price=Decimal("10")
            )
        ],
    )


def delete_button(html: str) -> bool:
    return bool(re.search(r'<button type="submit" class="danger">', html))


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_a_customer_in_use_names_the_invoices_a_few_then_how_many_more(client, company):
    customer = m.Customer.objects.create(company=company, name="Ana")
    invoices = [sales_invoice(company, customer, f"F-000{n}", n) for n in (5, 1, 3, 2, 4)]
    invoices.sort(key=lambda invoice: invoice.reference)
    page = client.get(
        url("record_delete", company, kind="customer", pk=customer.pk), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Este cliente figura en 5 facturas de venta: F-0001, F-0002, F-0003 y 2 más." in text(
        html
    )
    for invoice in invoices[:3]:
        link = reverse(
            "books:record_edit",
            kwargs={"company_id": company.pk, "kind": "sales_invoice", "pk": invoice.pk},
        )
        assert f'<a href="{link}">{invoice.reference}</a>' in html
    assert not delete_button(html)
    # Pressed anyway (a page left open), it is refused and the customer stays.
    refused = client.post(url("record_delete", company, kind="customer", pk=customer.pk))
    assert refused.status_code == 409
    assert m.Customer.objects.filter(pk=customer.pk).exists()


def test_one_use_reads_in_the_singular_and_each_kind_has_its_own_sentence(client, company):
    customer = m.Customer.objects.create(company=company, name="Ana")
    sales_invoice(company, customer, "F-0001", 1)
    actions.do_save_transaction(
        company,
        m.Receipt(bank_account=bank(company), customer=customer, reference="R-7"),
        [m.ReceiptLine(account=account(company, "4000"), amount=Decimal("10"))],
    )
    page = text(
        client.get(url("record_delete", company, kind="customer", pk=customer.pk)).content.decode()
    )
    assert "This customer appears in 1 receipt: R-7." in page
    assert "This customer appears in 1 sales invoice: F-0001." in page


def test_an_account_names_the_transactions_posting_to_it_and_its_bank_account(client, company):
    sales = account(company, "4000")
    actions.do_save_transaction(
        company,
        m.Receipt(bank_account=bank(company), reference="R-1"),
        [m.ReceiptLine(account=sales, amount=Decimal("10"))],
    )
    page = client.get(url("record_delete", company, kind="account", pk=sales.pk))
    assert "This account appears in 1 receipt: R-1." in text(page.content.decode())
    assert not delete_button(page.content.decode())

    own = bank(company).account  # the bank's own account in the chart
    page = text(
        client.get(url("record_delete", company, kind="account", pk=own.pk)).content.decode()
    )
    assert "This account appears in 1 bank or cash account: Bank." in page
    assert "This account appears in 1 receipt: R-1." in page


def test_a_bank_account_whose_account_a_journal_entry_uses_is_not_offered_for_deletion(
    client, company
):
    cash = m.BankAccount.objects.get(company=company, kind="cash")
    actions.do_save_transaction(
        company,
        m.JournalEntry(reference="A-1"),
        [
            m.JournalEntryLine(account=cash.account, debit=Decimal("5")),
            m.JournalEntryLine(account=account(company, "1700"), credit=Decimal("5")),
        ],
    )
    delete = url("record_delete", company, kind="bank_account", pk=cash.pk)
    page = client.get(delete).content.decode()
    assert "This bank or cash account appears in 1 journal entry: A-1." in text(page)
    assert not delete_button(page)
    refused = client.post(delete)
    assert refused.status_code == 409  # refused in a sentence, not a server error
    assert m.BankAccount.objects.filter(pk=cash.pk).exists()


def test_a_record_nobody_uses_is_deleted_as_before(client, company):
    customer = m.Customer.objects.create(company=company, name="Nadie")
    page = client.get(url("record_delete", company, kind="customer", pk=customer.pk))
    assert delete_button(page.content.decode()) and "appears in" not in page.content.decode()
    client.post(url("record_delete", company, kind="customer", pk=customer.pk))
    assert not m.Customer.objects.filter(pk=customer.pk).exists()
