"""The cloud edition's own screens speak Spanish to a Spanish customer, as "tú": the sign-in, a
refused sign-in, the portal with its backups, the portal after the subscription has ended, the
closed company screens and the message after Back up now. The desktop screens are checked in
tests/test_every_screen_in_spanish.py; the staff admin is Django's and is left out."""

import pytest
from django.test import Client

from partida.autobackups.runner import run_stored_backup
from partida.autobackups.schedule import do_request_backup
from tests.cloud.cloud_fixtures import *  # noqa: F403
from tests.cloud.cloud_fixtures import expire, make_account
from tests.spanish import context_of, faults, visible_text

SIGN_IN = "/portal/sign-in/"


def spanish_client(account=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    if account:
        client.force_login(account.user)
    return client


def check_spanish(screen: str, response) -> None:
    assert response.status_code in (200, 403), (screen, response.status_code)
    text = visible_text(response.content.decode())
    assert 'lang="es"' in response.content.decode(), screen
    problems = [
        f"{fault} in «{context_of(text, fault.split('“')[1][:-1])}»" for fault in faults(text)
    ]
    assert not problems, f"{screen}: {problems}"


@pytest.fixture
def screens(store, cloud):
    """A Spanish customer (the fixtures' names are English) with one stored backup."""
    ana = make_account("ana@example.es", "Panadería Ana")
    ana.customer.name = "Ana Ruiz"
    ana.customer.save()
    run_stored_backup(do_request_backup(ana.company).pk)
    return ana


def test_sign_in_screens_are_spanish(screens):
    anonymous = spanish_client()
    check_spanish("sign-in", anonymous.get(SIGN_IN))
    refused = anonymous.post(SIGN_IN, {"username": screens.email, "password": "wrong"})
    check_spanish("refused sign-in", refused)
    assert "no corresponden a ninguna cuenta" in refused.content.decode()


def test_portal_screens_are_spanish_before_and_after_the_subscription_ends(screens):
    client = spanish_client(screens)
    check_spanish("portal", client.get("/portal/"))
    response = client.post(f"/portal/companies/{screens.company.pk}/back-up-now/", follow=True)
    check_spanish("portal after Back up now", response)

    expire(screens)
    check_spanish("portal after the subscription ended", client.get("/portal/"))
    closed = client.get(f"/c/{screens.company.pk}/")
    assert closed.status_code == 403
    check_spanish("a company screen after the subscription ended", closed)


def test_the_encryption_screens_are_spanish(screens):
    client = spanish_client(screens)
    check_spanish("encryption", client.get("/portal/encryption/"))
    differ = client.post(
        "/portal/encryption/", {"passphrase": "una frase", "passphrase_again": "otra frase"}
    )
    check_spanish("encryption, two passphrases that differ", differ)
    saved = client.post(
        "/portal/encryption/",
        {"passphrase": "una frase", "passphrase_again": "una frase"},
        follow=True,
    )
    check_spanish("portal after choosing a passphrase", saved)
    check_spanish("encryption, once chosen", client.get("/portal/encryption/"))
    stopped = client.post("/portal/encryption/", {"remove": "1"}, follow=True)
    check_spanish("portal after stopping encryption", stopped)
