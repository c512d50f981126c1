"""The issue's "done when": after the subscription has expired, a customer signs in to the
portal in Chromium, downloads a backup, and that file imports into the desktop edition with the
same books, row for row."""

import datetime
import json
import os
import subprocess
import sys

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partida.autobackups.runner import run_stored_backup
from partida.autobackups.schedule import do_request_backup
from partida.cli import company_summary
from partida.cloud.access import acting_for
from partida.cloud.customers import do_add_customer
from tests.backups.conftest import make_company
from tests.cloud.cloud_fixtures import *  # noqa: F403
from tests.cloud.cloud_fixtures import PASSWORD

pytestmark = pytest.mark.browser


def desktop_environment(home) -> dict[str, str]:
    """A person's own computer: the desktop edition, SQLite in ``home``, no object store."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PARTIDA_") and key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(PARTIDA_HOME=str(home), LANGUAGE="en", PYTHONUNBUFFERED="1")
    return env


def partida(home, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "partida", *args],
        env=desktop_environment(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def books(summary: dict) -> dict:
    summary = dict(summary)
    company = summary.pop("company")
    return {"name": company["name"], "currency": company["base_currency"], **summary}


def test_after_expiry_the_portal_downloads_a_backup_that_imports_into_the_desktop(
    cloud,
    store,
    live_server,
    page,
    tmp_path,
):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    customer = do_add_customer("ana@example.com", PASSWORD, yesterday, "Ferretería")
    with acting_for(customer):
        company = make_company("Ferretería Núñez, S.L.")
    backup = run_stored_backup(do_request_backup(company).pk)
    assert backup is not None and backup.verified
    assert customer.expired

    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/portal/sign-in/?next=/")
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The books are closed, and the page says where to go.
    expect(page.get_by_role("heading", name="The subscription has ended")).to_be_visible()
    page.get_by_role("link", name="Go to the customer portal").click()
    expect(page.get_by_role("heading", name="Ferretería Núñez, S.L.")).to_be_visible()
    expect(page.get_by_text("The subscription ended on")).to_be_visible()
    row = page.locator("tr", has_text="Attachments, Emails, History")
    expect(row).to_contain_text("Yes")

    with page.expect_download() as waiting:
        row.get_by_role("link", name="Download").click()
    download = waiting.value
    day = timezone.localdate(backup.created_at).isoformat()
    assert download.suggested_filename == f"Ferretería Núñez, S.L. ({day}).manager"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.stat().st_size == backup.size

    # On the desktop: a data folder of its own, the file imported with the partida command.
    home = tmp_path / "desktop"
    name = partida(home, "import", str(saved)).strip()
    assert name == "Ferretería Núñez, S.L."
    desktop = json.loads(partida(home, "summary", name, "--json"))
    assert books(desktop) == books(company_summary(company))
    assert desktop["counts"]["attachments.attachment"] == 3
    assert desktop["counts"]["history.historyentry"] > 0
