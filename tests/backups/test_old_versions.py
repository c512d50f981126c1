"""Every backup ever made keeps importing: one real sample file per format version."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from partida.archive.format import FORMAT_VERSION
from partida.backups.importer import do_import_company, open_backup
from partida.books import models as m
from partida.books.summary import summarize
from partida.cli import row_counts
from tests.backups.samples.make_v3_sample import real_books

SAMPLES = Path(__file__).with_name("samples")


def sample(version: int) -> Path:
    return SAMPLES / f"v{version}.manager"


def test_there_is_a_sample_of_every_format_version():
    for version in range(1, FORMAT_VERSION + 1):
        assert sample(version).exists(), (
            f"keep a backup made with format version {version} in {SAMPLES}: "
            "every older version must keep importing"
        )


@pytest.mark.parametrize("version", range(1, FORMAT_VERSION + 1))
def test_a_sample_of_each_version_imports_with_its_books(db, version):
    expected = json.loads(sample(version).with_suffix(".expected.json").read_text())
    assert open_backup(sample(version)).manifest.format_version == version
    company = do_import_company(sample(version))
    assert summarize(company).as_json() == expected["summary"]
    counts = row_counts(company)
    assert {k: counts.get(k, 0) for k in expected["counts"]} == expected["counts"]


def company_details(company) -> dict:
    from partida.backups.schema import COMPANY_DETAILS_OF_VERSION_2

    return {name: getattr(company, name) for name in COMPANY_DETAILS_OF_VERSION_2}


def test_a_company_of_version_1_imports_with_empty_details(db):
    company = do_import_company(sample(1))
    assert company.name == "Ferretería Núñez, S.L."
    details = company_details(company)
    assert details.pop("payment_terms_days") is None
    assert set(details.values()) == {""}


def test_the_version_2_sample_imports_with_its_company_details(db):
    expected = json.loads(sample(2).with_suffix(".expected.json").read_text())
    company = do_import_company(sample(2))
    assert company_details(company) == expected["company"]
    assert company.tax_id == "B12345674" and company.payment_terms_days == 30


def test_the_version_3_sample_imports_with_its_taxes_numbers_payments_and_closing(db):
    expected = json.loads(sample(3).with_suffix(".expected.json").read_text())
    company = do_import_company(sample(3))
    books = real_books(company)
    assert books == {key: expected[key] for key in books}
    assert company.lock_date.isoformat() == "2025-12-31" and company.logo


@pytest.mark.parametrize("version", [1, 2])
def test_a_sample_older_than_version_3_imports_with_version_3_s_data_at_its_defaults(db, version):
    """No tax codes, series or numbers, nothing applied or corrected, nothing archived,
    closed or locked, and amounts without tax: the books as they were, and nothing more."""
    company = do_import_company(sample(version))
    dates = m.SalesInvoice.objects.filter(company=company).order_by("date", "number")
    assert real_books(company) == {
        "company": {
            "invoice_prefix": "F",
            "credit_note_prefix": "R",
            "lock_date": None,
            "has_logo": False,
        },
        "tax_codes": [],
        "invoice_counters": {},
        "sales_invoices": [
            [day.isoformat(), "", False, None, False]
            for day in dates.values_list("date", flat=True)
        ],
        "taxed_lines": [],
        "withholdings": [],
        "applied": [],
        "archived_accounts": [],
        "closing": [],
    }
    for model in (m.SalesInvoiceLine, m.PurchaseInvoiceLine, m.ReceiptLine, m.PaymentLine):
        assert set(model.objects.filter(company=company).values_list("tax_amount", flat=True)) <= {
            Decimal("0.00")
        }
    for model in (m.Receipt, m.Payment, m.SalesInvoice, m.PurchaseInvoice):
        assert not model.objects.filter(company=company, amounts_include_tax=True).exists()
    assert not m.PurchaseInvoice.objects.filter(company=company, corrects__isnull=False).exists()
