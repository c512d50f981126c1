"""Automatic backups on the desktop edition: a schedule pointing at a folder of the test's."""

import pytest
from django.test import Client
from django.utils import timezone, translation

from partida.autobackups.models import DesktopSchedule


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "Copias en la nube"
    path.mkdir()
    return path


@pytest.fixture
def schedule(db, folder):
    """Automatic backups switched on, every day, to ``folder``, with the usual retention."""
    now = timezone.now()
    return DesktopSchedule.objects.create(
        enabled=True, folder=str(folder), saved_at=now, enabled_at=now
    )


@pytest.fixture
def english(db):
    """The test client, in English."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture(autouse=True)
def in_english():
    """What the program says outside a request (the backup thread's sentences), in English."""
    with translation.override("en"):
        yield
