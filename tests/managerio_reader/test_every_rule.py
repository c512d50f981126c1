"""The reader's ledger equals the figures the test-side writer works out by its own arithmetic
(``tests/managerio``), for a business that exercises every posting rule of the reference; and
what Partida cannot hold of it is refused, while a plain business imports with those figures."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from partida.attachments.models import Attachment
from partida.attachments.store import open_blob
from partida.backups.from_manager import do_import_manager_file
from partida.books import models as m
from partida.history.models import HistoryEntry
from partida.mail.models import Email
from partida.managerio import errors
from partida.managerio import ledger as manager_ledger
from partida.managerio.reader import read_business
from tests.managerio.fixtures import every_rule, small_spanish
from tests.managerio_reader.test_reader import work_folder


def by_day_account_and_bank(lines) -> dict:
    totals: dict = defaultdict(Decimal)
    for line in lines:
        totals[line.date, line.account, line.bank] += line.amount
    return {key: amount for key, amount in totals.items() if amount}


def without_zeros(balances: dict) -> dict:
    return {key: amount for key, amount in balances.items() if amount}


@pytest.fixture
def every_rule_file(tmp_path):
    business = every_rule(tmp_path)
    return business, business.write(tmp_path / "Ferretería Ejemplo.manager")


def test_the_reader_posts_every_rule_as_the_writer_works_it_out(every_rule_file, tmp_path):
    business, path = every_rule_file
    expected = business.expected()
    read = read_business(path, work_folder(tmp_path))
    lines = manager_ledger.build_ledger(read)
    assert by_day_account_and_bank(lines) == by_day_account_and_bank(expected.lines)
    assert without_zeros(manager_ledger.party_balances(lines, "customer")) == without_zeros(
        expected.customer_balances()
    )
    assert without_zeros(manager_ledger.party_balances(lines, "supplier")) == without_zeros(
        expected.supplier_balances()
    )
    for invoice, balance in manager_ledger.invoice_balances(lines).items():
        # The ledger's payable balance is a credit; the writer says what is still due.
        owed = -balance if read.by_key[invoice].kind == "PurchaseInvoice" else balance
        assert owed == expected.invoice_balance_due(invoice)


@pytest.mark.django_db
def test_a_journal_entry_on_a_customers_balance_is_refused_and_nothing_is_kept(every_rule_file):
    _business, path = every_rule_file
    with pytest.raises(errors.Unsupported) as refused:
        do_import_manager_file(path)
    assert "journal entries on a customer's or supplier's balance" in str(refused.value)
    assert not m.Company.objects.exists()


@pytest.mark.django_db
def test_a_plain_spanish_business_with_attachments_imports_with_its_figures(tmp_path, client):
    business = small_spanish(tmp_path)
    sent_at = datetime.datetime(2025, 4, 2, 10, 30, tzinfo=datetime.UTC)
    business.email(
        "Factura F-001",
        "Le adjuntamos la factura.",
        "ana@example.es;contabilidad@example.es",
        sender="Taller Ruiz",
        user="admin",
        when=sent_at,
    )
    path = business.write_tar(tmp_path / "Taller Ruiz.manager.tar")
    expected = business.expected()
    company = do_import_manager_file(path)
    assert company.name == "Taller Ruiz"
    receivable = m.Account.objects.get(company=company, role=m.AccountRole.RECEIVABLE)
    owed = m.LedgerEntry.objects.filter(account=receivable)
    assert sum((entry.amount for entry in owed), Decimal(0)) == expected.balance(manager_ledger.AR)
    names = {
        account.name: sum((entry.amount for entry in account.ledger_entries.all()), Decimal(0))
        for account in m.Account.objects.filter(company=company)
    }
    assert names["Reparaciones"] == expected.balance(business.named["repairs"])
    assert names["Caixa"] == expected.bank_balances()[business.named["bank"]]
    (attached,) = Attachment.objects.filter(company=company)
    with open_blob(attached.sha256) as stored:
        assert stored.read() in business.attachment_contents.values()
    assert attached.target_kind == "sales_invoice"
    assert m.SalesInvoice.objects.filter(pk=attached.target_id, company=company).exists()
    (email,) = Email.objects.filter(company=company)
    assert (email.subject, email.sent_at) == ("Factura F-001", sent_at)
    assert email.to_addresses.splitlines() == ["ana@example.es", "contabilidad@example.es"]
    # Each object the writer saved has its creation in Manager's history.
    invoice = m.SalesInvoice.objects.get(company=company, number="F-001")
    (created,) = HistoryEntry.objects.filter(record_id=invoice.pk)
    assert (created.action, created.user_name) == ("create", "admin (Manager.io)")
    history = client.get(reverse("history:list", args=[company.pk])).content.decode()
    assert "admin (Manager.io)" in history and "F-001" in history
