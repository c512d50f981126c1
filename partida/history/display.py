"""Turning history entries into what the History tab shows: labels, links and small diffs."""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from partida.books import models as m
from partida.books.kinds import RECORD_KINDS
from partida.books.numbers import format_number
from partida.history.models import HistoryEntry

HIDDEN_FIELDS = {"id", "company_id", "position"}
LABEL_FIELDS = ("reference", "name", "description")


@dataclass
class Change:
    label: str
    before: str | list[str]
    after: str | list[str]
    is_list: bool = False


# What was done to a record, said of that kind of record: in Spanish the word agrees with the
# kind's gender ("Creado" for a payment, "Creada" for an invoice), so each kind has its own
# context. Babel does not inflect words; the catalogue does.
ACTION_LABELS = {
    "company": {
        "create": pgettext_lazy("history: a company was", "Created"),
        "update": pgettext_lazy("history: a company was", "Updated"),
        "delete": pgettext_lazy("history: a company was", "Deleted"),
    },
    "account": {
        "create": pgettext_lazy("history: an account was", "Created"),
        "update": pgettext_lazy("history: an account was", "Updated"),
        "delete": pgettext_lazy("history: an account was", "Deleted"),
    },
    "tax_code": {
        "create": pgettext_lazy("history: a tax was", "Created"),
        "update": pgettext_lazy("history: a tax was", "Updated"),
        "delete": pgettext_lazy("history: a tax was", "Deleted"),
    },
    "bank_account": {
        "create": pgettext_lazy("history: a bank or cash account was", "Created"),
        "update": pgettext_lazy("history: a bank or cash account was", "Updated"),
        "delete": pgettext_lazy("history: a bank or cash account was", "Deleted"),
    },
    "customer": {
        "create": pgettext_lazy("history: a customer was", "Created"),
        "update": pgettext_lazy("history: a customer was", "Updated"),
        "delete": pgettext_lazy("history: a customer was", "Deleted"),
    },
    "supplier": {
        "create": pgettext_lazy("history: a supplier was", "Created"),
        "update": pgettext_lazy("history: a supplier was", "Updated"),
        "delete": pgettext_lazy("history: a supplier was", "Deleted"),
    },
    "receipt": {
        "create": pgettext_lazy("history: a receipt was", "Created"),
        "update": pgettext_lazy("history: a receipt was", "Updated"),
        "delete": pgettext_lazy("history: a receipt was", "Deleted"),
    },
    "payment": {
        "create": pgettext_lazy("history: a payment was", "Created"),
        "update": pgettext_lazy("history: a payment was", "Updated"),
        "delete": pgettext_lazy("history: a payment was", "Deleted"),
    },
    "sales_invoice": {
        "create": pgettext_lazy("history: a sales invoice was", "Created"),
        "update": pgettext_lazy("history: a sales invoice was", "Updated"),
        "delete": pgettext_lazy("history: a sales invoice was", "Deleted"),
    },
    "purchase_invoice": {
        "create": pgettext_lazy("history: a purchase invoice was", "Created"),
        "update": pgettext_lazy("history: a purchase invoice was", "Updated"),
        "delete": pgettext_lazy("history: a purchase invoice was", "Deleted"),
    },
    "journal_entry": {
        "create": pgettext_lazy("history: a journal entry was", "Created"),
        "update": pgettext_lazy("history: a journal entry was", "Updated"),
        "delete": pgettext_lazy("history: a journal entry was", "Deleted"),
    },
}

# The actions in the History filter, where no kind is known: nouns, which need no agreement.
ACTION_FILTER_LABELS = {
    "create": pgettext_lazy("history filter: the action", "Created"),
    "update": pgettext_lazy("history filter: the action", "Updated"),
    "delete": pgettext_lazy("history filter: the action", "Deleted"),
}


def action_label(kind: str, action: str) -> str:
    """What was done, agreeing with the kind of record: "Creado" (a payment), "Creada"."""
    label = ACTION_LABELS.get(kind, {}).get(action)
    if label is None:
        return str(dict(HistoryEntry.Action.choices).get(action, action))
    return str(label)


