from decimal import Decimal

import pytest
from django.utils import translation

from partida.books import actions
from partida.books import models as m


def make_receipt(company, amount="10.00"):
    bank = m.BankAccount.objects.filter(company=company).first()
    income = m.Account.objects.filter(company=company, kind=m.AccountKind.INCOME).first()
    return actions.do_save_transaction(
        company,
        m.Receipt(bank_account=bank, description="Cobro"),
        [m.ReceiptLine(account=income, amount=Decimal(amount))],
    )


@pytest.fixture
def receipt(company):
    return make_receipt(company)


@pytest.fixture(autouse=True)
def english():
    """Messages checked outside a request are read in English (the source language)."""
    with translation.override("en"):
        yield
