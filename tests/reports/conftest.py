"""A small demo company: a year (2025) of every kind of transaction, posted as typed in."""

import datetime

import pytest

from partida.demo.generate import do_create_demo_company
from partida.reports.ledger_reports import Period

YEAR = Period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
SPRING = Period(datetime.date(2025, 3, 10), datetime.date(2025, 6, 20))


@pytest.fixture
def demo(db):
    return do_create_demo_company("Informes Demo S.L.", "small", seed=7)
