"""Error pages are the program's own: its layout, the person's language, one sentence."""

import pytest
from django.test import Client


@pytest.fixture
def spanish(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client


def test_an_address_that_does_not_exist_answers_in_the_layout_and_in_spanish(spanish, db):
    page = spanish.get("/c/00000000-0000-0000-0000-000000000000/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "Página no encontrada" in html and 'class="topbar"' in html
    assert 'lang="es"' in html and "Volver a las empresas" in html


def test_a_form_sent_without_its_csrf_token_is_refused_in_the_layout(db):
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="es")
    page = browser.post("/companies/add/", {"name": "Sin token"})
    assert page.status_code == 403
    html = page.content.decode()
    assert "Este formulario ha caducado" in html and 'class="topbar"' in html


@pytest.mark.urls("tests.error_urls")
def test_a_server_error_is_one_translated_sentence_in_the_layout(spanish, db):
    spanish.raise_request_exception = False
    page = spanish.get("/failing/")
    assert page.status_code == 500
    html = page.content.decode()
    assert "Algo ha fallado" in html and "no ha guardado nada" in html
    assert "Traceback" not in html and 'class="topbar"' in html
