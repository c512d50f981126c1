"""The demo company: deterministic, balanced, and like books typed in through the actions."""

import datetime
import hashlib
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from partida.attachments.models import Attachment
from partida.attachments.store import all_blob_names, blob_path
from partida.books import actions, invoices
from partida.books import models as m
from partida.books.chart import default_tax_codes
from partida.books.kinds import RECORD_KINDS, TRANSACTION_KINDS
from partida.books.posting import invoice_withholding, line_tax, post
from partida.books.snapshot import snapshot
from partida.books.summary import summarize
from partida.cli import row_counts
from partida.demo.files import FilePool
from partida.demo.generate import do_create_demo_company
from partida.history.models import HistoryEntry
from partida.mail.models import Email, EmailAttachment


@pytest.fixture
def demo(db):
    return do_create_demo_company("Demo Ibérica S.L.", "small", seed=42)


def ledger_rows(company) -> Counter:
    return Counter(
        m.LedgerEntry.objects.filter(company=company).values_list(
            "account__code", "date", "amount", "source_kind", "source_id"
        )
    )


def books(company) -> dict:
    """Everything that makes the books, without the keys: to compare two demo companies."""
    return {
        "summary": summarize(company).as_json(),
        "counts": row_counts(company),
        "ledger": sorted(
            m.LedgerEntry.objects.filter(company=company).values_list(
                "account__code", "date", "amount", "source_kind"
            )
        ),
        "invoices": sorted(
            m.SalesInvoice.objects.filter(company=company).values_list(
                "reference", "date", "customer__name", "description"
            )
        ),
        "files": sorted(Attachment.objects.filter(company=company).values_list("sha256", "size")),
        "history": Counter(
            HistoryEntry.objects.filter(company=company).values_list("action", "record_kind")
        ),
    }


def test_the_same_seed_gives_the_same_books_under_new_keys(run):
    status, out, _ = run("demo", "--name", "Gemela S.L.", "--size", "small", "--seed", "9")
    assert status == 0
    status, out_again, _ = run("demo", "--name", "Gemela S.L.", "--size", "small", "--seed", "9")
    assert status == 0
    first, second = m.Company.objects.filter(name="Gemela S.L.").order_by("id")
    assert first.pk != second.pk  # made twice in one database: the second gets keys of its own
    assert {str(first.pk), str(second.pk)} == {
        line.rsplit(" ", 1)[-1].rstrip(".") for line in (out.strip(), out_again.strip())
    }
    assert books(first) == books(second)
    _, summary_one, _ = run("summary", str(first.pk), "--json")
    _, summary_two, _ = run("summary", str(second.pk), "--json")
    one, two = json.loads(summary_one), json.loads(summary_two)
    assert one.pop("company")["id"] != two.pop("company")["id"]
    assert one == two


def test_another_seed_gives_other_books(db):
    one = do_create_demo_company("Uno", "small", seed=1)
    two = do_create_demo_company("Dos", "small", seed=2)
    assert summarize(one).as_json() != summarize(two).as_json()


def test_a_small_demo_has_a_short_first_year_and_a_whole_second_of_every_kind_of_record(demo):
    counts = row_counts(demo)
    transactions = sum(
        RECORD_KINDS[kind].objects.filter(company=demo).count() for kind in TRANSACTION_KINDS
    )
    assert transactions == 300
    for kind in TRANSACTION_KINDS:
        assert RECORD_KINDS[kind].objects.filter(company=demo).count() >= 10, kind
    assert counts["books.customer"] == 15
    assert counts["books.supplier"] >= 10
    assert counts["attachments.attachment"] == 20
    assert counts["mail.email"] == 40
    dates = m.LedgerEntry.objects.filter(company=demo).values_list("date", flat=True)
    assert {date.year for date in dates} == {2024, 2025}
    assert min(dates) == datetime.date(2024, 10, 1)  # the company was founded then
    assert {date.month for date in dates if date.year == 2025} == set(range(1, 13))
    summary = summarize(demo)
    assert summary.assets == summary.liabilities + summary.equity
    assert summary.income > summary.expenses > 0


