import pytest

from partida.books import actions


@pytest.fixture(autouse=True)
def english_and_own_storage(settings, tmp_path):
    """English screens unless a test asks otherwise, and files kept in the test's own folder."""
    settings.LANGUAGE_CODE = "en"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "files"},
        },
    }


@pytest.fixture
def company(db):
    return actions.do_create_company("Acme Trading", base_currency="EUR", chart_language="en")


@pytest.fixture
def other_company(db):
    return actions.do_create_company("Other Ltd", base_currency="USD", chart_language="es")
