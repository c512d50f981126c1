"""Fixtures every test shares."""

import pytest


@pytest.fixture(autouse=True)
def blob_storage(settings, tmp_path):
    """Each test keeps its stored files in a folder of its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "files"},
        },
    }
    return tmp_path / "files"
