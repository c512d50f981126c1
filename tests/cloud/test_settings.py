"""The cloud edition's settings come from the environment; a missing or wrong one stops start-up
with one sentence naming it. Passwords are hashed with argon2."""

import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

import partida.settings as production
from partida.cloud.settings import SettingError, cloud_settings
from tests.cloud.cloud_fixtures import *  # noqa: F403

GOOD = {
    "DATABASE_URL": "postgres://partida:secret@db.example.com:5432/partida",
    "PARTIDA_SECRET_KEY": "k" * 60,
    "PARTIDA_S3_ENDPOINT_URL": "https://s3.example.com",
    "PARTIDA_S3_BUCKET": "partida",
    "PARTIDA_S3_ACCESS_KEY_ID": "AKIA",
    "PARTIDA_S3_SECRET_ACCESS_KEY": "secret",
    "PARTIDA_SMTP_URL": "smtp+starttls://mail:pw@smtp.example.com:587",
}


def failure(**changes) -> str:
    environ = {**GOOD, **changes}
    environ = {name: value for name, value in environ.items() if value is not None}
    with pytest.raises(SettingError) as raised:
        cloud_settings(environ)
    return str(raised.value)


def one_sentence(text: str) -> bool:
    return text.endswith(".") and "\n" not in text and ". " not in text.replace("e.g. ", "")


def test_a_complete_environment_gives_the_cloud_settings():
    values = cloud_settings({**GOOD, "PARTIDA_S3_REGION": "eu-west-1"})
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"], database["USER"]) == (
        "db.example.com",
        "partida",
        "partida",
    )
    assert values["SECRET_KEY"] == "k" * 60
    assert values["PARTIDA_S3"]["bucket_name"] == "partida"
    assert values["PARTIDA_S3"]["region_name"] == "eu-west-1"
    assert values["PARTIDA_S3"]["default_acl"] is None  # files are private
    assert values["STORAGE_DEFAULT"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECRET_KEY_FALLBACKS"] == []


def test_old_secret_keys_are_kept_as_fallbacks_while_they_are_rotated_out():
    values = cloud_settings({**GOOD, "PARTIDA_SECRET_KEY_FALLBACKS": "o" * 60 + ", " + "p" * 60})
    assert values["SECRET_KEY_FALLBACKS"] == ["o" * 60, "p" * 60]


def test_https_makes_the_cookies_secure_and_hosts_come_from_the_environment():
    values = cloud_settings(
        {**GOOD, "PARTIDA_HTTPS": "1", "PARTIDA_ALLOWED_HOSTS": "books.example.com, x.example"}
    )
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["ALLOWED_HOSTS"] == ["books.example.com", "x.example"]


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_missing_setting_is_named_in_one_sentence(name):
    message = failure(**{name: None})
    assert message.startswith(f"{name} is not set: give ")
    assert one_sentence(message), message
    assert failure(**{name: "  "}).startswith(f"{name} is not set")


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            {"DATABASE_URL": "sqlite:///partida.sqlite3"},
            "DATABASE_URL must be a PostgreSQL address (postgres://user:password@host:5432/name),"
            " not a “sqlite” one.",
        ),
        (
            {"DATABASE_URL": "postgres://db.example.com"},
            "DATABASE_URL must name the server and the database, as "
            "postgres://user:password@host:5432/name.",
        ),
        (
            {"PARTIDA_SECRET_KEY": "short"},
            "PARTIDA_SECRET_KEY is too short (5 characters): give at least 50 random characters.",
        ),
        (
            {"PARTIDA_S3_ENDPOINT_URL": "s3.example.com"},
            "PARTIDA_S3_ENDPOINT_URL must be an http:// or https:// address, not “s3.example.com”.",
        ),
        (
            {"PARTIDA_SMTP_URL": "mail.example.com"},
            "PARTIDA_SMTP_URL must be written as smtp://user:password@host:port, "
            "smtp+ssl://… or smtp+starttls://….",
        ),
        (
            {"PARTIDA_SMTP_URL": "smtp://smtp.example.com:port"},
            "PARTIDA_SMTP_URL has a port that is not a number.",
        ),
        ({"PARTIDA_HTTPS": "maybe"}, "PARTIDA_HTTPS must be 1 or 0, not “maybe”."),
    ],
)
def test_a_wrong_setting_is_named_in_one_sentence(changes, expected):
    assert failure(**changes) == expected


def command_environment(**changes) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PARTIDA_S3")
        and key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PARTIDA_TEST_DB"}
    }
    env.update(LANGUAGE="en", **changes)
    return {name: value for name, value in env.items() if value is not None}


@pytest.mark.parametrize(
    "args, environment",
    [
        (["companies"], {"PARTIDA_EDITION": "cloud"}),
        (["serve", "--cloud", "--port", "0"], {}),
    ],
)
def test_start_up_stops_with_the_sentence(args, environment, tmp_path):
    env = command_environment(PARTIDA_HOME=str(tmp_path), **environment)
    env.pop("PARTIDA_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "partida", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "DATABASE_URL is not set: give the address of the PostgreSQL database, as "
        "postgres://user:password@host:5432/name."
    )


