"""The archive's schema, derived from the registry's models: one column per concrete field.

The archive package knows nothing of Django; this module describes the tables to it. Columns
are named by the field's ``attname`` (``customer_id`` for a foreign key), as in the database.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partida.archive.errors import InvalidData
from partida.archive.schema import ATTACHMENTS, Upgrade
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


def declared_range(field: models.Field) -> tuple[int | None, int | None]:
    """The least and greatest value the model declares for an integer (its own validators,
    not the database's range, so that the schema is the same on every engine)."""
    least = greatest = None
    for validator in field._validators:  # the field's own, without the engine's limits
        if isinstance(validator, MinValueValidator):
            least = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            greatest = validator.limit_value
    return least, greatest


def archive_column(table: str, field: models.Field) -> str | ArchiveColumn:
    """The column's type; a column with choices is a ``str`` holding one of them."""
    spec = column_type(field)
    if spec == "int" and not field.is_relation:
        least, greatest = declared_range(field)
        if least is not None or greatest is not None:
            return ArchiveColumn("int", min_value=least, max_value=greatest)
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


#: The company's details that format version 2 adds to the company row, with the values a
#: company of version 1 had: none. Written out rather than read from the model, so that this
#: upgrade stays what version 2 was when a later version changes the model again.
COMPANY_DETAILS_OF_VERSION_2 = {
    "legal_name": "",
    "tax_id": "",
    "street": "",
    "postcode": "",
    "city": "",
    "province": "",
    "country": "",
    "email": "",
    "phone": "",
    "payment_terms_days": None,
}


def rows_with_columns(
    version: int, added: dict[str, dict], table: str, rows: Iterator[dict]
) -> Iterator[dict]:
    """Rows of ``version`` with the columns the next version adds (``added``: table -> column
    -> the value a row of ``version`` had). A row that names such a column already is no row of
    ``version``, and is refused."""
    columns = added.get(table)
    if columns is None:
        yield from rows
        return
    for line, row in enumerate(rows, start=1):
        given = sorted(row.keys() & columns.keys())
        if given:
            where = f"data/{table}.jsonl, line {line}"
            raise InvalidData(
                f"{where}: unknown {given[:3]} in format version {version}", where=where
            )
        row.update(columns)
        yield row


def company_rows_of_version_1(table: str, rows: Iterator[dict]) -> Iterator[dict]:
    """Version 1's company rows with version 2's details, empty; other tables as they are."""
    return rows_with_columns(1, {"company": COMPANY_DETAILS_OF_VERSION_2}, table, rows)


#: What format version 3 adds to the tables of version 2, with the values a version 2 row had.
#: Written out for the same reason as version 2's details above.
_NO_TAX = {"tax_code_id": None, "tax_amount": "0.00"}
COLUMNS_OF_VERSION_3 = {
    "company": {
        "invoice_prefix": "F",
        "credit_note_prefix": "R",
        "logo": "",
        "lock_date": None,
    },
    "accounts": {"archived": False},
    "receipts": {"amounts_include_tax": False},
    "receipt_lines": {**_NO_TAX, "invoice_id": None},
    "payments": {"amounts_include_tax": False},
    "payment_lines": {**_NO_TAX, "invoice_id": None},
    "sales_invoices": {
        "amounts_include_tax": False,
        "withholding_id": None,
        "withholding_amount": "0.00",
        "number": "",
        "draft": False,
        "corrects_id": None,
    },
    "sales_invoice_lines": dict(_NO_TAX),
    "purchase_invoices": {
        "amounts_include_tax": False,
        "withholding_id": None,
        "withholding_amount": "0.00",
        "corrects_id": None,
    },
    "purchase_invoice_lines": dict(_NO_TAX),
    "journal_entries": {"closes_year": False},
}
#: The tables version 3 adds (a version 2 file has none of their rows), and where they go.
TABLES_OF_VERSION_3 = ("invoice_counters", "tax_codes")
#: Version 3 writes invoices before receipts and payments, whose lines now name them.
ORDER_OF_VERSION_3 = (
    "company",
    "invoice_counters",
    "accounts",
    "tax_codes",
    "bank_accounts",
    "customers",
    "suppliers",
    "sales_invoices",
    "sales_invoice_lines",
    "purchase_invoices",
    "purchase_invoice_lines",
    "receipts",
    "receipt_lines",
    "payments",
    "payment_lines",
)


def manifest_of_version_2(manifest: dict) -> dict:
    """Version 2's manifest in version 3's order, with version 3's new tables, empty."""
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        return manifest  # the manifest's own checks say what is wrong with it
    new = {name: 0 for name in TABLES_OF_VERSION_3 if name not in tables}
    tables = {**tables, **new}
    first = [name for name in ORDER_OF_VERSION_3 if name in tables]
    rest = [name for name in tables if name not in ORDER_OF_VERSION_3]
    return {**manifest, "tables": {name: tables[name] for name in first + rest}}


def rows_of_version_2(table: str, rows: Iterator[dict]) -> Iterator[dict]:
    return rows_with_columns(2, COLUMNS_OF_VERSION_3, table, rows)


#: Version 1 to 2: the company row gains its details (legal name, tax ID, address, email,
#: phone and payment terms). Version 2 to 3: tax codes, invoice numbers and their series,
#: payments applied to invoices, credit notes, archived accounts, the lock date and the
#: closing of a year. Version 3 to 4: nothing to do, since version 4 only adds the figures of
#: the books to the manifest, which a version 3 file does not record.
UPGRADES = [
    Upgrade(from_version=1, rows=company_rows_of_version_1),
    Upgrade(from_version=2, manifest=manifest_of_version_2, rows=rows_of_version_2),
    Upgrade(from_version=3),
]


@cache
def archive_schema() -> ArchiveSchema:
    return ArchiveSchema(
        [archive_table(columns) for columns in table_columns().values()], upgrades=UPGRADES
    )
