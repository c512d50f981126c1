"""Fixtures every test shares.

Chromium, driven by Playwright, against the application served on 127.0.0.1: Debian's Chromium
(/usr/bin/chromium) is used and Playwright never downloads a browser. A missing Chromium fails
the run with a sentence saying how to install it: browser tests never skip. The browser is
started once per run, for every test that asks for ``page``, whichever folder it is in.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PARTIDA_CHROMIUM", "/usr/bin/chromium")
# The closed network here refuses Chromium's background connections; these flags stop them.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium was not found at {CHROMIUM}: install it with 'apt-get install chromium' "
            "(scripts/test does this when run as root).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a new, empty profile of its own.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def company(db):
    """A company with the Spanish chart of accounts (some folders make a richer one)."""
    from partida.books import actions

    return actions.do_create_company("Ferretería Núñez", chart_language="es")


@pytest.fixture
def other_company(db):
    """Another company, to show that one company never sees another's records."""
    from partida.books import actions

    return actions.do_create_company("Other Ltd", chart_language="en")


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
