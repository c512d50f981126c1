import pytest
from django.urls import reverse

from partida.books import actions
from partida.books import models as m
from partida.history.actor import Actor, acting_as
from partida.history.models import HistoryEntry
from tests.history.conftest import save_invoice

ANA = Actor(name="Ana Peña", email="ana@example.com")
LUIS = Actor(name="Luis", email="")


def history_page(client, company, **params):
    url = reverse("history:list", args=[company.pk])
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def test_create_update_delete_are_recorded_with_before_after_and_who(company):
    with acting_as(ANA):
        customer = actions.do_save_record(company, m.Customer(name="Cliente A"))
        customer.name = "Cliente B"
        actions.do_save_record(company, customer)
        customer_id = customer.pk
        actions.do_delete_record(company, customer)

    entries = list(
        HistoryEntry.objects.filter(company=company, record_kind="customer").order_by("at")
    )
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert {e.record_id for e in entries} == {customer_id}
    assert {(e.user_name, e.user_email) for e in entries} == {("Ana Peña", "ana@example.com")}
    created, updated, deleted = entries
    assert created.before is None and created.after["name"] == "Cliente A"
    assert (updated.before["name"], updated.after["name"]) == ("Cliente A", "Cliente B")
    assert deleted.before["name"] == "Cliente B" and deleted.after is None


def test_history_tab_shows_newest_first_with_who_links_and_only_changed_values(client, company):
    with acting_as(ANA):
        kept = actions.do_save_record(company, m.Customer(name="Cliente A", email="a@example.com"))
        kept.name = "Cliente B"
        actions.do_save_record(company, kept)
        gone = actions.do_save_record(company, m.Supplier(name="Proveedor X"))
        actions.do_delete_record(company, gone)

    response = history_page(client, company)
    assert response.context["active_tab"] == "history"
    rows = response.context["rows"]
    assert [(r.entry.action, r.entry.record_kind) for r in rows[:4]] == [
        ("delete", "supplier"),
        ("create", "supplier"),
        ("update", "customer"),
        ("create", "customer"),
    ]
    deleted, _created_supplier, updated, _created_customer = rows[:4]
    assert deleted.record_url is None  # the supplier is gone
    assert updated.record_url == reverse(
        "books:record_edit", args=[company.pk, "customer", kept.pk]
    )
    assert [(c.label, c.before, c.after) for c in updated.changes] == [
        ("Name", "Cliente A", "Cliente B")
    ]
    html = response.content.decode()
    assert "Ana Peña" in html and "ana@example.com" in html
    assert updated.record_url in html
    assert "Proveedor X" in html  # a deleted record is still named, from its snapshot


def test_changed_lines_show_accounts_and_amounts(client, company):
    customer = actions.do_save_record(company, m.Customer(name="Cliente A"))
    invoice = save_invoice(company, customer, ["10.00"])
    save_invoice(company, customer, ["10.00", "5.50"], invoice=invoice)

    response = history_page(client, company, kind="sales_invoice", action="update")
    [row] = response.context["rows"]
    [lines] = [c for c in row.changes if c.is_list]
    account = m.Account.objects.get(pk=invoice.lines.first().account_id)
    assert len(lines.before) == 1 and len(lines.after) == 2
    assert str(account) in lines.after[1]
    assert "5.50" in lines.after[1] or "5,50" in lines.after[1]


def test_filters_by_user_kind_and_action_offer_the_values_present(client, company):
    with acting_as(ANA):
        actions.do_save_record(company, m.Customer(name="De Ana"))
    with acting_as(LUIS):
        supplier = actions.do_save_record(company, m.Supplier(name="De Luis"))
        supplier.name = "De Luis 2"
        actions.do_save_record(company, supplier)

    response = history_page(client, company)
    users = dict(response.context["users"])
    assert users["ana@example.com"] == "Ana Peña <ana@example.com>"
    assert users["Luis"] == "Luis"
    assert ("supplier", "Supplier") in response.context["kinds"]
    assert "purchase_invoice" not in dict(response.context["kinds"])  # none recorded yet
    assert dict(response.context["actions"]) == {"create": "Created", "update": "Updated"}

    def shown(**params):
        rows = history_page(client, company, **params).context["rows"]
        return [(r.entry.user_name, r.entry.record_kind, r.entry.action) for r in rows]

    assert shown(user="ana@example.com") == [("Ana Peña", "customer", "create")]
    assert shown(user="Luis") == [
        ("Luis", "supplier", "update"),
        ("Luis", "supplier", "create"),
    ]
    assert shown(user="Luis", action="update") == [("Luis", "supplier", "update")]
    assert all(kind == "customer" for _u, kind, _a in shown(kind="customer"))
    assert shown(kind="receipt") == []
    html = history_page(client, company, kind="receipt").content.decode()
    assert "No changes match these filters." in html


def test_pages_keep_the_filters(client, company, monkeypatch):
    monkeypatch.setattr("partida.history.views.PAGE_SIZE", 2)
    for n in range(5):
        actions.do_save_record(company, m.Customer(name=f"C{n}"))
    response = history_page(client, company, kind="customer")
    assert [r.record_label for r in response.context["rows"]] == ["C4", "C3"]
    assert "?kind=customer&amp;page=2" in response.content.decode()
    page3 = history_page(client, company, kind="customer", page=3)
    assert [r.record_label for r in page3.context["rows"]] == ["C0"]


def test_another_companys_history_is_never_shown(client, company, other_company):
    with acting_as(ANA):
        actions.do_save_record(company, m.Customer(name="Nuestro cliente"))
    with acting_as(LUIS):
        actions.do_save_record(other_company, m.Customer(name="Their customer"))

    response = history_page(client, company)
    assert {r.entry.company_id for r in response.context["rows"]} == {company.pk}
    assert "Luis" not in dict(response.context["users"])
    assert "Their customer" not in response.content.decode()
    # Even naming the other company's user in the filter shows nothing of theirs.
    assert history_page(client, company, user="Luis").context["rows"] == []


def test_an_unknown_company_is_not_found(client, db):
    import uuid

    response = client.get(reverse("history:list", args=[uuid.uuid4()]))
    assert response.status_code == 404


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_tab_renders_in_both_languages(client, company, language):
    response = client.get(reverse("history:list", args=[company.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
