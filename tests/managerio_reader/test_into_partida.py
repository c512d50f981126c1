"""A Manager.io business made into a Partida company whose books give Manager's figures."""

import datetime
import json
import re
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from partida.backups.from_manager import ManagerBooks, check_same_books, do_import_manager_business
from partida.books import models as m
from partida.books.invoices import SALES, invoice_balances, party_balances
from partida.cli import main
from partida.managerio import errors
from partida.managerio.content_types import CLASS_GUIDS
from partida.managerio.ledger import build_ledger
from partida.managerio.reader import read_business
from tests.managerio_reader.test_reader import business_file, work_folder


@pytest.mark.django_db
def test_a_sale_and_its_partial_receipt_come_across_with_manager_figures(
    sale_and_partial_receipt, tmp_path
):
    path, keys = sale_and_partial_receipt
    business = read_business(path, work_folder(tmp_path))
    company = do_import_manager_business(business, backup_file=path.name)
    invoice = m.SalesInvoice.objects.get(company=company)
    assert invoice.customer.name == "Ferretería López"
    assert invoice_balances(SALES, m.SalesInvoice.objects.filter(pk=invoice.pk))[
        invoice.pk
    ].due == Decimal("20.98")
    assert party_balances(SALES, company, [invoice.customer_id]) == {
        invoice.customer_id: Decimal("20.98")
    }
    totals = {
        entry.account.name: entry.amount
        for entry in m.LedgerEntry.objects.filter(company=company, source_id=invoice.pk)
    }
    assert totals["Ventas"] == Decimal("-37.25")
    assert sum(totals.values()) == 0


@pytest.mark.django_db
def test_suspense_starting_balances_and_inclusive_receipts_come_across(mixed_business, tmp_path):
    path, keys, day = mixed_business
    company = do_import_manager_business(read_business(path, work_folder(tmp_path)))
    balances = {
        account.name: account.total
        for account in m.Account.objects.filter(company=company).annotate(
            total=Sum("ledger_entries__amount")
        )
    }
    assert balances["Caja"] == Decimal("512.10")  # 500.00 to start with, 12.10 received
    assert balances["Compras"] == Decimal("1250.00")
    assert balances["Ventas"] == Decimal("-10.00")
    assert balances[str(_("Suspense"))] == Decimal("-50.00")
    start = m.JournalEntry.objects.get(company=company, date__lt=day)
    assert start.date == day - datetime.timedelta(days=1)


@pytest.mark.django_db
def test_partida_import_takes_a_manager_business(sale_and_partial_receipt, capsys):
    path, _keys = sale_and_partial_receipt
    assert main(["import", str(path), "--name", "Ferretería (de Manager)"]) == 0
    assert capsys.readouterr().out.strip() == "Ferretería (de Manager)"
    company = m.Company.objects.get(name="Ferretería (de Manager)")
    assert company.origin.backup_file == path.name
    assert m.Receipt.objects.filter(company=company).count() == 1


@pytest.mark.django_db
def test_a_business_with_payslips_is_refused_in_spanish_and_nothing_is_kept(tmp_path, capsys):
    rows = [(str(uuid.uuid4()), CLASS_GUIDS["Payslip"], b"")]
    path = business_file(tmp_path / "Nóminas.manager", rows)
    with translation.override("es"):
        status = main(["import", str(path)])
    assert status != 0
    error = capsys.readouterr().err
    assert "nóminas" in error and "no se importó nada" in error
    assert not m.Company.objects.exists()


@pytest.mark.django_db
def test_import_company_previews_a_manager_business_in_spanish_then_imports_it(
    client, sale_and_partial_receipt
):
    path, _keys = sale_and_partial_receipt
    with open(path, "rb") as upload:
        preview = client.post(reverse("backups:import"), {"file": upload}, follow=True)
    html = preview.content.decode()
    assert "Qué contiene esta empresa de Manager.io" in html
    assert "del 06/05/2025 al 07/05/2025" in html
    assert 'data-kind="SalesInvoice"' in html and "No se traerá" not in html
    done = client.post(preview.request["PATH_INFO"], {"new_name": "Desde Manager"}, follow=True)
    assert done.status_code == 200
    company = m.Company.objects.get(name="Desde Manager")
    assert company.origin.backup_file == path.name
    assert m.SalesInvoice.objects.filter(company=company).count() == 1


@pytest.mark.django_db
def test_import_company_refuses_another_schema_version_on_the_first_screen(client, tmp_path):
    path = business_file(tmp_path / "Antigua.manager", [], version=300)
    with open(path, "rb") as upload:
        page = client.post(reverse("backups:import"), {"file": upload})
    assert "versión de esquema 300" in page.content.decode()
    assert not m.Company.objects.exists()


@pytest.mark.django_db
def test_books_that_would_differ_from_manager_are_refused_naming_the_account(
    sale_and_partial_receipt, tmp_path
):
    """The proof itself: one cent moved between two accounts of the new company's ledger
    (books that still balance) is found, and named."""
    path, _keys = sale_and_partial_receipt
    business = read_business(path, work_folder(tmp_path))
    books = ManagerBooks(business, build_ledger(business), None)
    with pytest.raises(errors.BooksDiffer) as refused, transaction.atomic():
        books.make()
        sales = m.LedgerEntry.objects.get(company=books.company, account__name="Ventas")
        tax = m.LedgerEntry.objects.get(company=books.company, account__name=str(_("Tax payable")))
        m.LedgerEntry.objects.filter(pk=sales.pk).update(amount=sales.amount - Decimal("0.01"))
        m.LedgerEntry.objects.filter(pk=tax.pk).update(amount=tax.amount + Decimal("0.01"))
        check_same_books(books)
    assert "Ventas" in str(refused.value) and "0.01" in str(refused.value).replace(",", ".")
    assert not m.Company.objects.exists()


@pytest.mark.django_db
def test_partida_inspect_describes_a_manager_business_without_importing_it(
    sale_and_partial_receipt, capsys
):
    path, _keys = sale_and_partial_receipt
    with translation.override("es"):
        assert main(["inspect", str(path)]) == 0
    shown = capsys.readouterr().out
    assert "Ferretería (EUR)" in shown and "del 6/5/2025 al 7/5/2025" in shown
    assert re.search(r"Facturas de venta\s+1", shown)
    assert main(["inspect", "--json", str(path)]) == 0
    described = json.loads(capsys.readouterr().out)
    assert described["counts"]["SalesInvoice"] == 1
    assert described["first_date"] == "2025-05-06"
    assert not m.Company.objects.exists()
