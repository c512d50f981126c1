"""Whatever file the importer accepts is a valid company.

Hypothesis changes one value of a real backup (taken from another row of the same column, or
of any kind at all) and re-signs the file as the writer does. Either the import refuses it,
leaving nothing behind, or the company it makes has a Summary, a balance sheet that balances
(assets = liabilities + equity), screens that all answer, and a backup that imports again with
the same books.
"""

import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partida.archive.errors import ArchiveError
from partida.backups.export import backup_to_file, parts_from
from partida.backups.importer import do_import_company
from partida.books.kinds import RECORD_KINDS
from partida.books.summary import summarize
from tests.backups.conftest import make_company, members
from tests.backups.test_bad_input import traces
from tests.backups.test_forged_rules import Forger


@pytest.fixture(scope="module")
def real(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), transaction.atomic():
        path = tmp_path_factory.mktemp("accepted") / "real.manager"
        backup_to_file(make_company(), path, parts_from())
        transaction.set_rollback(True)
    return members(path)


ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from(["0.00", "-1.00", "999999.99", "2025-06-30", "2024-02-29T23:59:59+00:00"]),
    st.text(max_size=20),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def screens(company) -> list[str]:
    pages = [
        reverse("books:summary", kwargs={"company_id": company.pk}),
        reverse("history:list", kwargs={"company_id": company.pk}),
        reverse("mail:emails", kwargs={"company_id": company.pk}),
    ]
    for kind in RECORD_KINDS:
        if kind != "company":
            pages.append(
                reverse("books:record_list", kwargs={"company_id": company.pk, "kind": kind})
            )
    return pages


def books(company) -> dict:
    summary = summarize(company).as_json()
    summary.pop("company", None)
    return summary


# The same examples on every run, so that CI is repeatable; run it with other seeds
# (derandomize=False) when changing the import's checks: that found the misstated file size.
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_any_file_the_importer_accepts_is_a_valid_company(real, data, client, tmp_path_factory, db):
    name = data.draw(st.sampled_from(sorted(n for n in real if n.startswith("data/"))))
    rows = [json.loads(line) for line in real[name].decode().splitlines()]
    if not rows:
        return
    index = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(sorted(rows[index])))
    others = [row[column] for row in rows]
    value = data.draw(st.sampled_from(others) | ANY_VALUE)

    def change(rows):
        rows[index][column] = value
        return rows

    path = tmp_path_factory.mktemp("forged") / "f.manager"
    path.write_bytes(Forger(real).rows(name, change).signed())
    before = traces()
    try:
        company = do_import_company(path)
    except ArchiveError:
        assert traces() == before
        return

    summary = summarize(company).as_json()["balance_sheet"]
    assets, liabilities, equity = (Decimal(summary[k]) for k in ("assets", "liabilities", "equity"))
    assert assets == liabilities + equity
    for page in screens(company):
        assert client.get(page).status_code == 200, (page, name, column, value)
    again_path = tmp_path_factory.mktemp("again") / "again.manager"
    backup_to_file(company, again_path, parts_from())
    again = do_import_company(again_path)
    assert books(again) == books(company)