def test_passwords_are_hashed_with_argon2(tmp_path):
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    env = command_environment(PARTIDA_HOME=str(tmp_path), PARTIDA_EDITION=None)
    result = subprocess.run(
        [sys.executable, "-m", "partida", "customers", "add", "ana@example.com"]
        + ["--active-until", "2030-01-31"],
        input="a long enough password\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "partida.sqlite3") as db:
        (stored,) = db.execute(
            "SELECT password FROM auth_user WHERE email = 'ana@example.com'"
        ).fetchone()
    assert stored.startswith("argon2$argon2id$")
    assert "a long enough password" not in stored


def test_serve_cloud_runs_the_cloud_edition_on_the_listen_address(partida_env, tmp_path):
    from partida.devtools.postgres import free_port

    port = free_port()
    env = {
        **partida_env,
        "PARTIDA_SECRET_KEY": "s" * 64,
        "PARTIDA_SMTP_URL": "smtp://127.0.0.1:2525",
        "PARTIDA_LISTEN": f"127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "partida", "serve", "--cloud"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line, line
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                opener = urllib.request.build_opener(NoRedirect)
                opener.open(base + "/")
            except urllib.error.HTTPError as answer:
                assert answer.code == 302
                assert answer.headers["Location"] == "/portal/sign-in/?next=/"
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        with urllib.request.urlopen(base + "/portal/sign-in/") as page:
            assert page.status == 200
            assert b"csrfmiddlewaretoken" in page.read()
    finally:
        process.terminate()
        process.wait(10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def cloud_command(env: dict, *args: str) -> subprocess.CompletedProcess:
    """``partida ARGS`` in ``env`` (the cloud edition's, from ``partida_env``)."""
    return subprocess.run(
        [sys.executable, "-m", "partida", *args],
        env={**env, "PARTIDA_LISTEN": "127.0.0.1:0"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("args", [["companies"], ["worker", "--batch"], ["serve", "--cloud"]])
def test_a_bucket_that_does_not_exist_stops_start_up(partida_env, args):
    result = cloud_command({**partida_env, "PARTIDA_S3_BUCKET": "no-such-bucket"}, *args)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "The object store has no bucket named “no-such-bucket” (PARTIDA_S3_BUCKET): "
        "create it, or name one that exists."
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_keys_that_cannot_write_stop_start_up(partida_env, tmp_path):
    from partida.devtools.s3 import start_s3_server

    server = start_s3_server(tmp_path, "locked", checks_keys=True)
    try:
        result = cloud_command({**partida_env, **server.environment}, "companies")
    finally:
        server.stop()
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "The object store refused to let these keys write to the bucket “locked” "
        "(InvalidAccessKeyId): check PARTIDA_S3_ACCESS_KEY_ID and "
        "PARTIDA_S3_SECRET_ACCESS_KEY, and that they may write to that bucket."
    )


def test_an_object_store_nobody_answers_at_stops_start_up(partida_env):
    from partida.devtools.postgres import free_port

    endpoint = f"http://127.0.0.1:{free_port()}"
    result = cloud_command({**partida_env, "PARTIDA_S3_ENDPOINT_URL": endpoint}, "companies")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Nothing answers at the object store's address {endpoint} "
        "(PARTIDA_S3_ENDPOINT_URL): check the address and that the store is running."
    )


def test_a_writable_bucket_lets_the_cloud_edition_start_and_leaves_nothing_in_it(
    partida_env, store
):
    result = cloud_command(partida_env, "companies")
    assert result.returncode == 0, result.stderr
    assert store.keys() == []  # the write check cleans up after itself


def desktop_environment(cloud_env: dict) -> dict:
    """The same database, object store and data folder, but PARTIDA_EDITION left unset: the
    mistake of running a desktop-edition command against the cloud's database."""
    return {name: value for name, value in cloud_env.items() if name != "PARTIDA_EDITION"}


def test_a_desktop_command_refuses_the_cloud_database_and_changes_nothing(partida_env, store):
    assert cloud_command(partida_env, "companies").returncode == 0  # the cloud claims it
    before = store.keys()
    result = cloud_command(desktop_environment(partida_env), "demo", "--name", "Desktop S.L.")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "This database belongs to the cloud edition: set PARTIDA_EDITION=cloud, with the "
        "cloud edition's other settings, to work on it."
    )
    from partida.books.models import Company

    assert not Company.objects.filter(name="Desktop S.L.").exists()
    assert store.keys() == before


def test_a_cloud_command_refuses_a_desktop_database(partida_env):
    desktop = desktop_environment(partida_env)
    assert cloud_command(desktop, "companies").returncode == 0  # the desktop claims it
    result = cloud_command(partida_env, "worker", "--batch")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "This database belongs to the desktop edition: leave PARTIDA_EDITION unset to work on "
        "it, or point DATABASE_URL at the cloud edition's database."
    )


def test_the_refusal_is_in_the_persons_language(partida_env):
    assert cloud_command(partida_env, "companies").returncode == 0
    result = cloud_command({**desktop_environment(partida_env), "LANGUAGE": "es"}, "companies")
    assert result.returncode == 1
    assert result.stderr.startswith("Esta base de datos es de la edición en la nube")
