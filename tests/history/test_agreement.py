"""In Spanish, what History says was done agrees with the kind of record: "Creado" for a
payment, a receipt or a journal entry, "Creada" for an invoice or an account."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from partida.books.kinds import RECORD_KINDS
from partida.history.display import ACTION_FILTER_LABELS, ACTION_LABELS, action_label
from partida.history.models import HistoryEntry
from tests.backups.conftest import make_company

MASCULINE = {"customer", "supplier", "receipt", "payment", "journal_entry", "tax_code"}
FEMININE = {"company", "account", "bank_account", "sales_invoice", "purchase_invoice"}
SPANISH = {"create": "Cread", "update": "Modificad", "delete": "Eliminad"}
ENGLISH = {"create": "Created", "update": "Updated", "delete": "Deleted"}


def test_every_kind_has_its_own_words_for_every_action():
    assert set(ACTION_LABELS) == set(RECORD_KINDS) == MASCULINE | FEMININE
    for kind in RECORD_KINDS:
        assert set(ACTION_LABELS[kind]) == set(HistoryEntry.Action.values), kind


@pytest.mark.parametrize("kind", sorted(RECORD_KINDS))
@pytest.mark.parametrize("action", HistoryEntry.Action.values)
def test_the_word_agrees_with_the_kind_in_spanish_and_stays_plain_in_english(kind, action):
    ending = "o" if kind in MASCULINE else "a"
    with translation.override("es"):
        assert action_label(kind, action) == SPANISH[action] + ending
    with translation.override("en"):
        assert action_label(kind, action) == ENGLISH[action]


def test_the_history_tab_says_creado_for_a_payment_and_creada_for_an_invoice(client, db):
    company = make_company()
    page = client.get(
        reverse("history:list", kwargs={"company_id": company.pk}), HTTP_ACCEPT_LANGUAGE="es"
    )
    html = page.content.decode()
    rows = re.findall(
        r'<tr class="history-\w+">.*?<td>([^<]*)</td>\s*<td><span class="kind">([^<]*)<', html, re.S
    )
    said = {(kind, word) for word, kind in rows}
    assert ("Pago", "Creado") in said and ("Cobro", "Creado") in said
    assert ("Asiento", "Creado") in said and ("Factura de venta", "Creada") in said
    assert ("Cliente", "Eliminado") in said
    masculine = ("Pago", "Cobro", "Asiento", "Cliente", "Proveedor")
    assert not {(kind, word) for kind, word in said if kind in masculine and word.endswith("a")}


def test_the_filter_names_the_actions_with_nouns(client, db):
    company = make_company()
    with translation.override("es"):
        assert [str(label) for label in ACTION_FILTER_LABELS.values()] == [
            "Creación",
            "Modificación",
            "Eliminación",
        ]
    page = client.get(
        reverse("history:list", kwargs={"company_id": company.pk}), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert '<option value="create">Creación</option>' in page.content.decode()
