"""Template filters of the bookkeeping screens."""

from decimal import Decimal

from django import template

from partida.books.numbers import format_money, format_number, format_percent

register = template.Library()


@register.filter
def amount(value) -> str:
    """An amount with two decimals and grouped thousands, in the current language (Babel)."""
    if value is None or value == "":
        return ""
    return format_number(Decimal(value).quantize(Decimal("0.01")), 2)


@register.filter
def count(value) -> str:
    """A whole number with grouped thousands, as the current language writes it (Babel):
    "1.234" in Spanish, "1,234" in English."""
    if value is None or value == "":
        return ""
    return format_number(Decimal(value), 0)


@register.filter
def money(value, currency: str = "") -> str:
    """An amount in its currency as the language writes it: ``1.234,50 €``, ``€1,234.50``."""
    if value is None or value == "":
        return ""
    if not currency:
        return amount(value)
    return format_money(Decimal(value), currency)


@register.filter
def percent(value) -> str:
    """A tax rate: "21 %", "−15 %" in Spanish (``numbers.format_percent``)."""
    if value is None or value == "":
        return ""
    return format_percent(Decimal(value))
