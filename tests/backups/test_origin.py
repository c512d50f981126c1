"""A restored company can be told from the original: the Companies screen says when each copy
was added or imported, and from which file, and a backup never carries that."""

import datetime
import json
from pathlib import Path

from django.urls import reverse

from partida.backups.export import backup_to_file
from partida.backups.importer import do_import_company
from partida.books import actions
from partida.books import models as m
from partida.cli import main
from tests.backups.conftest import members
from tests.backups.test_screens import download_backup

UTC = datetime.UTC


def companies_screen(client, **headers) -> str:
    return client.get(reverse("books:companies"), **headers).content.decode()


def set_origin_time(company, *args) -> None:
    m.CompanyOrigin.objects.filter(company=company).update(at=datetime.datetime(*args, tzinfo=UTC))


def test_the_companies_screen_says_when_a_company_was_created_in_the_users_language(
    client, company, settings
):
    set_origin_time(company, 2026, 12, 1, 10, 0)
    assert "Creada el 1 dic 2026" in companies_screen(client)
    assert "Created on Dec 1, 2026" in companies_screen(client, HTTP_ACCEPT_LANGUAGE="en")
    # Stored in UTC, shown on this installation's day: 23:30 UTC is already the 2nd in Madrid.
    settings.TIME_ZONE = "Europe/Madrid"
    set_origin_time(company, 2026, 12, 1, 23, 30)
    assert "Creada el 2 dic 2026" in companies_screen(client)


def test_a_company_imported_on_the_screen_names_the_file_the_user_chose(client, company, tmp_path):
    _response, body = download_backup(client, company)
    path = tmp_path / "Demo S.L. (2026-12-01).manager"
    path.write_bytes(body)
    with open(path, "rb") as upload:
        preview = client.post(reverse("backups:import"), {"file": upload}, follow=True)
    client.post(preview.request["PATH_INFO"], {"new_name": "Restaurada"}, follow=True)
    restored = m.Company.objects.get(name="Restaurada")
    origin = m.CompanyOrigin.objects.get(company=restored)
    assert (origin.how, origin.backup_file) == ("imported", "Demo S.L. (2026-12-01).manager")
    set_origin_time(restored, 2026, 12, 2, 9, 0)
    set_origin_time(company, 2026, 12, 1, 9, 0)
    html = companies_screen(client)
    assert "Importada el 2 dic 2026 de «Demo S.L. (2026-12-01).manager»" in html
    assert "Creada el 1 dic 2026" in html
    english = companies_screen(client, HTTP_ACCEPT_LANGUAGE="en")
    assert "Imported on Dec 2, 2026 from “Demo S.L. (2026-12-01).manager”" in english


def test_partida_import_records_the_file_and_companies_json_shows_it(
    company, tmp_path, capsys, settings, monkeypatch
):
    monkeypatch.setenv("LANGUAGE", "en")
    settings.LANGUAGE_CODE = "en"
    path = tmp_path / "Copia de Ferretería.manager"
    backup_to_file(company, path, {"attachments", "emails", "history"})
    assert main(["import", str(path), "--name", "Desde la línea de órdenes"]) == 0
    capsys.readouterr()
    assert main(["companies", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    imported = rows["Desde la línea de órdenes"]
    assert (imported["origin"], imported["backup_file"]) == (
        "imported",
        "Copia de Ferretería.manager",
    )
    assert datetime.datetime.fromisoformat(imported["origin_at"]).utcoffset() == (
        datetime.timedelta(0)
    )
    original = rows[company.name]
    assert (original["origin"], original["backup_file"]) == ("created", None)
    assert main(["companies"]) == 0
    assert "Imported on" in capsys.readouterr().out


def test_a_backup_of_a_restored_copy_says_nothing_of_where_that_copy_came_from(company, tmp_path):
    first = tmp_path / "first.manager"
    backup_to_file(company, first, {"attachments", "emails", "history"})
    restored = do_import_company(first)
    assert restored.origin.backup_file == "first.manager"
    second = tmp_path / "second.manager"
    backup_to_file(restored, second, {"attachments", "emails", "history"})
    held = members(second)
    assert not any("origin" in name for name in held)
    assert b"first.manager" not in b"".join(held.values())
    # Imported elsewhere, the copy of the copy says where it came from: the second file.
    again = do_import_company(Path(second))
    assert (again.origin.how, again.origin.backup_file) == ("imported", "second.manager")


def test_a_company_made_before_origins_were_recorded_shows_its_creation(client, company):
    m.CompanyOrigin.objects.filter(company=company).delete()
    m.Company.objects.filter(pk=company.pk).update(
        created_at=datetime.datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
    )
    assert "Creada el 4 mar 2025" in companies_screen(client)


def test_deleting_a_company_deletes_its_origin(company):
    actions.do_delete_company(company)
    assert not m.CompanyOrigin.objects.exists()
