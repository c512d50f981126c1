"""A company's mail server password is encrypted in the database, and still signs in to the
server: a copy of the database (or a dump of it) does not give the password away."""

import importlib
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.db import connection
from django.urls import reverse

from partida.mail.models import Email, SmtpSettings
from partida.mail.sending import do_send_invoice_email
from tests.mail.conftest import Inbox, free_port

PASSWORD = "s3cr3t-pw 42"


def stored_password(company) -> str:
    """The password column as the database holds it."""
    table = connection.ops.quote_name(SmtpSettings._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT password FROM {table} WHERE company_id = %s", [company.pk.hex])
        row = cursor.fetchone()
        if row is None:  # PostgreSQL keeps keys as uuid, not as 32 hex digits
            cursor.execute(f"SELECT password FROM {table} WHERE company_id = %s", [company.pk])
            row = cursor.fetchone()
    return row[0]


@pytest.fixture
def server_with_sign_in():
    """A real SMTP server on 127.0.0.1 that offers AUTH and lets in only ana / PASSWORD."""
    inbox = Inbox()
    tried = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        login = (auth_data.login.decode(), auth_data.password.decode())
        tried.append(login)
        return AuthResult(success=login == ("ana", PASSWORD))

    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    controller.inbox, controller.tried = inbox, tried
    yield controller
    controller.stop()


def test_the_password_is_encrypted_in_the_database_and_signs_in(
    client, company, invoice, server_with_sign_in
):
    form = {
        "host": "127.0.0.1",
        "port": str(server_with_sign_in.port),
        "security": "none",
        "username": "ana",
        "password": PASSWORD,
        "from_address": "yo@ferreteria.example",
    }
    assert client.post(reverse("mail:settings", args=[company.pk]), form).status_code == 302

    stored = stored_password(company)
    assert stored.startswith("fernet:")
    assert PASSWORD not in stored and "s3cr3t" not in stored

    sent = do_send_invoice_email(company, invoice, "cliente@example.com", "Factura", "")
    assert sent.status == Email.Status.SENT, sent.error
    assert server_with_sign_in.tried == [("ana", PASSWORD)]
    assert len(server_with_sign_in.inbox.messages) == 1


def test_a_password_saved_before_encryption_is_read_and_the_migration_encrypts_it(company):
    SmtpSettings.objects.create(company=company, host="smtp.example.com", from_address="y@e.es")
    table = connection.ops.quote_name(SmtpSettings._meta.db_table)
    with connection.cursor() as cursor:  # as a database from before this version holds it
        cursor.execute(f"UPDATE {table} SET password = %s", [PASSWORD])
    assert SmtpSettings.objects.get(company=company).password == PASSWORD

    migration = importlib.import_module("partida.mail.migrations.0004_smtp_password_encrypted")
    from django.apps import apps

    # The migration's function uses only the schema editor's connection.
    migration.encrypt_saved_passwords(apps, SimpleNamespace(connection=connection))
    assert stored_password(company).startswith("fernet:")
    assert SmtpSettings.objects.get(company=company).password == PASSWORD


def test_a_rotated_secret_key_still_reads_the_password_while_the_old_one_is_a_fallback(
    company, settings
):
    SmtpSettings.objects.create(
        company=company, host="smtp.example.com", password=PASSWORD, from_address="y@e.es"
    )
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "n" * 60, [old]
    assert SmtpSettings.objects.get(company=company).password == PASSWORD

    settings.SECRET_KEY_FALLBACKS = []
    # No key opens it: the settings screen asks for the password again, nothing breaks.
    assert SmtpSettings.objects.get(company=company).password == ""