def test_the_ledger_balances_and_each_transaction_balances(demo):
    # Summed in Python, exactly: SQLite would sum the decimals as floats.
    amounts = m.LedgerEntry.objects.filter(company=demo).values_list("amount", flat=True)
    assert sum(amounts, Decimal("0.00")) == 0
    totals: Counter = Counter()
    for source_id, amount in m.LedgerEntry.objects.filter(company=demo).values_list(
        "source_id", "amount"
    ):
        totals[source_id] += amount
    drafts = m.SalesInvoice.objects.filter(company=demo, draft=True)
    assert len(totals) == 300 - drafts.count()  # a draft posts nothing
    assert set(totals.values()) == {Decimal("0.00")}
    for entry in m.JournalEntry.objects.filter(company=demo).prefetch_related("lines"):
        lines = list(entry.lines.all())
        assert sum(line.debit for line in lines) == sum(line.credit for line in lines)


def test_the_ledger_is_what_posting_every_transaction_gives(demo):
    before_summary = summarize(demo).as_json()
    before_ledger = ledger_rows(demo)
    for kind in TRANSACTION_KINDS:
        for record in RECORD_KINDS[kind].objects.filter(company=demo):
            post(record)
    assert ledger_rows(demo) == before_ledger
    assert summarize(demo).as_json() == before_summary


def test_the_ledger_that_posting_gives_has_every_kind_of_tax(demo):
    """The comparison above covers taxes on lines, withholdings and the closing entry."""
    codes = set(ledger_rows(demo).keys())
    moved = {code for code, _date, _amount, _kind, _source in codes}
    assert {"472", "477", "4750", "4751", "129"} <= moved
    kinds = {kind for _code, _date, _amount, kind, _source in codes}
    assert kinds == set(TRANSACTION_KINDS)


def test_each_line_carries_its_tax_as_the_program_works_it_out(demo):
    expected = {name: rate for name, rate, *_accounts in default_tax_codes("es")}
    assert {code.name: code.rate for code in m.TaxCode.objects.filter(company=demo)} == expected
    rates: Counter = Counter()
    for model, parent in (
        (m.SalesInvoiceLine, "invoice"),
        (m.PurchaseInvoiceLine, "invoice"),
        (m.ReceiptLine, "receipt"),
        (m.PaymentLine, "payment"),
    ):
        for line in model.objects.filter(company=demo).select_related("tax_code", parent):
            if line.tax_code is None:
                assert line.tax_amount == 0
                continue
            rates[model, line.tax_code.rate] += 1
            inclusive = getattr(line, parent).amounts_include_tax
            assert line.tax_amount == line_tax(line.amount, line.tax_code.rate, inclusive)
    sales = {rate: n for (model, rate), n in rates.items() if model is m.SalesInvoiceLine}
    assert sales[Decimal("21")] > sales.get(Decimal("10"), 0) + sales.get(Decimal("4"), 0) > 0
    assert rates[m.PurchaseInvoiceLine, Decimal("21")] > 0
    assert m.ReceiptLine.objects.filter(company=demo, receipt__amounts_include_tax=True).exists()
    assert not m.SalesInvoiceLine.objects.filter(company=demo, account__code="477").exists()


def test_professionals_invoices_have_irpf_withheld_from_their_base(demo):
    withheld = m.PurchaseInvoice.objects.filter(company=demo, withholding__isnull=False)
    assert withheld.exists()
    for invoice in withheld.select_related("withholding"):
        lines = list(invoice.lines.all())
        assert invoice.withholding.rate == Decimal("-15")
        assert invoice.withholding_amount == invoice_withholding(invoice, lines) < 0
        assert {line.account.code for line in lines} == {"623"}
        assert {line.tax_code.rate for line in lines} == {Decimal("21")}


def test_sales_invoices_are_numbered_by_series_in_date_order(demo):
    invoices = m.SalesInvoice.objects.filter(company=demo)
    counters = dict(
        m.InvoiceCounter.objects.filter(company=demo).values_list("series", "last_number")
    )
    by_series: dict[str, list] = {}
    for invoice in invoices.filter(draft=False).order_by("date", "number"):
        series, number = invoice.number.split("-")
        assert series == f"{'R' if invoice.corrects_id else 'F'}{invoice.date.year}"
        by_series.setdefault(series, []).append(int(number))
    assert {"F2024", "F2025"} <= set(by_series)
    assert any(series.startswith("R") for series in by_series)
    for series, numbers in by_series.items():
        assert numbers == list(range(1, len(numbers) + 1)), series
        assert counters[series] == len(numbers)
    assert set(counters) == set(by_series)
    drafts = invoices.filter(draft=True)
    assert 1 <= drafts.count() <= 2 and set(drafts.values_list("number", flat=True)) == {""}


