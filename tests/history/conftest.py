from decimal import Decimal

import pytest
from django.utils import translation

from partida.books import actions
from partida.books import models as m


def income_account(company):
    return m.Account.objects.filter(company=company, kind=m.AccountKind.INCOME).order_by("code")[0]


def save_invoice(company, customer, amounts, invoice=None):
    invoice = invoice or m.SalesInvoice(customer=customer, reference="F-1")
    lines = [
        m.SalesInvoiceLine(
            account=income_account(company),
            description=f"line {n}",
            quantity=Decimal("1"),
            unit_price=Decimal(amount),
        )
        for n, amount in enumerate(amounts, 1)
    ]
    return actions.do_save_transaction(company, invoice, lines)


@pytest.fixture(autouse=True)
def english():
    """Messages checked outside a request are read in English (the source language)."""
    with translation.override("en"):
        yield
