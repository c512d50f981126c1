"""The bookkeeping screens, driven through the Django test client."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from partida.books import actions
from partida.books import models as m
from partida.books.kinds import TRANSACTION_KINDS

pytestmark = pytest.mark.django_db


def account(company, code):
    return m.Account.objects.get(company=company, code=code)


def bank(company):
    return m.BankAccount.objects.filter(company=company, kind="bank").get()


def url(name, company, **kwargs):
    return reverse(f"books:{name}", kwargs={"company_id": company.pk, **kwargs})


def lines_data(lines, initial=0, total=None):
    """The POST data of a formset of lines: ``lines`` is a list of dicts of field values."""
    data = {
        "lines-TOTAL_FORMS": str(total if total is not None else len(lines)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = value
    return data


def receipt_data(company, amount="100.00", **extra):
    return {
        "date": "2025-03-10",
        "reference": "R-1",
        "bank_account": str(bank(company).pk),
        "description": "Cash sale",
        **lines_data([{"account": str(account(company, "4000").pk), "amount": amount}]),
        **extra,
    }


def transaction_data(company, kind):
    """A valid new transaction of each kind, as the form posts it."""
    customer = m.Customer.objects.create(company=company, name="Ana")
    supplier = m.Supplier.objects.create(company=company, name="Paper Co")
    sales, office = str(account(company, "4000").pk), str(account(company, "5500").pk)
    if kind == "receipt":
        return receipt_data(company, customer=str(customer.pk))
    if kind == "payment":
        return {
            "date": "2025-03-11",
            "bank_account": str(bank(company).pk),
            "supplier": str(supplier.pk),
            **lines_data([{"account": office, "amount": "40.50"}]),
        }
    if kind == "sales_invoice":
        return {
            "date": "2025-03-12",
            "customer": str(customer.pk),
            **lines_data([{"account": sales, "quantity": "3", "unit_price": "12.50"}]),
        }
    if kind == "purchase_invoice":
        return {
            "date": "2025-03-13",
            "supplier": str(supplier.pk),
            **lines_data([{"account": office, "quantity": "2", "unit_price": "7.25"}]),
        }
    return {
        "date": "2025-03-14",
        "description": "Owner puts in capital",
        **lines_data(
            [
                {"account": str(account(company, "1700").pk), "debit": "500", "credit": ""},
                {"account": str(account(company, "3000").pk), "debit": "", "credit": "500"},
            ]
        ),
    }


EXPECTED_TOTAL = {
    "receipt": Decimal("100.00"),
    "payment": Decimal("40.50"),
    "sales_invoice": Decimal("37.50"),
    "purchase_invoice": Decimal("14.50"),
    "journal_entry": Decimal("500.00"),
}


# --- Companies -------------------------------------------------------------------------------


def test_add_rename_and_delete_a_company(client):
    page = client.get(reverse("books:companies"))
    assert page.status_code == 200
    assert "Add company" in page.content.decode()

    response = client.post(
        reverse("books:company_add"),
        {"name": "  Bakery Sol  ", "base_currency": "usd", "chart_language": "es"},
    )
    company = m.Company.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("summary", company)
    assert (company.name, company.base_currency, company.chart_language) == (
        "Bakery Sol",
        "USD",
        "es",
    )
    sales = m.Account.objects.filter(company=company, code="700", name="Ventas de mercaderías")
    assert sales.exists()
    listing = client.get(reverse("books:companies")).content.decode()
    assert "Bakery Sol" in listing and "USD" in listing

    response = client.post(url("company_edit", company), {"name": "Bakery Luna"})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "Bakery Luna"

    confirm = client.get(url("company_delete", company))
    assert confirm.status_code == 200
    assert "Bakery Luna" in confirm.content.decode()
    assert m.Company.objects.filter(pk=company.pk).exists()  # a GET deletes nothing

    response = client.post(url("company_delete", company))
    assert response.status_code == 302
    assert not m.Company.objects.exists()
    assert not m.Account.objects.exists()


def test_a_wrong_currency_code_is_refused_with_a_clear_message(client):
    response = client.post(
        reverse("books:company_add"),
        {"name": "Bakery", "base_currency": "EU", "chart_language": "en"},
    )
    assert response.status_code == 200
    assert "“EU” is not an ISO 4217 currency code" in response.content.decode()
    response = client.post(
        reverse("books:company_add"),
        {"name": "Bakery", "base_currency": "XYZ", "chart_language": "en"},
    )
    assert "“XYZ” is not an ISO 4217 currency code" in response.content.decode()
    assert not m.Company.objects.exists()


def test_renaming_to_an_empty_name_changes_nothing(client, company):
    response = client.post(url("company_edit", company), {"name": "   "})
    assert response.status_code == 200
    company.refresh_from_db()
    assert company.name == "Acme Trading"


# --- Records ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, data, changed",
    [
        (
            "account",
            {"code": "4200", "name": "Consulting", "kind": "income", "role": ""},
            {"name": "Consulting fees"},
        ),
        (
            "bank_account",
            {"name": "Savings", "kind": "bank", "number": "ES12"},
            {"name": "Reserve"},
        ),
        ("customer", {"name": "Ana", "email": "ana@example.com"}, {"name": "Ana Ruiz"}),
        ("supplier", {"name": "Paper Co", "tax_id": "B123"}, {"name": "Paper Company"}),
    ],
)
def test_create_edit_and_delete_a_record(client, company, kind, data, changed):
    model = {
        "account": m.Account,
        "bank_account": m.BankAccount,
        "customer": m.Customer,
        "supplier": m.Supplier,
    }[kind]
    before = set(model.objects.filter(company=company).values_list("pk", flat=True))
    assert client.get(url("record_add", company, kind=kind)).status_code == 200

    response = client.post(url("record_add", company, kind=kind), data)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == url("record_list", company, kind=kind)
    record = model.objects.filter(company=company).exclude(pk__in=before).get()
    assert record.name == data["name"]
    assert data["name"] in client.get(url("record_list", company, kind=kind)).content.decode()

    response = client.post(
        url("record_edit", company, kind=kind, pk=record.pk), {**data, **changed}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.name == changed["name"]
    if kind == "bank_account":  # its account in the chart follows its name
        assert record.account.name == changed["name"]

    confirm = client.get(url("record_delete", company, kind=kind, pk=record.pk))
    assert confirm.status_code == 200
    response = client.post(url("record_delete", company, kind=kind, pk=record.pk))
    assert response.status_code == 302
    assert not model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("kind", TRANSACTION_KINDS)
def test_create_edit_and_delete_a_transaction(client, company, kind):
    data = transaction_data(company, kind)
    page = client.get(url("record_add", company, kind=kind)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="attachments"' in page and "multiple" in page

    response = client.post(url("record_add", company, kind=kind), data)
    assert response.status_code == 302, response.content.decode()
    model = m.LedgerEntry.objects.filter(company=company)
    record = {
        "receipt": m.Receipt,
        "payment": m.Payment,
        "sales_invoice": m.SalesInvoice,
        "purchase_invoice": m.PurchaseInvoice,
        "journal_entry": m.JournalEntry,
    }[kind].objects.get(company=company)
    assert model.filter(source_id=record.pk).exists()
    listing = client.get(url("record_list", company, kind=kind)).content.decode()
    total = EXPECTED_TOTAL[kind]
    assert f"{total:,.2f}" in listing

    edit = client.get(url("record_edit", company, kind=kind, pk=record.pk))
    assert edit.status_code == 200
    assert edit.context["formset"].initial_form_count() == len(list(record.lines.all()))

    # Edit: change the description and delete the last line, then add another one.
    lines = list(record.lines.all())
    line_rows = []
    for line in lines:
        row = {"id": str(line.pk), "account": str(line.account_id), "description": "x"}
        if kind == "journal_entry":
            row.update(debit=str(line.debit), credit=str(line.credit))
        elif kind in ("sales_invoice", "purchase_invoice"):
            row.update(quantity=str(line.quantity), unit_price=str(line.unit_price))
        else:
            row.update(amount=str(line.amount))
        line_rows.append(row)
    edited = {k: v for k, v in data.items() if not k.startswith("lines-")}
    edited["description"] = "Edited"
    edited.update(lines_data(line_rows, initial=len(lines)))
    response = client.post(url("record_edit", company, kind=kind, pk=record.pk), edited)
    assert response.status_code == 302, response.content.decode()
    record.refresh_from_db()
    assert record.description == "Edited"
    assert [line.description for line in record.lines.all()] == ["x"] * len(lines)

    response = client.post(url("record_delete", company, kind=kind, pk=record.pk))
    assert response.status_code == 302
    assert not type(record).objects.filter(pk=record.pk).exists()
    assert not m.LedgerEntry.objects.filter(source_id=record.pk).exists()


def test_removing_a_line_on_the_edit_page(client, company):
    client.post(
        url("record_add", company, kind="receipt"),
        {
            **receipt_data(company),
            **lines_data(
                [
                    {"account": str(account(company, "4000").pk), "amount": "60"},
                    {"account": str(account(company, "4100").pk), "amount": "40"},
                ]
            ),
        },
    )
    receipt = m.Receipt.objects.get(company=company)
    first, second = receipt.lines.all()
    data = receipt_data(company)
    data.update(
        lines_data(
            [
                {"id": str(first.pk), "account": str(first.account_id), "amount": "60"},
                {
                    "id": str(second.pk),
                    "account": str(second.account_id),
                    "amount": "40",
                    "DELETE": "on",
                },
                {"account": "", "amount": ""},  # an empty extra row is ignored
            ],
            initial=2,
        )
    )
    response = client.post(url("record_edit", company, kind="receipt", pk=receipt.pk), data)
    assert response.status_code == 302, response.content.decode()
    assert [line.amount for line in receipt.lines.all()] == [Decimal("60.00")]
    bank_entry = m.LedgerEntry.objects.get(source_id=receipt.pk, account=bank(company).account)
    assert bank_entry.amount == Decimal("60.00")


def test_spanish_decimal_comma_is_understood(client, company):
    response = client.post(
        url("record_add", company, kind="receipt"),
        receipt_data(company, amount="12,50"),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 302, response.content.decode()
    assert m.ReceiptLine.objects.get(company=company).amount == Decimal("12.50")


def test_an_unbalanced_journal_entry_is_refused_and_nothing_is_saved(client, company):
    data = {
        "date": "2025-03-14",
        "description": "Wrong",
        **lines_data(
            [
                {"account": str(account(company, "1700").pk), "debit": "500", "credit": ""},
                {"account": str(account(company, "3000").pk), "debit": "", "credit": "400"},
            ]
        ),
    }
    response = client.post(url("record_add", company, kind="journal_entry"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The entry does not balance: debits are 500.00 and credits are 400.00." in page
    assert "Wrong" in page  # what the user typed is kept
    assert not m.JournalEntry.objects.exists()
    assert not m.JournalEntryLine.objects.exists()
    assert not m.LedgerEntry.objects.exists()


def test_a_transaction_without_lines_is_refused(client, company):
    data = receipt_data(company)
    data.update(lines_data([{"account": "", "amount": ""}] * 3))
    response = client.post(url("record_add", company, kind="receipt"), data)
    assert response.status_code == 400
    assert "Add at least one line with an amount." in response.content.decode()
    assert not m.Receipt.objects.exists()


def test_a_line_account_of_another_company_is_refused(client, company, other_company):
    data = receipt_data(company)
    data["lines-0-account"] = str(account(other_company, "700").pk)
    response = client.post(url("record_add", company, kind="receipt"), data)
    assert response.status_code == 400
    assert not m.Receipt.objects.exists()


def test_sales_invoice_lines_offer_income_accounts_first(client, company):
    form = client.get(url("record_add", company, kind="sales_invoice")).context["formset"].forms[0]
    groups = [label for label, _options in form.fields["account"].widget.choices[1:]]
    assert [str(label) for label in groups] == ["Income", "Liability"]
    offered = {str(a.pk) for a in form.fields["account"].queryset}
    assert str(account(company, "1200").pk) not in offered  # receivable is posted by itself


def test_account_code_must_be_unique_in_the_company(client, company):
    response = client.post(
        url("record_add", company, kind="account"),
        {"code": "4000", "name": "Again", "kind": "income", "role": ""},
    )
    assert response.status_code == 400
    assert "An account with code 4000 already exists." in response.content.decode()


def test_an_account_in_use_is_not_deleted(client, company):
    client.post(url("record_add", company, kind="receipt"), receipt_data(company))
    sales = account(company, "4000")
    response = client.post(url("record_delete", company, kind="account", pk=sales.pk))
    assert response.status_code == 409
    assert "This account has transactions." in response.content.decode()
    assert m.Account.objects.filter(pk=sales.pk).exists()


def test_a_record_of_another_company_is_not_found(client, company, other_company):
    customer = m.Customer.objects.create(company=other_company, name="Theirs")
    receipt = actions.do_save_transaction(
        other_company,
        m.Receipt(bank_account=bank(other_company)),
        [m.ReceiptLine(account=account(other_company, "700"), amount=Decimal("5"))],
    )
    for kind, record in (("customer", customer), ("receipt", receipt)):
        for name in ("record_edit", "record_delete"):
            assert client.get(url(name, company, kind=kind, pk=record.pk)).status_code == 404
            assert client.post(url(name, company, kind=kind, pk=record.pk)).status_code == 404
    assert m.Customer.objects.filter(pk=customer.pk).exists()
    assert m.Receipt.objects.filter(pk=receipt.pk).exists()
    assert "Theirs" not in client.get(url("record_list", company, kind="customer")).content.decode()


def test_an_unknown_kind_or_company_is_not_found(client, company):
    assert client.get(f"/c/{company.pk}/company/").status_code == 404
    assert client.get(f"/c/{company.pk}/ledger/").status_code == 404
    assert client.get("/c/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_transactions_are_listed_newest_first_with_pages(client, company):
    sales = account(company, "4000")
    for day in range(1, 56):
        actions.do_save_transaction(
            company,
            m.Receipt(
                bank_account=bank(company),
                date=datetime.date(2025, 1, 1) + datetime.timedelta(days=day),
                reference=f"N{day:03}",
            ),
            [m.ReceiptLine(account=sales, amount=Decimal(day))],
        )
    first = client.get(url("record_list", company, kind="receipt"))
    assert first.context["page"].paginator.num_pages == 2
    references = [row["cells"][1][0] for row in first.context["rows"]]
    assert references[0] == "N055" and references[-1] == "N006"
    second = client.get(url("record_list", company, kind="receipt") + "?page=2")
    assert [row["cells"][1][0] for row in second.context["rows"]][-1] == "N001"


# --- Summary ---------------------------------------------------------------------------------


def test_the_summary_changes_after_a_receipt(client, company):
    year = datetime.date.today().year
    period = f"?from={year}-01-01&to={year}-12-31"
    before = client.get(url("summary", company) + period)
    assert before.status_code == 200
    assert before.context["summary"].income == Decimal("0.00")

    data = receipt_data(company, amount="1234.50")
    data["date"] = f"{year}-02-01"
    assert client.post(url("record_add", company, kind="receipt"), data).status_code == 302

    after = client.get(url("summary", company) + period)
    summary = after.context["summary"]
    assert summary.income == Decimal("1234.50")
    assert summary.assets == Decimal("1234.50")
    assert summary.net_profit == Decimal("1234.50")
    page = after.content.decode()
    assert "€1,234.50" in page  # the currency as English writes it (Babel)
    assert "4000 Sales" in page


def test_the_summary_period_defaults_to_this_year_and_explains_a_bad_date(client, company):
    response = client.get(url("summary", company))
    today = datetime.date.today()
    assert response.context["date_from"] == today.replace(month=1, day=1)
    assert response.context["date_to"] == today
    response = client.get(url("summary", company) + "?from=31/02/2025")
    assert response.status_code == 200
    assert "“31/02/2025” is not a date." in response.content.decode()


def test_the_summary_leaves_room_for_backup_and_the_tabs_for_what_exists(client, company):
    page = client.get(url("summary", company)).content.decode()
    assert 'class="tab-actions"' in page
    for label in ("Summary", "Receipts", "Sales invoices", "Chart of accounts"):
        assert label in page


# --- Languages -------------------------------------------------------------------------------


def test_screens_in_spanish_and_english(client, company):
    spanish = client.get(url("summary", company), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="es"' in spanish
    for label in ("Resumen", "Cobros", "Clientes", "Facturas de venta", "Plan de cuentas"):
        assert label in spanish, label
    english = client.get(url("summary", company), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english
    assert "Summary" in english and "Resumen" not in english

    # The language chosen in the top bar is kept in a cookie and wins over the browser's.
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    page = client.get(reverse("books:companies"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Empresas" in page


# --- Attachments -----------------------------------------------------------------------------


def test_an_oversized_attachment_is_refused_and_nothing_is_saved(client, company, settings):
    settings.PARTIDA_MAX_ATTACHMENT_BYTES = 1024
    data = receipt_data(company)
    data["attachments"] = [
        SimpleUploadedFile("note.txt", b"small"),
        SimpleUploadedFile("scan.pdf", b"x" * 3000, content_type="application/pdf"),
    ]
    response = client.post(url("record_add", company, kind="receipt"), data)
    assert response.status_code == 400
    assert (
        "“scan.pdf” is 2.9 KB; files up to 1 KB can be attached. Choose a smaller file."
        in response.content.decode()
    )
    assert not m.Receipt.objects.exists()
    assert not m.LedgerEntry.objects.exists()


def test_chosen_attachments_are_handed_over_after_the_save(client, company):
    from partida.books.signals import attachments_submitted

    received = []

    def listener(sender, company, kind, record_id, files, **kwargs):
        contents = []
        for uploaded in files:
            uploaded.seek(0)  # another listener (the attachments app) may have read it already
            contents.append((uploaded.name, uploaded.read()))
        received.append((company, kind, record_id, contents))

    attachments_submitted.connect(listener, dispatch_uid="test-listener")
    try:
        data = receipt_data(company)
        data["attachments"] = [SimpleUploadedFile("ticket.txt", b"paid")]
        response = client.post(url("record_add", company, kind="receipt"), data)
    finally:
        attachments_submitted.disconnect(dispatch_uid="test-listener")
    assert response.status_code == 302
    receipt = m.Receipt.objects.get()
    assert received == [(company, "receipt", receipt.pk, [("ticket.txt", b"paid")])]


def test_a_refusing_listener_undoes_the_whole_save(client, company):
    from django.core.exceptions import ValidationError

    from partida.books.signals import attachments_submitted

    def refuse(**kwargs):
        raise ValidationError("The file store is full. Free some space and try again.")

    attachments_submitted.connect(refuse, dispatch_uid="test-refuse")
    try:
        data = receipt_data(company)
        data["attachments"] = [SimpleUploadedFile("ticket.txt", b"paid")]
        response = client.post(url("record_add", company, kind="receipt"), data)
    finally:
        attachments_submitted.disconnect(dispatch_uid="test-refuse")
    assert response.status_code == 400
    assert "The file store is full." in response.content.decode()
    assert not m.Receipt.objects.exists()
    assert not m.LedgerEntry.objects.exists()


# --- CSRF ------------------------------------------------------------------------------------


def test_changes_need_the_csrf_token(company):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("books:company_add"), {"name": "X", "base_currency": "EUR"})
    assert response.status_code == 403
    assert strict.post(url("company_delete", company)).status_code == 403
    assert (
        strict.post(url("record_add", company, kind="receipt"), receipt_data(company)).status_code
        == 403
    )
    assert m.Company.objects.count() == 1
    assert not m.Receipt.objects.exists()

    # With the token from the form, the same request goes through.
    strict.get(reverse("books:company_add"))
    token = strict.cookies["csrftoken"].value
    response = strict.post(
        reverse("books:company_add"),
        {"name": "X", "base_currency": "EUR", "chart_language": "en", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert m.Company.objects.count() == 2


# --- Places left for the other screens ---------------------------------------------------------


def test_backup_import_send_and_attachments_have_their_places(client, company):
    summary = client.get(url("summary", company)).content.decode()
    actions_block = summary.split('class="tab-actions"', 1)[1].split("</div>", 1)[0]
    assert f'href="{reverse("backups:backup", kwargs={"company_id": company.pk})}"' in actions_block
    assert "Backup" in actions_block

    companies = client.get(reverse("books:companies")).content.decode()
    assert f'href="{reverse("backups:import")}"' in companies
    assert "Import company" in companies

    customer = m.Customer.objects.create(company=company, name="Ana")
    invoice = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer),
        [m.SalesInvoiceLine(account=account(company, "4000"), unit_price=Decimal("10"))],
    )
    edit = client.get(url("record_edit", company, kind="sales_invoice", pk=invoice.pk))
    page = edit.content.decode()
    send = reverse("mail:send_invoice", kwargs={"company_id": company.pk, "pk": invoice.pk})
    assert f'href="{send}"' in page and "Send by email" in page
    assert edit.context["attachments_panel"] == "attachments/_panel.html"
    assert 'class="attachments-panel"' in page


def test_a_tab_whose_screen_is_not_installed_is_left_out(company, monkeypatch):
    from partida.books import tabs

    monkeypatch.setattr(tabs, "TABS", [*tabs.TABS, ("budgets", "Budgets", "budgets:list", None)])
    keys = [tab["key"] for tab in tabs.company_tabs(company)]
    assert "budgets" not in keys
    assert keys[:2] == ["summary", "bank_account"]


def test_deleting_a_company_with_transactions(client, company):
    assert (
        client.post(url("record_add", company, kind="receipt"), receipt_data(company)).status_code
        == 302
    )
    response = client.post(url("company_delete", company))
    assert response.status_code == 302
    assert not m.Company.objects.filter(pk=company.pk).exists()
    assert not m.Receipt.objects.exists() and not m.LedgerEntry.objects.exists()
