"""Real books: the Taxes screen, archiving accounts and taxes, the lock date and closing a year,
as a person meets them on the screens (Django's test client) and at the command line."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from partida.books import actions, closing
from partida.books import models as m
from partida.cli import main
from partida.history.models import HistoryEntry
from partida.reports import ledger_reports

pytestmark = pytest.mark.django_db

D = Decimal
NBSP = "\u00a0"


@pytest.fixture
def company(db) -> m.Company:
    """A Spanish company: the PGC chart and the Spanish default taxes."""
    return actions.do_create_company("Panadería Sol", chart_language="es")


@pytest.fixture
def spanish(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    return client


def url(name: str, company: m.Company, **kwargs) -> str:
    return reverse(f"books:{name}", kwargs={"company_id": company.pk, **kwargs})


def account(company: m.Company, code: str) -> m.Account:
    return m.Account.objects.get(company=company, code=code)


def bank(company: m.Company) -> m.BankAccount:
    return m.BankAccount.objects.get(company=company, kind=m.BankAccount.Kind.BANK)


def receipt(company, day: datetime.date, amount: str, code: str = "700") -> m.Receipt:
    line = m.ReceiptLine(account=account(company, code), amount=D(amount))
    return actions.do_save_transaction(
        company, m.Receipt(date=day, bank_account=bank(company)), [line]
    )


def payment(company, day: datetime.date, amount: str, code: str = "621") -> m.Payment:
    line = m.PaymentLine(account=account(company, code), amount=D(amount))
    return actions.do_save_transaction(
        company, m.Payment(date=day, bank_account=bank(company)), [line]
    )


def a_year_of_business(company) -> None:
    """2025: 1.500 of sales and 250 of services, 400 of rent: a profit of 1.350."""
    receipt(company, datetime.date(2025, 3, 10), "1500.00", "700")
    receipt(company, datetime.date(2025, 6, 1), "250.00", "705")
    payment(company, datetime.date(2025, 12, 31), "400.00", "621")


def text_of(page) -> str:
    return page.content.decode()


# --- 1. Taxes --------------------------------------------------------------------------------


def test_the_taxes_list_shows_rates_as_the_language_writes_them(spanish, company):
    page = spanish.get(url("record_list", company, kind="tax_code"))
    assert page.status_code == 200
    content = text_of(page)
    assert f"21{NBSP}%" in content and f"\u221215{NBSP}%" in content
    assert "21.0000" not in content and "21,0000" not in content
    assert "477 Hacienda Pública, IVA repercutido" in content

    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(url("record_list", company, kind="tax_code"))
    assert "21%" in text_of(english) and "\u221215%" in text_of(english)


def test_the_tax_form_offers_only_this_companys_accounts_in_use(client, company, other_company):
    rent = account(company, "621")
    closing.do_archive(company, rent, True)
    page = client.get(url("record_add", company, kind="tax_code"))
    offered = set(page.context["form"].fields["sales_account"].queryset)
    assert account(company, "477") in offered
    assert rent not in offered
    assert not offered & set(m.Account.objects.filter(company=other_company))
    assert "477 in the Spanish chart" in text_of(page)


def test_a_tax_is_added_with_a_rate_typed_with_a_true_minus_sign(client, company):
    data = {
        "name": "IRPF −7 %",
        "rate": "−7",
        "kind": "withholding",
        "sales_account": str(account(company, "473").pk),
        "purchase_account": str(account(company, "4751").pk),
    }
    page = client.post(url("record_add", company, kind="tax_code"), data)
    assert page.status_code == 302, page.context["form"].errors
    assert m.TaxCode.objects.get(company=company, name="IRPF −7 %").rate == D("-7")


def without_taxes(company) -> m.Company:
    """As a company restored from a backup older than taxes: no taxes, nor their accounts."""
    m.TaxCode.objects.filter(company=company).delete()
    m.Account.objects.filter(company=company, code__in=["472", "477", "473", "4751"]).delete()
    return company


def test_a_company_without_taxes_gets_the_default_ones_with_their_accounts(spanish, company):
    without_taxes(company)
    taxes_url = url("record_list", company, kind="tax_code")
    assert "Añadir los impuestos predeterminados" in text_of(spanish.get(taxes_url))

    page = spanish.post(url("add_default_taxes", company), follow=True)
    assert page.status_code == 200
    names = set(m.TaxCode.objects.filter(company=company).values_list("name", flat=True))
    assert names == {"IVA 21 %", "IVA 10 %", "IVA 4 %", "IVA 0 % (exento)", "IRPF −15 %"}
    iva = m.TaxCode.objects.get(company=company, name="IVA 21 %")
    assert (iva.sales_account.code, iva.purchase_account.code) == ("477", "472")
    assert account(company, "4751").name.startswith("Hacienda Pública")
    assert account(company, "477").kind == m.AccountKind.LIABILITY
    assert "Añadir los impuestos predeterminados" not in text_of(page)
    # History shows each tax and account added.
    added = HistoryEntry.objects.filter(company=company, action="create")
    assert added.filter(record_kind="tax_code").count() == 5
    assert added.filter(record_kind="account", record_id=account(company, "472").pk).exists()


def test_adding_the_default_taxes_twice_changes_nothing(client, company):
    before = m.TaxCode.objects.filter(company=company).count()
    page = client.post(url("add_default_taxes", company), follow=True)
    assert "has taxes already" in text_of(page)
    assert m.TaxCode.objects.filter(company=company).count() == before
    assert "Add the default taxes" not in text_of(
        client.get(url("record_list", company, kind="tax_code"))
    )


def test_an_english_company_gets_the_english_default_taxes(client):
    company = actions.do_create_company("Acme", chart_language="en")
    m.TaxCode.objects.filter(company=company).delete()
    m.Account.objects.filter(company=company, code="2110").delete()
    closing.do_add_default_taxes(company)
    withholding = m.TaxCode.objects.get(company=company, kind="withholding")
    assert withholding.purchase_account.code == "2110"
    assert m.TaxCode.objects.filter(company=company).count() == 5


# --- 2. Archiving ----------------------------------------------------------------------------


def test_archiving_an_account_keeps_its_movements_and_lists_it_last(spanish, company):
    rent = account(company, "621")
    payment(company, datetime.date(2025, 5, 5), "80.00", "621")
    form = text_of(spanish.get(url("record_edit", company, kind="account", pk=rent.pk)))
    assert "Archivar" in form

    page = spanish.post(
        url("set_archived", company, kind="account", pk=rent.pk), {"archived": "1"}, follow=True
    )
    assert "La cuenta «621 Arrendamientos y cánones» está archivada" in text_of(page)
    rent.refresh_from_db()
    assert rent.archived
    listed = list(page.context["page"])
    assert listed[-1] == rent and all(not a.archived for a in listed[:-1])
    assert "(archivada)" in text_of(page)

    movements = spanish.get(
        reverse(
            "reports:account_movements", kwargs={"company_id": company.pk, "account_id": rent.pk}
        )
    )
    assert movements.status_code == 200 and "80,00" in text_of(movements)
    assert m.LedgerEntry.objects.filter(account=rent).exists()

    form = text_of(spanish.get(url("record_edit", company, kind="account", pk=rent.pk)))
    assert "Recuperar" in form
    spanish.post(url("set_archived", company, kind="account", pk=rent.pk), {"archived": "0"})
    rent.refresh_from_db()
    assert not rent.archived


@pytest.mark.parametrize(
    "code, why",
    [
        ("430", "posts to this account by itself"),
        ("129", "posts to this account by itself"),
        ("5720", "account of a bank or cash account"),
        ("477", "The tax “IVA 21 %” posts to this account"),
    ],
)
def test_an_account_the_program_posts_to_cannot_be_archived(client, company, code, why):
    record = account(company, code)
    page = client.post(
        url("set_archived", company, kind="account", pk=record.pk), {"archived": "1"}, follow=True
    )
    assert why in text_of(page)
    record.refresh_from_db()
    assert not record.archived


def test_archiving_a_tax_marks_it_and_lists_it_last(spanish, company):
    tax = m.TaxCode.objects.get(company=company, name="IVA 21 %")
    page = spanish.post(
        url("set_archived", company, kind="tax_code", pk=tax.pk), {"archived": "1"}, follow=True
    )
    assert "(archivado)" in text_of(page)
    assert list(page.context["page"])[-1] == tax
    tax.refresh_from_db()
    assert tax.archived
    # The account stays in use while another tax in use posts to it.
    with pytest.raises(ValidationError, match="IVA 10 %"):
        closing.do_archive(company, account(company, "477"), True)


def test_only_accounts_and_taxes_are_archived_and_only_by_post(client, company):
    customer = m.Customer.objects.create(company=company, name="Ana")
    assert (
        client.post(url("set_archived", company, kind="customer", pk=customer.pk)).status_code
        == 404
    )
    rent = account(company, "621")
    assert client.get(url("set_archived", company, kind="account", pk=rent.pk)).status_code == 405


# --- 3. Company details ----------------------------------------------------------------------


def details_data(company, **changes) -> dict:
    data = {"name": company.name, "invoice_prefix": "F", "credit_note_prefix": "R"}
    return {**data, **changes}


def test_the_company_details_set_the_prefixes_and_the_lock_date(spanish, company):
    page = spanish.get(url("company_edit", company))
    content = text_of(page)
    assert "Fecha de bloqueo" in content and "F2026-0001" in content
    page = spanish.post(
        url("company_edit", company),
        details_data(company, invoice_prefix="FV", credit_note_prefix="RV", lock_date="2025-06-30"),
    )
    assert page.status_code == 302
    company.refresh_from_db()
    assert (company.invoice_prefix, company.credit_note_prefix) == ("FV", "RV")
    assert company.lock_date == datetime.date(2025, 6, 30)
    assert 'value="2025-06-30"' in text_of(spanish.get(url("company_edit", company)))


def test_a_wrong_prefix_is_refused_with_a_sentence(client, company):
    page = client.post(url("company_edit", company), details_data(company, invoice_prefix="F-26"))
    assert page.status_code == 200
    assert "A prefix is up to eight letters" in text_of(page)
    company.refresh_from_db()
    assert company.invoice_prefix == "F"


# --- 4. Closing a year -----------------------------------------------------------------------


def test_the_close_year_screen_shows_the_result_and_the_lines_to_post(spanish, company):
    a_year_of_business(company)
    summary = text_of(spanish.get(url("summary", company)))
    assert url("close_year", company) in summary
    page = spanish.get(url("close_year", company) + "?year=2025")
    assert page.status_code == 200
    preview = page.context["closing"]
    assert (preview.income, preview.expenses, preview.result) == (D("1750"), D("400"), D("1350"))
    lines = {(line.account.code, line.debit, line.credit) for line in preview.lines}
    assert lines == {
        ("700", D("1500"), D("0")),
        ("705", D("250"), D("0")),
        ("621", D("0"), D("400")),
        ("129", D("0"), D("1350")),
    }
    content = text_of(page)
    assert "1.350,00" in content and "129 Resultado del ejercicio" in content
    assert "Cerrar el ejercicio 2025" in content
    assert not m.JournalEntry.objects.filter(company=company).exists()  # GET posts nothing


def test_closing_a_year_posts_the_entry_and_locks_the_books(spanish, company):
    a_year_of_business(company)
    page = spanish.post(url("close_year", company), {"year": "2025"}, follow=True)
    assert page.status_code == 200
    entry = m.JournalEntry.objects.get(company=company, closes_year=True)
    assert entry.date == datetime.date(2025, 12, 31)
    posted = {(line.account.code, line.debit, line.credit) for line in entry.lines.all()}
    preview_lines = {("700", D("1500.00"), D("0.00")), ("129", D("0.00"), D("1350.00"))}
    assert preview_lines <= posted and len(posted) == 4
    company.refresh_from_db()
    assert company.lock_date == datetime.date(2025, 12, 31)
    # Journal entries lists it, marked as the closing of the year.
    assert "(cierre del ejercicio)" in text_of(page)
    assert "Cierre del ejercicio 2025" in text_of(page)
    # Income and expense accounts are back to zero; 129 holds the year's result.
    for code, balance in (("700", 0), ("621", 0), ("129", D("-1350"))):
        moved = m.LedgerEntry.objects.filter(account=account(company, code))
        assert sum(e.amount for e in moved) == balance, code


def test_closing_a_closed_year_or_an_empty_one_says_why_and_changes_nothing(client, company):
    a_year_of_business(company)
    closing.do_close_calendar_year(company, 2025)
    page = client.post(url("close_year", company), {"year": "2025"})
    assert page.status_code == 400
    assert "This year is closed already" in text_of(page)
    assert m.JournalEntry.objects.filter(company=company, closes_year=True).count() == 1
    assert "is closed already" in text_of(client.get(url("close_year", company) + "?year=2025"))

    page = client.post(url("close_year", company), {"year": "2026"})
    assert page.status_code == 400
    assert "There is no income or expense in this year to close." in text_of(page)
    assert m.JournalEntry.objects.filter(company=company).count() == 1


def test_the_screen_suggests_the_latest_open_year_before_this_one(client, company):
    receipt(company, datetime.date(2024, 2, 1), "10.00")
    receipt(company, datetime.date(2025, 2, 1), "10.00")
    today = datetime.date(2026, 5, 1)
    assert closing.year_to_close(company, today) == 2025
    closing.do_close_calendar_year(company, 2025)
    assert closing.year_to_close(company, today) == 2024


def test_a_year_is_reopened_by_moving_the_lock_date_back_and_deleting_its_entry(client, company):
    a_year_of_business(company)
    entry = closing.do_close_calendar_year(company, 2025)
    form = text_of(client.get(url("record_edit", company, kind="journal_entry", pk=entry.pk)))
    assert "This entry closes the year 2025" in form and "move the lock date" in form

    # While the year is locked its closing entry cannot be deleted.
    delete_url = url("record_delete", company, kind="journal_entry", pk=entry.pk)
    assert client.post(delete_url).status_code == 409
    assert m.JournalEntry.objects.filter(pk=entry.pk).exists()

    company.refresh_from_db()
    client.post(url("company_edit", company), details_data(company, lock_date="2024-12-31"))
    company.refresh_from_db()
    assert company.lock_date == datetime.date(2024, 12, 31)
    assert client.post(delete_url).status_code == 302
    assert not m.JournalEntry.objects.filter(pk=entry.pk).exists()
    assert sum(e.amount for e in m.LedgerEntry.objects.filter(account=account(company, "700")))
    # And the year can be closed again.
    closing.do_close_calendar_year(company, 2025)


def test_after_closing_the_profit_and_loss_of_the_year_still_shows_its_result(company):
    a_year_of_business(company)
    closing.do_close_calendar_year(company, 2025)
    year = ledger_reports.Period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    report = ledger_reports.profit_and_loss(company, year)
    assert (report.total_income, report.total_expenses) == (D("1750.00"), D("400.00"))
    assert report.net_profit == D("1350.00")


# --- 5. The lock date on the transaction screens ---------------------------------------------


def lines_data(lines: list[dict]) -> dict:
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{name}": value for name, value in line.items()})
    return data


def receipt_form(company, day: str, amount: str = "50.00") -> dict:
    return {
        "date": day,
        "bank_account": str(bank(company).pk),
        **lines_data([{"account": str(account(company, "700").pk), "amount": amount}]),
    }


LOCKED = "The books are closed up to"


def test_the_lock_date_refuses_new_changed_and_deleted_transactions(client, company):
    old = receipt(company, datetime.date(2025, 6, 1), "20.00")
    actions.do_update_company(company, lock_date=datetime.date(2025, 6, 30))

    page = client.post(
        url("record_add", company, kind="receipt"), receipt_form(company, "2025-06-30")
    )
    assert page.status_code == 400 and LOCKED in text_of(page)
    assert m.Receipt.objects.filter(company=company).count() == 1

    # Moving a locked receipt to an open day is a change to the locked period too.
    edit_url = url("record_edit", company, kind="receipt", pk=old.pk)
    page = client.post(edit_url, receipt_form(company, "2025-07-15"))
    assert page.status_code == 400 and LOCKED in text_of(page)
    old.refresh_from_db()
    assert old.date == datetime.date(2025, 6, 1) and old.lines.get().amount == D("20.00")

    page = client.post(url("record_delete", company, kind="receipt", pk=old.pk))
    assert page.status_code == 409 and LOCKED in text_of(page)
    assert m.Receipt.objects.filter(pk=old.pk).exists()

    # The day after is open.
    page = client.post(
        url("record_add", company, kind="receipt"), receipt_form(company, "2025-07-01")
    )
    assert page.status_code == 302
    assert m.Receipt.objects.filter(company=company).count() == 2


def test_the_lock_sentence_is_in_spanish(spanish, company):
    actions.do_update_company(company, lock_date=datetime.date(2025, 6, 30))
    page = spanish.post(
        url("record_add", company, kind="receipt"), receipt_form(company, "2025-01-15", "50,00")
    )
    assert page.status_code == 400
    assert "Los libros están cerrados hasta" in text_of(page)


# --- 6. The command line ---------------------------------------------------------------------


def run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def english_cli(monkeypatch, settings):
    monkeypatch.setenv("LANGUAGE", "en")
    settings.LANGUAGE_CODE = "en"


def test_partida_close_year_prints_the_total_and_the_result(capsys, company, english_cli):
    a_year_of_business(company)
    status, out, err = run(capsys, "close-year", company.name, "2025")
    assert status == 0, err
    assert "The year 2025 of Panadería Sol is closed." in out
    assert "Closing entry of 12/31/2025: €1,750.00." in out  # 1.500 + 250 on each side
    assert "Net profit: €1,350.00" in out
    assert m.JournalEntry.objects.get(company=company, closes_year=True).date.year == 2025

    status, out, err = run(capsys, "close-year", company.name, "2025")
    assert status == 1 and "This year is closed already" in err


def test_partida_close_year_json(capsys, company, english_cli):
    a_year_of_business(company)
    status, out, _err = run(capsys, "close-year", str(company.pk), "2025", "--json")
    assert status == 0
    answer = json.loads(out)
    assert answer["year"] == 2025 and answer["lock_date"] == "2025-12-31"
    assert (answer["total"], answer["result"]) == ("1750.00", "1350.00")
    assert (answer["income"], answer["expenses"]) == ("1750.00", "400.00")


def test_partida_close_year_refuses_a_wrong_year(capsys, company, english_cli):
    status, _out, err = run(capsys, "close-year", company.name, "last")
    assert status == 1 and "is not a year" in err