def test_credit_notes_correct_an_invoice_of_the_same_party(demo):
    for model, party in ((m.SalesInvoice, "customer_id"), (m.PurchaseInvoice, "supplier_id")):
        notes = model.objects.filter(company=demo, corrects__isnull=False)
        assert notes.exists(), model
        for note in notes.select_related("corrects"):
            assert note.corrects.corrects_id is None
            assert getattr(note, party) == getattr(note.corrects, party)
            assert note.date >= note.corrects.date
            assert all(line.amount > 0 for line in note.lines.all())


def test_receipts_and_payments_pay_invoices_some_in_part_some_not_at_all(demo):
    for side, role in ((invoices.SALES, "receivable"), (invoices.PURCHASES, "payable")):
        applied = side.payment_line.objects.filter(company=demo, invoice__isnull=False)
        assert applied.exists()
        assert set(applied.values_list("account__role", flat=True)) == {role}
        assert set(applied.values_list("tax_code", flat=True)) == {None}
        issued = side.invoice.objects.filter(company=demo, corrects__isnull=True)
        if side is invoices.SALES:
            issued = issued.filter(draft=False)
        balances = invoices.invoice_balances(side, issued).values()
        assert all(balance.due >= 0 for balance in balances)
        assert any(balance.due == 0 and balance.paid for balance in balances)
        assert any(balance.due > 0 and not balance.paid for balance in balances)
        if side is invoices.SALES:  # a few of many: the small demo's purchases may have none
            assert any(balance.due > 0 and balance.paid for balance in balances)
    overdue = [
        invoice
        for invoice in m.SalesInvoice.objects.filter(company=demo, draft=False)
        if invoices.state_of(invoice, invoices.balance_of(invoice), datetime.date(2026, 1, 1))
        == invoices.InvoiceState.OVERDUE
    ]
    assert overdue


def test_each_quarter_s_iva_is_settled_to_4750(demo):
    settlements = m.JournalEntry.objects.filter(company=demo, description__startswith="Liquidación")
    assert settlements.count() == 5  # the last quarter of 2024 and the four of 2025
    for entry in settlements:
        first_day = datetime.date(entry.date.year, entry.date.month - 2, 1)
        left = m.LedgerEntry.objects.filter(
            company=demo,
            account__code__in=["472", "477"],
            date__gte=first_day,
            date__lte=entry.date,
        ).values_list("amount", flat=True)
        assert sum(left, Decimal("0.00")) == 0, entry.date  # nothing left in 472 and 477


