"""Template filters of the report screens: dates as the language writes them (Babel)."""

from django import template

from partida.reports.formatting import format_day, format_long_day

register = template.Library()


@register.filter
def day(value) -> str:
    """A date in the language's short order with the whole year: "7/3/2025"."""
    return format_day(value) if value else ""


@register.filter
def long_day(value) -> str:
    """A date written out: "7 de marzo de 2025"."""
    return format_long_day(value) if value else ""
