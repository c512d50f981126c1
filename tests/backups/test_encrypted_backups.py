"""Encrypted backups from the command line and through the screens.

`partida backup --encrypt` takes its passphrase from PARTIDA_BACKUP_PASSPHRASE (or the terminal);
`inspect`, `verify` and `import` recognise an encrypted file and ask for it. On the screens, the
Backup dialog's fourth choice encrypts, and Import company asks for the passphrase before the
preview. A wrong passphrase is one sentence and leaves nothing behind.
"""

import os
import re
import subprocess
import sys
import urllib.parse

import pytest
from django.urls import reverse

from partida.archive.encryption import Passphrase
from partida.archive.reader import ArchiveReader
from partida.backups import passphrases
from partida.backups.job_files import work_folder
from partida.backups.models import Job
from partida.books import models as m
from partida.books.summary import summarize
from tests.age_tool import age_decrypt
from tests.backups.conftest import members

SECRET = "la contraseña de Núñez"


# -- the command line -------------------------------------------------------------------------


def partida(home, *args, passphrase=None, language="en", check=True):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PARTIDA_BACKUP_PASSPHRASE")
    }
    env.update(PARTIDA_HOME=str(home), LANGUAGE=language)
    if passphrase is not None:
        env["PARTIDA_BACKUP_PASSPHRASE"] = passphrase
    result = subprocess.run(
        [sys.executable, "-m", "partida", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # no terminal: as a script runs it
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A demo company, and its backup encrypted by `partida backup --encrypt` (age's work
    factor, 18: the real one)."""
    home = tmp_path_factory.mktemp("home")
    partida(home, "demo", "--name", "Demo S.L.", "--size", "small", "--seed", "7")
    path = home / "cifrada.manager"
    partida(home, "backup", "Demo S.L.", "--encrypt", "-o", str(path), passphrase=SECRET)
    return home, path


def test_backup_encrypt_writes_an_age_file_that_reads_back_as_the_backup(made):
    _home, path = made
    assert path.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    manifest = ArchiveReader(path, passphrase=SECRET).verify()
    assert manifest.company.name == "Demo S.L."


def test_age_decrypts_it_and_tar_lists_the_backup(made, tmp_path):
    _home, path = made
    plain = tmp_path / "plain.manager"
    age_decrypt(path, plain, SECRET)
    assert plain.read_bytes().startswith(b"\x28\xb5\x2f\xfd")
    listing = subprocess.run(
        ["tar", "--zstd", "-tf", str(plain)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert listing[0] == "manifest.json" and "data/ledger_entries.jsonl" in listing
    assert set(members(plain)) == set(listing)


def test_inspect_and_verify_take_the_passphrase_from_the_environment(made):
    home, path = made
    shown = partida(home, "inspect", str(path), passphrase=SECRET).stdout
    assert "Demo S.L. (EUR)" in shown
    said = partida(home, "verify", str(path), passphrase=SECRET).stdout
    assert "cifrada.manager is intact" in said


def test_without_a_terminal_or_the_variable_the_command_says_what_to_do(made):
    home, path = made
    result = partida(home, "inspect", str(path), check=False)
    assert result.returncode != 0
    assert "PARTIDA_BACKUP_PASSPHRASE" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_a_wrong_passphrase_is_one_sentence_and_imports_nothing(made):
    home, path = made
    before = partida(home, "companies").stdout
    for command in ("inspect", "verify", "import"):
        result = partida(home, command, str(path), passphrase="otra", check=False)
        assert result.returncode != 0, command
        assert result.stderr.strip().endswith(
            "This passphrase does not open this backup: type it again, exactly as it was "
            "chosen when the backup was made."
        ), (command, result.stderr)
    assert partida(home, "companies").stdout == before
    assert not list((home / "work").iterdir()) if (home / "work").exists() else True


def test_the_sentence_is_spanish_for_a_spanish_user(made):
    home, path = made
    result = partida(home, "verify", str(path), passphrase="otra", language="es", check=False)
    assert "Esta contraseña no abre esta copia de seguridad" in result.stderr


def test_import_restores_the_same_books(made):
    home, path = made
    name = partida(home, "import", str(path), "--name", "Copia", passphrase=SECRET).stdout
    assert name.strip() == "Copia"
    import json

    original = json.loads(partida(home, "summary", "Demo S.L.", "--json").stdout)
    copy = json.loads(partida(home, "summary", "Copia", "--json").stdout)
    del original["company"], copy["company"]
    assert copy == original


def test_the_two_passphrases_must_match_at_the_terminal(made, tmp_path):
    """Typed at a terminal, the passphrase is asked twice; two different ones write nothing."""
    import pty
    import select

    home, _path = made
    target = tmp_path / "never.manager"
    # The demo's own data folder and SQLite database, whatever engine this pass tests.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PARTIDA_BACKUP_PASSPHRASE")
    }
    env.update(PARTIDA_HOME=str(home), LANGUAGE="en")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(
            sys.executable,
            [
                sys.executable,
                "-m",
                "partida",
                "backup",
                "Demo S.L.",
                "--encrypt",
                "-o",
                str(target),
            ],
            env,
        )
    said = pending = b""
    answers = [b"una\n", b"otra\n"]
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            os.kill(pid, 9)
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        said += chunk
        pending += chunk
        if pending.endswith(b": ") and answers:  # a prompt: typed once it is shown
            os.write(fd, answers.pop(0))
            pending = b""
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) != 0
    assert b"The two passphrases differ" in said
    assert not target.exists() and list(tmp_path.iterdir()) == []


# -- the screens ------------------------------------------------------------------------------


@pytest.fixture
def fast_scrypt(settings):
    settings.PARTIDA_SCRYPT_WORK_FACTOR = 10  # a documented setting; 18 is tested above


def backup_form(client, company, **extra):
    url = reverse("backups:backup", kwargs={"company_id": company.pk})
    form = {"file_name": client.get(url).context["form"].initial["file_name"]}
    form.update({p: "on" for p in ("attachments", "emails", "history")})
    form.update(extra)
    return url, form


def encrypted_download(client, company):
    url, form = backup_form(
        client, company, encrypt="on", passphrase=SECRET, passphrase_again=SECRET
    )
    job_page = client.post(url, form, follow=True)
    job = job_page.context["job"]
    assert job.state == "done", job.error
    response = client.get(job_page.context["job_state"]["download_url"])
    return response, b"".join(response.streaming_content)


def test_the_dialog_offers_encryption_off_by_default_with_its_warning(client, company):
    page = client.get(reverse("books:summary", kwargs={"company_id": company.pk}))
    html = page.content.decode()
    assert "Cifrar con contraseña" in html
    assert 'name="encrypt"' in html and 'name="encrypt" checked' not in html
    assert 'type="password" name="passphrase"' in html
    assert 'type="password" name="passphrase_again"' in html
    assert "no se puede recuperar" in html


def test_an_encrypted_backup_downloads_under_the_usual_name(client, company, fast_scrypt, tmp_path):
    response, body = encrypted_download(client, company)
    disposition = urllib.parse.unquote(response["Content-Disposition"])
    assert re.search(r"Ferretería Núñez, S\.L\. \(\d{4}-\d{2}-\d{2}\)\.manager$", disposition)
    assert body.startswith(b"age-encryption.org/v1\n")
    path = tmp_path / "b.manager"
    path.write_bytes(body)
    assert ArchiveReader(path, passphrase=SECRET).verify().company.name == company.name
    # The passphrase was handed to the job in memory, and is gone with it.
    job = Job.objects.get(kind=Job.Kind.BACKUP)
    assert passphrases.held(job.pk) is None
    assert SECRET not in str(job.options) and "passphrase" not in job.options


def test_two_different_passphrases_are_one_sentence_and_start_nothing(client, company):
    url, form = backup_form(
        client, company, encrypt="on", passphrase="una", passphrase_again="otra"
    )
    page = client.post(url, form)
    assert page.status_code == 200
    assert page.context["form"].errors["passphrase_again"] == [
        "Las dos contraseñas no coinciden: escribe la misma contraseña en las dos casillas."
    ]
    assert not Job.objects.exists()
    html = page.content.decode()
    assert "una" not in html.split('name="passphrase"')[1].split(">")[0], "never sent back"


def upload(client, path, **headers):
    with open(path, "rb") as file:
        return client.post(reverse("backups:import"), {"file": file}, follow=True, **headers)


def test_import_asks_the_passphrase_then_previews_then_imports(
    client, company, fast_scrypt, tmp_path
):
    _response, body = encrypted_download(client, company)
    path = tmp_path / "cifrada.manager"
    path.write_bytes(body)
    asked = upload(client, path)
    assert asked.templates[0].name == "backups/import_passphrase.html"
    assert "es una copia de seguridad cifrada" in asked.content.decode()
    job = asked.context["job"]
    wrong = client.post(asked.request["PATH_INFO"], {"passphrase": "otra"})
    assert wrong.context["form"].errors["passphrase"] == [
        "Esta contraseña no abre esta copia de seguridad: escríbela otra vez, tal como se "
        "eligió al hacer la copia."
    ]
    assert passphrases.held(job.pk) is None
    preview = client.post(asked.request["PATH_INFO"], {"passphrase": SECRET}, follow=True)
    assert preview.templates[0].name == "backups/import_preview.html"
    assert preview.context["preview"]["company"].name == company.name
    # Only the file's key is held, in memory: not the passphrase, not in the database.
    key = passphrases.held(job.pk)
    assert isinstance(key, Passphrase) and key.unlocked and key._secret is None
    assert SECRET not in str(Job.objects.get(pk=job.pk).options)
    again = client.get(preview.request["PATH_INFO"])  # the preview shows again, no passphrase
    assert again.templates[0].name == "backups/import_preview.html"
    done = client.post(preview.request["PATH_INFO"], {"new_name": "Restaurada"}, follow=True)
    assert done.context["job"].state == "done", done.context["job"].error
    restored = m.Company.objects.get(name="Restaurada")
    assert summarize(restored).as_json() == summarize(company).as_json()
    assert passphrases.held(job.pk) is None
    assert list(work_folder("imports").iterdir()) == []


def test_cancelling_at_the_passphrase_leaves_nothing(client, company, fast_scrypt, tmp_path):
    _response, body = encrypted_download(client, company)
    path = tmp_path / "cifrada.manager"
    path.write_bytes(body)
    asked = upload(client, path)
    job = asked.context["job"]
    gone = client.post(asked.request["PATH_INFO"], {"cancel": ""}, follow=True)
    assert gone.request["PATH_INFO"] == reverse("backups:import")
    assert not Job.objects.filter(pk=job.pk).exists()
    assert list(work_folder("imports").iterdir()) == []
    assert m.Company.objects.count() == 1


def test_a_damaged_encrypted_upload_is_refused_and_removed(client, company, fast_scrypt, tmp_path):
    _response, body = encrypted_download(client, company)
    path = tmp_path / "cortada.manager"
    path.write_bytes(body[: len(body) // 2])
    asked = upload(client, path, HTTP_ACCEPT_LANGUAGE="en")
    refused = client.post(
        asked.request["PATH_INFO"], {"passphrase": SECRET}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.request["PATH_INFO"] == reverse("backups:import")
    text = refused.content.decode()
    assert "damaged" in text or "incomplete" in text
    assert not Job.objects.filter(kind=Job.Kind.IMPORT).exists()
    assert list(work_folder("imports").iterdir()) == []


def test_a_file_encrypted_to_a_key_is_refused_at_upload(client, db, tmp_path):
    import base64

    body = base64.b64encode(bytes(32)).rstrip(b"=")
    path = tmp_path / "key.manager"
    path.write_bytes(
        b"age-encryption.org/v1\n-> X25519 " + body + b"\n" + body + b"\n--- " + body + b"\n"
    )
    page = upload(client, path, HTTP_ACCEPT_LANGUAGE="en")
    assert "encrypted with age to a key" in page.context["form"].errors["file"][0]
    assert not Job.objects.exists()
