"""Converting column values between each database engine and the archive's neutral form.

Reading: a raw database value becomes the value written to the file (UUIDs as canonical
strings, decimals as fixed-point strings, dates and times in ISO 8601 UTC), the same text
whichever engine it came from. Writing: a validated file value becomes a query parameter.
These run once per value of a large company, so each column gets one small function.
"""

import datetime
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson
from django.db import models

Convert = Callable[[Any], Any]


def identity(value: Any) -> Any:
    return value


def sqlite_uuid(value: str | None) -> str | None:
    # Django keeps UUIDs in SQLite as 32 hex digits without dashes.
    if value is None:
        return None
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def text_of(value: Any) -> str | None:
    return None if value is None else str(value)


def decimal_text(places: int) -> Convert:
    template = f"{{:.{places}f}}"
    quantum = Decimal(1).scaleb(-places)

    def convert(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return str(value.quantize(quantum))
        # SQLite hands back decimals as int or float; they were written from decimal text
        # with at most 15 significant digits, so formatting restores the exact text.
        return template.format(value)

    return convert


def datetime_text(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite: Django keeps aware datetimes there as naive UTC
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def date_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def sorted_json(value: Any) -> Any:
    """JSON with sorted keys: PostgreSQL's jsonb reorders keys, SQLite keeps them as written."""
    if isinstance(value, str):
        value = orjson.loads(value)
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_SORT_KEYS))


def sqlite_json(value: str | None) -> Any:
    return None if value is None else sorted_json(value)


def postgres_json(value: Any) -> Any:
    return None if value is None else sorted_json(value)


def sqlite_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def reader_for(field: models.Field, vendor: str) -> Convert:
    """How to turn this field's raw database value into the file's value."""
    if isinstance(field, models.ForeignKey):
        return reader_for(field.target_field, vendor)
    sqlite = vendor == "sqlite"
    if isinstance(field, models.UUIDField):
        return sqlite_uuid if sqlite else text_of
    if isinstance(field, models.DecimalField):
        return decimal_text(field.decimal_places)
    if isinstance(field, models.DateTimeField):
        return datetime_text
    if isinstance(field, models.DateField):
        return date_text
    if isinstance(field, models.JSONField):
        return sqlite_json if sqlite else postgres_json
    if isinstance(field, models.BooleanField):
        return sqlite_bool if sqlite else identity
    return identity


def _sqlite_uuid_sql(column: str) -> str:
    # 32 hex digits to the canonical form; NULL stays NULL (|| with NULL gives NULL).
    parts = [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
    return "||'-'||".join(f"substr({column},{start},{length})" for start, length in parts)


def _sqlite_datetime_sql(column: str) -> str:
    # Django keeps aware datetimes in SQLite as naive UTC text, str(datetime): 19 characters,
    # or 26 with microseconds (see ``sqlite_datetimes_regular``).
    moment = f"substr({column},1,10)||'T'||substr({column},12)"
    return (
        f"CASE WHEN length({column})=19 THEN {moment}||'.000000+00:00' ELSE {moment}||'+00:00' END"
    )


def sqlite_datetimes_regular(column: str) -> str:
    """SQL true when the column holds only datetimes in the form ``_sqlite_datetime_sql`` reads."""
    return (
        f"{column} IS NULL OR (length({column}) IN (19, 26) AND substr({column},11,1)=' ' "
        f"AND substr({column},20,1) IN ('', '.'))"
    )


def select_sql(field: models.Field, vendor: str, column: str) -> tuple[str, Convert | None]:
    """The SQL that reads this column already in the file's form, and what Python must still do.

    Converting in SQL (C code) instead of once per value in Python is most of the speed of a
    backup: only JSON documents are left to Python (their keys must be sorted). The text is
    the one ``reader_for`` gives. Expressions also drop the column's declared type, so that
    Django's SQLite converters (which would parse dates into objects) do not run.
    """
    if isinstance(field, models.ForeignKey):
        return select_sql(field.target_field, vendor, column)
    sqlite = vendor == "sqlite"
    if isinstance(field, models.UUIDField):
        return (_sqlite_uuid_sql(column) if sqlite else f"{column}::text"), None
    if isinstance(field, models.DecimalField):
        if sqlite:  # kept as integer or real; formatting restores the text it was written from
            places = field.decimal_places
            return (
                f"CASE WHEN typeof({column}) IN ('integer', 'real') "
                f"THEN printf('%.{places}f', {column}) ELSE {column} END"
            ), None
        return f"{column}::text", None  # numeric(d, p) prints exactly p places
    if isinstance(field, models.DateTimeField):
        if sqlite:
            return _sqlite_datetime_sql(column), None
        return (
            f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
        ), None
    if isinstance(field, models.DateField):
        return (f"({column}||'')" if sqlite else f"to_char({column}, 'YYYY-MM-DD')"), None
    if isinstance(field, models.JSONField):
        return (f"({column}||'')" if sqlite else f"{column}::text"), sqlite_json
    # Booleans: SQLite's converter for the declared type gives True/False already.
    return column, None


def json_value_sql(field: models.Field, vendor: str, column: str) -> str:
    """SQL giving this column's value in the file's form, for the engine's JSON row builder.

    The text ``select_sql`` gives, except that JSON documents stay documents and SQLite's 0/1
    booleans become JSON's true/false (PostgreSQL's row builder does both itself).
    """
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if vendor == "sqlite":
        if isinstance(target, models.JSONField):
            return f"json({column})"
        if isinstance(target, models.BooleanField):
            return f"json(CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END)"
    elif isinstance(target, models.JSONField | models.BooleanField):
        return column
    return select_sql(field, vendor, column)[0]


def writer_for(field: models.Field, connection) -> Convert:
    """How to turn a validated file value (UUID, Decimal, date...) into a query parameter."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.UUIDField) and connection.vendor == "sqlite":
        return lambda value: None if value is None else value.hex
    if connection.vendor == "postgresql" and isinstance(
        field, models.UUIDField | models.DecimalField | models.DateField | models.DateTimeField
    ):
        return identity  # psycopg adapts these Python types itself
    return lambda value: field.get_db_prep_save(value, connection)


def shifted(value: uuid.UUID | None, offset: int) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(int=value.int + offset)
