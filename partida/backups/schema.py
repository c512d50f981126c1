"""The archive's schema, derived from the registry's models: one column per concrete field.

The archive package knows nothing of Django; this module describes the tables to it. Columns
are named by the field's ``attname`` (``customer_id`` for a foreign key), as in the database.
"""

from dataclasses import dataclass
from functools import cache

from django.db import models

from partida.archive.schema import ATTACHMENTS
from partida.archive.schema import Column as ArchiveColumn
from partida.archive.schema import Schema as ArchiveSchema
from partida.archive.schema import Table as ArchiveTable
from partida.backups.registry import TABLES, Table

# Columns that hold the SHA-256 of bytes carried in attachments/<sha256>.
BLOB_COLUMNS = {("attachments", "sha256"), ("email_attachments", "sha256")}


def column_type(field: models.Field) -> str:
    if isinstance(field, models.ForeignKey):
        return column_type(field.target_field)
    if isinstance(field, models.UUIDField):
        return "uuid"
    if isinstance(field, models.DecimalField):
        return f"decimal({field.max_digits},{field.decimal_places})"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.JSONField):
        return "json"
    if isinstance(field, models.BooleanField):
        return "bool"
    if isinstance(field, models.IntegerField):
        return "int"
    if isinstance(field, models.TextField):
        return "text"
    if isinstance(field, models.CharField):
        return f"str({field.max_length})"
    raise TypeError(f"{field.model.__name__}.{field.name}: no backup column type for {field!r}")


@dataclass(frozen=True)
class TableColumns:
    """A registry table with its model's concrete fields, in the order they are written."""

    table: Table
    fields: tuple[models.Field, ...]

    @property
    def columns(self) -> list[str]:
        return [field.attname for field in self.fields]

    @property
    def references(self) -> dict[str, str]:
        """Foreign key column -> the table whose key it holds."""
        by_model = {table.model_label: table.name for table in TABLES}
        return {
            field.attname: by_model[field.related_model._meta.label]
            for field in self.fields
            if field.is_relation
        }


@cache
def table_columns() -> dict[str, TableColumns]:
    return {
        table.name: TableColumns(table, tuple(table.model._meta.concrete_fields))
        for table in TABLES
    }


def extra_choices() -> dict[tuple[str, str], frozenset[str]]:
    """Columns whose allowed values the model checks in its forms rather than as choices."""
    from partida.books.currencies import ISO_4217
    from partida.books.kinds import RECORD_KINDS

    kinds = frozenset(RECORD_KINDS)
    return {
        ("company", "base_currency"): ISO_4217,
        ("history", "record_kind"): kinds,
        ("attachments", "target_kind"): kinds,
    }


def archive_column(table: str, field: models.Field) -> str | ArchiveColumn:
    """The column's type; a column with choices is a ``str`` holding one of them."""
    spec = column_type(field)
    allowed = extra_choices().get((table, field.attname))
    if allowed is None and field.choices and not field.is_relation:
        allowed = frozenset(str(value) for value, _label in field.flatchoices)
        if field.blank and isinstance(field, models.CharField):
            allowed |= {""}
    if allowed is None:
        return spec
    return ArchiveColumn("str", max_length=field.max_length or 255, choices=allowed)


def archive_table(columns: TableColumns) -> ArchiveTable:
    name = columns.table.name
    references = columns.references
    for blob_table, blob_column in BLOB_COLUMNS:
        if blob_table == name:
            references[blob_column] = ATTACHMENTS
    return ArchiveTable(
        name=name,
        columns={field.attname: archive_column(name, field) for field in columns.fields},
        references=references,
        nullable=[field.attname for field in columns.fields if field.null],
        part=columns.table.part,
    )


@cache
def archive_schema() -> ArchiveSchema:
    return ArchiveSchema([archive_table(columns) for columns in table_columns().values()])
