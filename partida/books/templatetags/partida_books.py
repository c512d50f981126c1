"""Template filters of the bookkeeping screens."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def amount(value) -> str:
    """An amount with two decimals and grouped thousands, in the current language."""
    if value is None or value == "":
        return ""
    return number_format(Decimal(value).quantize(Decimal("0.01")), 2, force_grouping=True)


@register.filter
def money(value, currency: str = "") -> str:
    """An amount with two decimals followed by the currency code: ``1,234.50 EUR``."""
    text = amount(value)
    if text and currency:
        return f"{text}\N{NO-BREAK SPACE}{currency}"
    return text
