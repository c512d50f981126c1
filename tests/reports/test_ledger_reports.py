"""The reports agree with the general ledger and with the Summary, page by page."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest

from partida.books import models as m
from partida.books.summary import natural, summarize
from partida.reports import ledger_reports as r
from tests.reports.conftest import SPRING, YEAR

ZERO = Decimal("0.00")


def ledger(company, period=None, **filters):
    rows = m.LedgerEntry.objects.filter(company=company, **filters)
    if period:
        rows = rows.filter(date__gte=period.date_from, date__lte=period.date_to)
    return list(rows.values_list("account_id", "date", "amount", "source_id"))


def debits(rows) -> Decimal:
    return sum((amount for _a, _d, amount, _s in rows if amount > 0), ZERO)


def credits(rows) -> Decimal:
    return sum((-amount for _a, _d, amount, _s in rows if amount < 0), ZERO)


def total(rows) -> Decimal:
    return sum((amount for _a, _d, amount, _s in rows), ZERO)


def busiest_account(company) -> m.Account:
    counts = Counter(a for a, _d, _amount, _s in ledger(company, YEAR))
    return m.Account.objects.get(pk=counts.most_common(1)[0][0])


@pytest.mark.parametrize("period", [YEAR, SPRING], ids=["year", "spring"])
def test_the_trial_balance_is_the_ledger_and_agrees_with_the_summary(demo, period):
    report = r.trial_balance(demo, period)
    rows = ledger(demo, period)
    assert report.debit == report.credit == debits(rows) > 0
    assert report.opening == ZERO  # what came before the period balances too
    assert report.closing_debit == report.closing_credit
    before = ledger(demo, date__lt=period.date_from)
    for line in report.lines:
        mine = [row for row in rows if row[0] == line.account_id]
        assert line.debit == debits(mine) and line.credit == credits(mine), line.code
        assert line.opening == total([row for row in before if row[0] == line.account_id])

    summary = summarize(demo, period.date_from, period.date_to)
    closing = {line.code: natural(line.kind, line.closing) for line in report.lines}
    for account in summary.balance_sheet_accounts:
        assert closing[account.code] == account.balance, account.code
    moved = {line.code: natural(line.kind, line.debit - line.credit) for line in report.lines}
    for account in summary.profit_and_loss_accounts:
        assert moved[account.code] == account.balance, account.code


def walk_movements(account, period, page_rows):
    first = r.account_movements(account, period, 1, page_rows)
    pages = [first] + [
        r.account_movements(account, period, n, page_rows) for n in range(2, first.pages + 1)
    ]
    return pages


def test_an_accounts_movements_page_by_page_are_its_ledger_with_running_balances(demo):
    account = busiest_account(demo)
    pages = walk_movements(account, SPRING, page_rows=10)
    assert len(pages) > 3
    rows = ledger(demo, SPRING, account=account)
    opening = total(ledger(demo, account=account, date__lt=SPRING.date_from))
    assert pages[0].opening == pages[0].page_opening == opening
    balance = opening
    seen = []
    for page in pages:
        assert page.page_opening == balance  # a page starts where the one before ended
        for movement in page.movements:
            assert SPRING.date_from <= movement.date <= SPRING.date_to
            balance += movement.debit - movement.credit
            assert movement.balance == balance
            seen.append(movement)
    assert len(seen) == len(rows)
    assert sum(x.debit for x in seen) == debits(rows)
    assert sum(x.credit for x in seen) == credits(rows)
    assert balance == pages[-1].closing == opening + total(rows)
    assert [x.date for x in seen] == sorted(x.date for x in seen)
    # The pages are the whole period in the order a file has it.
    assert seen == r.all_movements(account, SPRING)
    summary = summarize(demo, SPRING.date_from, SPRING.date_to)
    shown = {a.code: a.balance for a in summary.balance_sheet_accounts}
    if account.kind in ("asset", "liability", "equity"):
        assert natural(account.kind, balance) == shown[account.code]


def test_a_page_reads_the_same_rows_through_either_index(demo):
    account = busiest_account(demo)
    day = ledger(demo, SPRING, account=account)[0][1]
    last = day + datetime.timedelta(days=6)
    by_account = r.ledger_rows(demo, account.pk, day, last, account_rows=0)
    by_days = r.ledger_rows(demo, account.pk, day, last, account_rows=10**9)
    assert by_account and sorted(by_account) == sorted(by_days)


def test_the_general_ledger_page_by_page_holds_every_row_once(demo):
    first = r.general_ledger(demo, SPRING, 1, page_rows=20)
    pages = [first] + [r.general_ledger(demo, SPRING, n, 20) for n in range(2, first.pages + 1)]
    assert len(pages) > 5
    by_account: dict = {}
    for page in pages:
        for section in page.sections:
            by_account.setdefault(section.account.code, []).append(section)
    report = r.trial_balance(demo, SPRING)
    moved = {line.code: line for line in report.lines if line.debit or line.credit}
    assert list(by_account) == sorted(moved)  # accounts in code order, each that moved
    for code, sections in by_account.items():
        assert sections[0].starts_here and sections[-1].ends_here
        assert sections[0].page_opening == moved[code].opening
        for before, after in zip(sections, sections[1:], strict=False):
            assert after.page_opening == before.page_closing
        movements = [x for section in sections for x in section.movements]
        assert sum(x.debit for x in movements) == moved[code].debit
        assert sum(x.credit for x in movements) == moved[code].credit
        assert sections[-1].page_closing == sections[-1].closing == moved[code].closing
        assert movements == r.all_movements(sections[0].account, SPRING)
    assert sum(len(s.movements) for ss in by_account.values() for s in ss) == len(
        ledger(demo, SPRING)
    )


def test_the_journal_numbers_every_transaction_once_and_each_balances(demo):
    first = r.journal(demo, SPRING, 1, page_rows=15)
    entries = list(first.entries)
    for n in range(2, first.pages + 1):
        entries += r.journal(demo, SPRING, n, 15).entries
    assert first.pages > 3
    assert [e.number for e in entries] == list(range(1, first.count + 1))
    sources = {row[3] for row in ledger(demo, SPRING)}
    assert {e.source.id for e in entries if e.postings} == sources
    for entry in entries:
        assert entry.debit == entry.credit
        assert SPRING.date_from <= entry.source.date <= SPRING.date_to
    assert [e.source.date for e in entries] == sorted(e.source.date for e in entries)
    report = r.trial_balance(demo, SPRING)
    assert sum(e.debit for e in entries) == report.debit == r.period_totals(demo, SPRING)[0]
    assert entries == list(r.all_journal_entries(demo, SPRING))


def test_profit_and_loss_sets_each_period_beside_the_one_before_as_the_summary_counts(demo):
    period = r.Period(datetime.date(2025, 7, 1), datetime.date(2025, 9, 30))
    report = r.profit_and_loss(demo, period)
    assert report.previous_period == r.Period(datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
    now = summarize(demo, period.date_from, period.date_to)
    before = summarize(demo, datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
    assert (report.total_income, report.total_expenses) == (now.income, now.expenses)
    assert (report.previous_income, report.previous_expenses) == (before.income, before.expenses)
    assert report.net_profit == now.net_profit and report.previous_net_profit == before.net_profit
    assert sum(line.amount for line in report.income) == now.income
    assert sum(line.previous for line in report.expenses) == before.expenses
    assert report.total_income > 0 and report.previous_income > 0


@pytest.mark.parametrize(
    "start, end, previous_start, previous_end",
    [
        ("2025-01-01", "2025-12-31", "2024-01-01", "2024-12-31"),  # a year: the year before
        ("2025-03-01", "2025-03-31", "2025-02-01", "2025-02-28"),  # a month: the month before
        ("2024-03-01", "2024-05-31", "2023-12-01", "2024-02-29"),  # a quarter across a year
        ("2025-01-01", "2025-04-15", "2024-09-18", "2024-12-31"),  # so far this year: 105 days
        ("2025-06-10", "2025-06-10", "2025-06-09", "2025-06-09"),  # a day: the day before
    ],
)
def test_the_previous_period_has_the_same_length(start, end, previous_start, previous_end):
    day = datetime.date.fromisoformat
    period = r.Period(day(start), day(end))
    assert period.previous() == r.Period(day(previous_start), day(previous_end))


def test_pages_hold_whole_days():
    day = datetime.date
    counts = [
        (day(2025, 1, 1), 3),
        (day(2025, 1, 2), 60),
        (day(2025, 1, 3), 2),
        (day(2025, 1, 4), 1),
    ]
    assert r.day_pages(counts, 50) == [
        (day(2025, 1, 1), day(2025, 1, 2)),
        (day(2025, 1, 3), day(2025, 1, 4)),
    ]
    days = [day(2025, 1, n) for n in range(1, 11)]
    assert r.even_pages(days, 25.0, 50) == [
        (days[0], days[1]),
        (days[2], days[3]),
        (days[4], days[5]),
        (days[6], days[7]),
        (days[8], days[9]),
    ]
    assert r.even_pages(days, 0.5, 50) == [(days[0], days[9])]
    assert r.even_pages([], 3.0, 50) == []
