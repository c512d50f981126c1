import os
import subprocess
import sys

import pytest
from django.utils import translation

from partida.cli import main


@pytest.fixture(autouse=True)
def english_and_own_storage(settings, tmp_path, monkeypatch):
    """English output, and files kept in the test's own folder."""
    monkeypatch.setenv("LANGUAGE", "en")
    settings.LANGUAGE_CODE = "en"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "files"},
        },
    }
    yield
    translation.deactivate()


@pytest.fixture
def run(db, capsys):
    """Run ``partida ARGS...`` in this process: (exit status, stdout, stderr)."""

    def run_cli(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return run_cli


def desktop_env(home) -> dict[str, str]:
    """The environment of a person running ``partida`` on their desktop, with ``home`` as the
    data folder: the application's own settings, SQLite, English."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PARTIDA_TEST_DB"}
    }
    env.update(PARTIDA_HOME=str(home), LANGUAGE="en", PYTHONUNBUFFERED="1")
    return env


def partida_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "partida.cli", *args]


@pytest.fixture
def run_process():
    """Run ``partida ARGS...`` as its own process with ``home`` as the data folder."""

    def run_cli(home, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            partida_command(*args),
            env=desktop_env(home),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run_cli
