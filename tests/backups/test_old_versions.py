"""Every backup ever made keeps importing: one real sample file per format version."""

import json
from pathlib import Path

import pytest

from partida.archive.format import FORMAT_VERSION
from partida.backups.importer import do_import_company, open_backup
from partida.books.summary import summarize
from partida.cli import row_counts

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
