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
