"""JSON-ready pictures of a record, for the history's "before" and "after"."""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.db import models


def field_value(value: Any) -> Any:
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Every concrete field of the record, and its lines if it has any."""
    data = {
        field.attname: field_value(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.attname != "company_id"
    }
    if hasattr(instance, "lines") and not instance._state.adding:
        lines = instance.lines.all()
        parent = lines.model._meta.get_field(instance.lines.field.name).attname
        data["lines"] = [
            {k: v for k, v in snapshot(line).items() if k not in {"id", "position", parent}}
            for line in lines
        ]
    return data