@dataclass
class Row:
    entry: HistoryEntry
    kind_label: str
    action_label: str
    record_label: str
    record_url: str | None
    changes: list[Change] = field(default_factory=list)


def kind_label(kind: str) -> str:
    model = RECORD_KINDS.get(kind)
    return capfirst(model._meta.verbose_name) if model else kind


def model_field(model: type[models.Model] | None, attname: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(attname)
    except Exception:  # FieldDoesNotExist, or a field removed since the entry was written
        return None
    return found if isinstance(found, models.Field) else None


# Fields that no form shows, so their models give them no label of their own.
FIELD_LABELS = {"account_id": gettext_lazy("ledger account")}


def field_label(model, attname: str) -> str:
    if attname == "lines":
        return capfirst(_("lines"))
    if attname == "attachments":
        return capfirst(_("attachments"))
    if model is m.BankAccount and attname in FIELD_LABELS:
        return capfirst(FIELD_LABELS[attname])
    found = model_field(model, attname)
    return capfirst(found.verbose_name) if found is not None else attname


def record_label(kind: str, data: dict | None) -> str:
    """A short name for a record from its snapshot: its reference, name or description."""
    data = data or {}
    if kind == "account" and data.get("code"):
        return f"{data['code']} {data.get('name', '')}".strip()
    for key in LABEL_FIELDS:
        if data.get(key):
            return str(data[key])
    if data.get("date"):
        return format_value(None, "date", data["date"], {})
    return str(data.get("id", ""))[:8]


class Names:
    """Current names of the records that foreign keys in a page of entries point at."""

    def __init__(self, company):
        self.company = company
        self.wanted: dict[type[models.Model], set[str]] = {}
        self.names: dict[tuple[type[models.Model], str], str] = {}

    def want(self, model, attname: str, value: Any) -> None:
        found = model_field(model, attname)
        if found is not None and found.is_relation and found.related_model and value:
            self.wanted.setdefault(found.related_model, set()).add(str(value))

    def load(self) -> None:
        for related, ids in self.wanted.items():
            valid = [i for i in ids if _is_uuid(i)]
            queryset = related._default_manager.filter(pk__in=valid)
            if any(f.name == "company" for f in related._meta.fields):
                queryset = queryset.filter(company=self.company)
            for obj in queryset:
                self.names[(related, str(obj.pk))] = str(obj)

    def name(self, related, value) -> str | None:
        return self.names.get((related, str(value)))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True


def format_value(model, attname: str, value: Any, names: Names | dict) -> str:
    if value is None or value == "":
        return "—"
    found = model_field(model, attname)
    if found is not None:
        if found.is_relation and found.related_model:
            if isinstance(names, Names):
                name = names.name(found.related_model, value)
                if name:
                    return name
            return _("(deleted record %(id)s)") % {"id": str(value)[:8]}
        if found.choices:
            return str(dict(found.flatchoices).get(value, value))
        if isinstance(found, models.BooleanField):
            return _("Yes") if value else _("No")
        if isinstance(found, models.DateTimeField):
            parsed = _parse_datetime(value)
            return formats.date_format(parsed, "SHORT_DATETIME_FORMAT") if parsed else str(value)
        if isinstance(found, models.DateField) or attname == "date":
            try:
                return formats.date_format(datetime.date.fromisoformat(str(value)))
            except ValueError:
                return str(value)
        if isinstance(found, models.DecimalField):
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                return str(value)
            # As many decimals as the value needs; money keeps at least two.
            places = max(0, -number.normalize().as_tuple().exponent)
            if attname != "quantity":
                places = max(places, 2)
            return format_number(number, places)
    elif attname == "date":
        try:
            return formats.date_format(datetime.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def _parse_datetime(value):
    from django.utils import timezone

    try:
        parsed = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return parsed


def _line_model(model):
    relation = getattr(model, "lines", None) if model else None
    try:
        return relation.rel.related_model
    except AttributeError:
        return None


def format_line(line_model, line: dict, names: Names) -> str:
    parts = []
    for attname, value in line.items():
        if attname in HIDDEN_FIELDS or value in (None, ""):
            continue
        if attname in {"debit", "credit", "amount"} and value in ("0", "0.00"):
            continue
        label = field_label(line_model, attname)
        parts.append(f"{label}: {format_value(line_model, attname, value, names)}")
    return ", ".join(parts)


def format_attachment(attachment: dict) -> str:
    """One attached file as the history remembers it: "ticket.pdf (12,0 KB)"."""
    name = str(attachment.get("filename", ""))
    size = attachment.get("size")
    return f"{name} ({filesizeformat(size)})" if isinstance(size, int) else name


def _field_order(model, keys: set[str]) -> list[str]:
    order = [f.attname for f in model._meta.concrete_fields] if model else []
    known = [k for k in order if k in keys]
    return known + sorted(keys - set(known))


def changes_of(entry: HistoryEntry, names: Names) -> list[Change]:
    """What the change did: every value of a created or deleted record, the changed ones else."""
    model = RECORD_KINDS.get(entry.record_kind)
    before, after = entry.before or {}, entry.after or {}
    keys = (set(before) | set(after)) - HIDDEN_FIELDS
    changes = []
    for attname in _field_order(model, keys):
        old, new = before.get(attname), after.get(attname)
        if entry.action == HistoryEntry.Action.UPDATE and old == new:
            continue
        if (
            entry.action != HistoryEntry.Action.UPDATE
            and old in (None, "", [])
            and new
            in (
                None,
                "",
                [],
            )
        ):
            continue
        label = field_label(model, attname)
        if attname == "attachments":  # the files attached to the record, by name and size
            changes.append(
                Change(
                    label,
                    [format_attachment(a) for a in old or []],
                    [format_attachment(a) for a in new or []],
                    is_list=True,
                )
            )
        elif attname == "lines":
            line_model = _line_model(model)
            changes.append(
                Change(
                    label,
                    [format_line(line_model, line, names) for line in old or []],
                    [format_line(line_model, line, names) for line in new or []],
                    is_list=True,
                )
            )
        else:
            changes.append(
                Change(
                    label,
                    format_value(model, attname, old, names),
                    format_value(model, attname, new, names),
                )
            )
    return changes


def record_url(company, kind: str, record_id) -> str | None:
    try:
        if kind == "company":
            return reverse("books:summary", kwargs={"company_id": company.pk})
        return reverse(
            "books:record_edit", kwargs={"company_id": company.pk, "kind": kind, "pk": record_id}
        )
    except NoReverseMatch:
        return None


def rows_for(company, entries: list[HistoryEntry]) -> list[Row]:
    """The page's entries ready to show, with a few queries for the whole page."""
    existing: set[tuple[str, str]] = set()
    by_kind: dict[str, set] = {}
    for entry in entries:
        by_kind.setdefault(entry.record_kind, set()).add(entry.record_id)
    for kind, ids in by_kind.items():
        model = RECORD_KINDS.get(kind)
        if model is None:
            continue
        queryset = model._default_manager.filter(pk__in=ids)
        if kind != "company":
            queryset = queryset.filter(company=company)
        existing.update((kind, str(pk)) for pk in queryset.values_list("pk", flat=True))

    names = Names(company)
    for entry in entries:
        model = RECORD_KINDS.get(entry.record_kind)
        line_model = _line_model(model)
        for data in (entry.before or {}, entry.after or {}):
            for attname, value in data.items():
                if attname == "lines":
                    for line in value or []:
                        for line_attname, line_value in line.items():
                            names.want(line_model, line_attname, line_value)
                else:
                    names.want(model, attname, value)
    names.load()

    rows = []
    for entry in entries:
        exists = (entry.record_kind, str(entry.record_id)) in existing
        rows.append(
            Row(
                entry=entry,
                kind_label=kind_label(entry.record_kind),
                action_label=action_label(entry.record_kind, entry.action),
                record_label=record_label(entry.record_kind, entry.after or entry.before),
                record_url=record_url(company, entry.record_kind, entry.record_id)
                if exists
                else None,
                changes=changes_of(entry, names),
            )
        )
    return rows