def test_the_first_year_is_closed_and_locked_as_closing_it_gives(demo):
    assert demo.lock_date == datetime.date(2024, 12, 31)
    closing = m.JournalEntry.objects.get(company=demo, closes_year=True)
    assert closing.date == datetime.date(2024, 12, 31)
    made = sorted((line.account_id, line.debit, line.credit) for line in closing.lines.all())
    posted = closing_marked(ledger_rows(demo), closing.pk)
    m.Company.objects.filter(pk=demo.pk).update(lock_date=None)
    actions.do_delete_record(demo, closing)
    demo.refresh_from_db()
    again = actions.do_close_year(demo, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert sorted((line.account_id, line.debit, line.credit) for line in again.lines.all()) == made
    demo.refresh_from_db()
    assert demo.lock_date == datetime.date(2024, 12, 31)
    assert closing_marked(ledger_rows(demo), again.pk) == posted


def closing_marked(rows: Counter, closing_id) -> Counter:
    """Ledger rows with the closing entry's key replaced by a mark: two closings compare."""
    marked: Counter = Counter()
    for (code, date, amount, kind, source), count in rows.items():
        marked[code, date, amount, kind, "closing" if source == closing_id else source] += count
    return marked


def test_the_savings_account_is_archived_with_its_movements(demo):
    savings = m.BankAccount.objects.get(company=demo, name="Cuenta de ahorro").account
    assert savings.archived
    movements = m.LedgerEntry.objects.filter(account=savings)
    assert movements.exists()
    assert sum(movements.values_list("amount", flat=True), Decimal("0.00")) == 0
    assert {date.year for date in movements.values_list("date", flat=True)} == {2024}


def test_the_history_ends_at_each_record_as_it_is(demo):
    entries = HistoryEntry.objects.filter(company=demo).order_by("at", "id")
    latest = {}
    for entry in entries:
        latest[entry.record_id] = entry
    actions = Counter(entry.action for entry in entries)
    assert actions["create"] > 300
    assert actions["update"] > 50
    assert actions["delete"] >= 1
    checked = 0
    for kind, model in RECORD_KINDS.items():
        if kind in ("account", "tax_code"):  # they come with the company, as do_create_company
            continue
        mine = {"pk": demo.pk} if kind == "company" else {"company": demo}
        for record in model.objects.filter(**mine):
            entry = latest[record.pk]
            assert entry.action in ("create", "update")
            assert entry.after == json.loads(json.dumps(snapshot(record))), (kind, record.pk)
            checked += 1
    assert checked == 1 + 3 + 15 + 11 + 300  # company, bank accounts, contacts, transactions
    deleted = [entry for entry in latest.values() if entry.action == "delete"]
    for entry in deleted:
        assert not RECORD_KINDS[entry.record_kind].objects.filter(pk=entry.record_id).exists()
        assert entry.after is None and entry.before["id"] == str(entry.record_id)
    users = {entry.user_name for entry in entries}
    assert 2 <= len(users) <= 6


def test_attachments_are_real_files_stored_once(demo):
    attachments = list(Attachment.objects.filter(company=demo))
    emailed = list(EmailAttachment.objects.filter(company=demo))
    by_sha = Counter(a.sha256 for a in attachments + emailed)
    assert len(by_sha) < len(attachments) + len(emailed)  # some files are attached again
    assert set(all_blob_names()) == set(by_sha)  # every stored file is used, once
    magic = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}
    seen_types = set()
    for attachment in attachments + emailed:
        with default_storage.open(blob_path(attachment.sha256), "rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == attachment.sha256
        assert len(data) == attachment.size
        assert data.startswith(magic[attachment.content_type])
        extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
        assert attachment.filename.endswith(extension[attachment.content_type])
        pdf = attachment.content_type == "application/pdf"
        low, high = (15_000, 200_000) if pdf else (20_000, 400_000)
        assert low <= len(data) <= high, (attachment.filename, len(data))
        seen_types.add(attachment.content_type)
    assert seen_types == set(magic)
    for attachment in attachments:
        model = RECORD_KINDS[attachment.target_kind]
        assert model.objects.filter(pk=attachment.target_id, company=demo).exists()


def test_emails_send_the_sales_invoices(demo):
    emails = list(Email.objects.filter(company=demo).prefetch_related("attachments"))
    statuses = Counter(email.status for email in emails)
    assert statuses["sent"] > 0.8 * len(emails)
    for email in emails:
        invoice = m.SalesInvoice.objects.get(pk=email.about_id, company=demo)
        assert email.about_kind == "sales_invoice"
        assert invoice.number and invoice.number in email.subject
        assert email.to_addresses == invoice.customer.email
        assert (email.status == "failed") == bool(email.error)
        [attachment] = email.attachments.all()
        assert attachment.filename == f"{invoice.number}.pdf"
        assert attachment.content_type == "application/pdf"


def test_an_interrupted_demo_leaves_nothing(db):
    stages = []

    def interrupt(stage, done, total):
        if stage not in stages:
            stages.append(stage)
        if len(stages) == 2 and done >= 10:  # the books are written, files are being stored
            assert all_blob_names()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        do_create_demo_company("Interrumpida", "small", seed=3, progress=interrupt)
    assert not m.Company.objects.exists()
    assert not HistoryEntry.objects.exists()
    assert not m.LedgerEntry.objects.exists()
    assert all_blob_names() == []


def test_a_blank_name_or_unknown_size_is_refused(db):
    with pytest.raises(ValidationError):
        do_create_demo_company("  ", "small")
    with pytest.raises(ValidationError):
        do_create_demo_company("Demo", "huge")
    assert not m.Company.objects.exists()


def test_files_made_by_the_helper_process_are_the_same_as_made_here(tmp_path):
    def store(handle):
        data = handle.read()
        return hashlib.sha256(data).hexdigest(), len(data), True

    made = []
    for background in (False, True):
        pool = FilePool(7, {"invoice": 3, "scan": 4}, store, background=background)
        try:
            made.append([pool.take(kind) for kind in ["scan", "invoice"] * 6])
        finally:
            pool.close()
        assert pool.folder is None
    inline, helper = made
    assert inline == helper
    assert len({demo_file.sha256 for demo_file in inline}) == 7  # 3 + 4 distinct, then reused
