"""The company's details: edited on their screen, printed on its invoices, carried in backups."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from partida.backups.export import backup_to_file, parts_from
from partida.backups.importer import do_import_company
from partida.backups.schema import COMPANY_DETAILS_OF_VERSION_2
from partida.books import actions
from partida.books import models as m
from tests.backups.conftest import members

pytestmark = pytest.mark.django_db

DETAILS = {
    "legal_name": "Ferretería Núñez, S.L.",
    "tax_id": "B12345674",
    "street": "Calle Mayor 7, bajo",
    "postcode": "28013",
    "city": "Madrid",
    "province": "Madrid",
    "country": "España",
    "email": "facturas@ferreteria-nunez.es",
    "phone": "+34 910 000 000",
    "payment_terms_days": 30,
}


def details_of(company: m.Company) -> dict:
    return {name: getattr(company, name) for name in COMPANY_DETAILS_OF_VERSION_2}


def url(name: str, company: m.Company, **kwargs) -> str:
    return reverse(f"books:{name}", kwargs={"company_id": company.pk, **kwargs})


@pytest.fixture
def company(db) -> m.Company:
    """A Spanish company: its invoices are in Spanish."""
    return actions.do_create_company("Ferretería Núñez", chart_language="es")


@pytest.fixture
def spanish(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client


def sales_invoice(company: m.Company, due_date=None) -> m.SalesInvoice:
    customer = m.Customer.objects.create(
        company=company, name="Ana Ruiz", tax_id="12345678Z", address="Calle Luna 3\n41001 Sevilla"
    )
    sales = m.Account.objects.get(company=company, code="700")
    invoice = m.SalesInvoice(
        date=datetime.date(2025, 3, 12),
        customer=customer,
        reference="F-2025-001",
        due_date=due_date,
    )
    line = m.SalesInvoiceLine(account=sales, quantity=Decimal(3), unit_price=Decimal("12.50"))
    return actions.do_save_transaction(company, invoice, [line])


def test_the_details_screen_saves_and_shows_them_in_spanish(spanish, company):
    summary = spanish.get(url("summary", company)).content.decode()
    assert "Datos de la empresa" in summary and url("company_edit", company) in summary

    page = spanish.get(url("company_edit", company)).content.decode()
    assert "<h1>Datos de la empresa</h1>" in page
    for label in ("Razón social", "NIF", "Código postal", "Provincia", "Plazo de pago (días)"):
        assert label in page
    assert "una factura española no es válida sin ellos" in page

    posted = {"name": "Ferretería Núñez", **DETAILS, "tax_id": "  B12345674 "}
    response = spanish.post(url("company_edit", company), posted, follow=True)
    assert "Se han guardado los datos de la empresa." in response.content.decode()
    company.refresh_from_db()
    assert details_of(company) == DETAILS

    page = spanish.get(url("company_edit", company)).content.decode()
    assert 'value="B12345674"' in page and 'value="Calle Mayor 7, bajo"' in page
    assert 'value="30"' in page


def test_payment_terms_beyond_a_year_are_refused_in_spanish(spanish, company):
    posted = {"name": "Ferretería Núñez", "payment_terms_days": "400"}
    response = spanish.post(url("company_edit", company), posted)
    assert response.status_code == 200
    assert "menor o igual que 365" in response.content.decode()
    company.refresh_from_db()
    assert company.payment_terms_days is None


def test_the_invoice_pdf_names_the_seller_with_its_tax_id_and_address(client, company):
    actions.do_update_company(company, **DETAILS)
    invoice = sales_invoice(company)
    response = client.get(url("sales_invoice_pdf", company, pk=invoice.pk))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    lines = text.splitlines()
    assert lines[:5] == [
        "Ferretería Núñez, S.L.",
        "NIF: B12345674",
        "Calle Mayor 7, bajo",
        "28013 Madrid",
        "Madrid",
    ]
    assert "España" in lines and "NIF: 12345678Z" in lines  # the seller's, then the buyer's
    assert "Cliente: Ana Ruiz" in lines


def test_a_new_sales_invoice_without_a_due_date_falls_due_by_the_payment_terms(client, company):
    actions.do_update_company(company, payment_terms_days=30)
    assert sales_invoice(company).due_date == datetime.date(2025, 4, 11)
    chosen = datetime.date(2025, 3, 20)
    assert sales_invoice(company, due_date=chosen).due_date == chosen

    form = client.get(url("record_add", company, kind="sales_invoice")).context["form"]
    assert "30 days after the invoice's date" in str(form.fields["due_date"].help_text)
    spanish_page = client.get(
        url("record_add", company, kind="sales_invoice"), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Déjala vacía para que venza 30 días después de la fecha de la factura" in spanish_page

    actions.do_update_company(company, payment_terms_days=None)
    assert sales_invoice(company).due_date is None


def test_a_company_with_details_round_trips_through_backup_and_import_exactly(company, tmp_path):
    actions.do_update_company(company, **DETAILS)
    first = tmp_path / "first.manager"
    backup_to_file(company, first, parts_from())
    imported = do_import_company(first)
    assert imported.pk != company.pk
    assert details_of(imported) == DETAILS

    second = tmp_path / "second.manager"
    backup_to_file(imported, second, parts_from())
    row, again = (json.loads(members(p)["data/company.jsonl"]) for p in (first, second))
    assert {k: v for k, v in again.items() if k != "id"} == {
        k: v for k, v in row.items() if k != "id"
    }
    assert {k: row[k] for k in DETAILS} == DETAILS
