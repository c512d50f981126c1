"""Which records use a record, so that its Delete page can say so before anyone presses Delete.

A customer is used by the sales invoices and receipts that name it, an account by every
transaction that posts to it (through its lines, or as the account of a bank account the
transaction moves money through) and by the bank account it belongs to. Only the uses that
would stop the deletion count: the relations that protect the record.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy

from partida.books import models as m
from partida.books.kinds import RECORD_KINDS, TRANSACTION_KINDS, kind_of
from partida.books.numbers import format_number

SHOWN = 3  # how many of the using records are named; the rest are counted


@dataclass
class Use:
    kind: str
    count: int
    shown: list[tuple[str, str]]  # (label, URL) of the first few
    sentence: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.shown)


def record_label(record: models.Model) -> str:
    """A short name for a record in a list: a transaction's reference, else its date."""
    if kind_of(record) in TRANSACTION_KINDS:
        return record.reference or formats.date_format(record.date, "SHORT_DATE_FORMAT")
    return str(record)


def _users(record: models.Model) -> dict[str, Q]:
    """For each kind of record, which of its records use this one (as a filter on them).

    A bank account goes with its own account in the chart, so what uses that account (a journal
    entry posting to it) uses the bank account too.
    """
    found: dict[str, Q] = {}
    if isinstance(record, m.BankAccount):
        found = {k: q for k, q in _users(record.account).items() if k != "bank_account"}

    def add(kind: str, condition: Q) -> None:
        found[kind] = found[kind] | condition if kind in found else condition

    for relation in type(record)._meta.related_objects:
        if relation.on_delete is not models.PROTECT:
            continue
        using = relation.related_model._default_manager.filter(**{relation.field.name: record})
        if relation.related_model is m.LedgerEntry:
            for source_kind in using.order_by().values_list("source_kind", flat=True).distinct():
                sources = using.filter(source_kind=source_kind).values("source_id")
                add(source_kind, Q(pk__in=sources))
            continue
        parent = _parent_of_line(relation.related_model)
        if parent is not None:  # a line: the transaction it belongs to uses the record
            add(kind_of_model(parent.related_model), Q(pk__in=using.values(parent.attname)))
        else:
            add(kind_of_model(relation.related_model), Q(pk__in=using.values("pk")))
    return found


def _parent_of_line(model: type[models.Model]) -> models.ForeignKey | None:
    for field in model._meta.concrete_fields:
        if field.many_to_one and field.remote_field.related_name == "lines":
            return field
    return None


def kind_of_model(model: type[models.Model]) -> str:
    return next(kind for kind, kind_model in RECORD_KINDS.items() if kind_model is model)


def uses_of(company: m.Company, record: models.Model) -> list[Use]:
    """What uses the record, kind by kind: how many, and the first few by date, with links."""
    uses = []
    for kind, condition in _users(record).items():
        model = RECORD_KINDS[kind]
        records = model._default_manager.filter(condition, company=company)
        count = records.count()
        if not count:
            continue
        order = ("date", "reference", "id") if kind in TRANSACTION_KINDS else model._meta.ordering
        shown = [
            (
                record_label(user),
                reverse(
                    "books:record_edit",
                    kwargs={"company_id": company.pk, "kind": kind, "pk": user.pk},
                ),
            )
            for user in records.order_by(*order)[:SHOWN]
        ]
        use = Use(kind, count, shown)
        use.sentence = use_sentence(kind_of(record), use)
        uses.append(use)
    return uses


LEADS = {
    "account": gettext_lazy("This account appears in %(records)s"),
    "bank_account": gettext_lazy("This bank or cash account appears in %(records)s"),
    "customer": gettext_lazy("This customer appears in %(records)s"),
    "supplier": gettext_lazy("This supplier appears in %(records)s"),
}


def use_sentence(record_kind: str, use: Use) -> str:
    """ "Este cliente figura en 3 facturas de venta" (the names and links follow it)."""
    meta = RECORD_KINDS[use.kind]._meta
    name = meta.verbose_name if use.count == 1 else meta.verbose_name_plural
    records = f"{format_number(Decimal(use.count), 0)} {name}"
    lead = LEADS.get(record_kind, gettext_lazy("This record appears in %(records)s"))
    return str(lead) % {"records": records}
