"""Sales invoices are numbered by series (F2026-0001), a number is never given twice, and the
series' gaps are shown.

The concurrency test saves invoices from two threads, each with its own database connection,
while the first one's transaction is held open after it took its number: on PostgreSQL (the
second pass of the suite) the second save must wait for the counter's row, not read the same
last number. On SQLite the write transactions are serialised (``BEGIN IMMEDIATE``).
"""

import datetime
import threading
import time
from decimal import Decimal as D

import pytest
from django.db import connection

from partida.books import actions
from partida.books import models as m
from partida.books.invoices import numbering_gaps
from partida.books.signals import record_changed


def new_books():
    company = actions.do_create_company("Numeración S.L.", "EUR", "es")
    customer = actions.do_save_record(company, m.Customer(name="Cliente"))
    sales = m.Account.objects.get(company=company, code="700")
    return company, customer, sales


def save_invoice(company, customer, sales, day=datetime.date(2026, 5, 4), **fields):
    return actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, date=day, **fields),
        [m.SalesInvoiceLine(account=sales, quantity=D("1"), unit_price=D("10"))],
    )


@pytest.mark.django_db(transaction=True)
def test_two_invoices_saved_at_once_never_share_a_number():
    company, customer, sales = new_books()
    save_invoice(company, customer, sales)  # the series exists: its row is what is contended
    first_holds_its_number = threading.Event()
    numbers: list[str] = []
    errors: list[BaseException] = []

    def hold_the_first_transaction_open(sender, **kwargs):
        # Sent inside the saving transaction, after the number was taken.
        if threading.current_thread().name == "first" and not first_holds_its_number.is_set():
            first_holds_its_number.set()
            time.sleep(0.5)

    def save(name: str) -> None:
        try:
            if name == "second":
                first_holds_its_number.wait(10)
            numbers.append(save_invoice(company, customer, sales).number)
        except BaseException as error:  # reported below, with the thread's own traceback
            errors.append(error)
        finally:
            connection.close()

    record_changed.connect(hold_the_first_transaction_open, dispatch_uid="hold-open")
    try:
        threads = [threading.Thread(target=save, args=(n,), name=n) for n in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        record_changed.disconnect(dispatch_uid="hold-open")
    assert not errors, errors
    assert sorted(numbers) == ["F2026-0002", "F2026-0003"]
    assert m.InvoiceCounter.objects.get(company=company, series="F2026").last_number == 3


def test_each_year_and_credit_notes_have_a_series_of_their_own(db):
    company, customer, sales = new_books()
    first = save_invoice(company, customer, sales, datetime.date(2025, 12, 31))
    second = save_invoice(company, customer, sales, datetime.date(2026, 1, 1))
    third = save_invoice(company, customer, sales, datetime.date(2026, 1, 2))
    note = save_invoice(company, customer, sales, datetime.date(2026, 1, 3), corrects=second)
    assert [first.number, second.number, third.number, note.number] == [
        "F2025-0001",
        "F2026-0001",
        "F2026-0002",
        "R2026-0001",
    ]
    actions.do_update_company(company, invoice_prefix="FV")
    assert save_invoice(company, customer, sales).number == "FV2026-0001"


def test_a_deleted_invoice_s_number_is_never_given_again_and_shows_as_a_gap(db):
    company, customer, sales = new_books()
    invoices = [save_invoice(company, customer, sales) for _ in range(3)]
    assert numbering_gaps(company) == []
    actions.do_delete_record(company, invoices[1])
    assert numbering_gaps(company) == ["F2026-0002"]
    actions.do_delete_record(company, invoices[2])
    assert save_invoice(company, customer, sales).number == "F2026-0004"
    assert numbering_gaps(company) == ["F2026-0002", "F2026-0003"]


def test_a_draft_has_no_number_and_posts_nothing_until_it_is_issued(db):
    company, customer, sales = new_books()
    save_invoice(company, customer, sales)
    draft = save_invoice(company, customer, sales, draft=True)
    assert draft.number == ""
    assert not m.LedgerEntry.objects.filter(source_id=draft.pk).exists()
    actions.do_issue_invoice(company, draft)
    draft.refresh_from_db()
    assert (draft.draft, draft.number) == (False, "F2026-0002")
    assert m.LedgerEntry.objects.filter(source_id=draft.pk).count() == 2


def test_editing_an_issued_invoice_keeps_its_number(db):
    company, customer, sales = new_books()
    invoice = save_invoice(company, customer, sales)
    invoice.description = "Corregida"
    actions.do_save_transaction(
        company,
        invoice,
        [m.SalesInvoiceLine(account=sales, quantity=D("2"), unit_price=D("10"))],
    )
    invoice.refresh_from_db()
    assert invoice.number == "F2026-0001"
    assert m.InvoiceCounter.objects.get(company=company).last_number == 1
