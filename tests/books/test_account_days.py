"""The accounts' daily totals, which the Summary reads, always agree with the ledger."""

from collections import defaultdict
from decimal import Decimal

from partida.backups.export import backup_to_file, parts_from
from partida.backups.importer import do_import_company
from partida.books import actions
from partida.books import models as m
from partida.books.posting import rebuild_account_days
from partida.demo.generate import do_create_demo_company


def ledger_days(company) -> dict:
    totals = defaultdict(int)
    for account_id, date, amount in m.LedgerEntry.objects.filter(company=company).values_list(
        "account_id", "date", "amount"
    ):
        totals[account_id, date] += int(amount * 100)
    return {key: cents for key, cents in totals.items() if cents}


def kept_days(company) -> dict:
    return {
        (account_id, date): cents
        for account_id, date, cents in m.AccountDay.objects.filter(company=company).values_list(
            "account_id", "date", "cents"
        )
        if cents
    }


def test_posting_editing_and_deleting_keep_the_daily_totals(db):
    company = actions.do_create_company("Días S.L.", "EUR", "es")
    bank = m.BankAccount.objects.get(company=company, kind="bank")
    sales = m.Account.objects.get(company=company, code="700")
    receipt = actions.do_save_transaction(
        company,
        m.Receipt(bank_account=bank),
        [m.ReceiptLine(account=sales, amount=Decimal("10.10"))],
    )
    assert kept_days(company) == ledger_days(company) != {}
    receipt.date = receipt.date.replace(day=1)
    actions.do_save_transaction(
        company, receipt, [m.ReceiptLine(account=sales, amount=Decimal("99.99"))]
    )
    assert kept_days(company) == ledger_days(company)
    actions.do_delete_record(company, receipt)
    assert kept_days(company) == ledger_days(company) == {}


def test_demo_and_import_build_the_daily_totals(db, tmp_path):
    company = do_create_demo_company("Demo días", "small", 5)
    assert kept_days(company) == ledger_days(company)
    path = tmp_path / "b.manager"
    backup_to_file(company, path, parts_from())
    restored = do_import_company(path)
    assert kept_days(restored) == ledger_days(restored)
    before = kept_days(restored)
    rebuild_account_days(restored.pk)
    assert kept_days(restored) == before


def test_the_summary_opens_on_the_last_year_with_books(client, db):
    """A company whose books end in an earlier year shows that year, not an empty one."""
    company = do_create_demo_company("Demo 2025", "small", 2)
    page = client.get(f"/c/{company.pk}/")
    last = m.LedgerEntry.objects.filter(company=company).order_by("-date").first().date
    assert (page.context["date_from"], page.context["date_to"]) == (
        last.replace(month=1, day=1),
        last.replace(month=12, day=31),
    )
    assert page.context["summary"].income > 0
