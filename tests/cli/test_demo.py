"""The demo company: deterministic, balanced, and like books typed in through the actions."""

import hashlib
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from partida.attachments.models import Attachment
from partida.attachments.store import all_blob_names, blob_path
from partida.books import models as m
from partida.books.kinds import RECORD_KINDS, TRANSACTION_KINDS
from partida.books.posting import post
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


def test_a_small_demo_has_a_year_of_every_kind_of_record(demo):
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
    assert {date.year for date in dates} == {2025}
    assert {date.month for date in dates} == set(range(1, 13))
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
    assert len(totals) == 300
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
        if kind == "account":  # the chart comes with the company, as do_create_company does
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
        assert invoice.reference in email.subject
        assert email.to_addresses == invoice.customer.email
        assert (email.status == "failed") == bool(email.error)
        [attachment] = email.attachments.all()
        assert attachment.filename == f"{invoice.reference}.pdf"
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
