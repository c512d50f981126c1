"""Dates and amounts of the reports as the language writes them (Babel), on screen, in PDF
and in CSV.

A CSV file is read by a spreadsheet, which guesses how to split and read it from the
computer's regional settings. A Spanish Excel or LibreOffice splits a double-clicked file at
semicolons (the comma is the decimal mark there) and reads "1234,56" as a number, while
"1234.56" would be text or a different number. So a CSV in Spanish uses ";" and a decimal
comma, and in English "," and a decimal point; neither groups thousands, which a spreadsheet
could take for decimals. Dates are ISO 8601 (2025-03-07), which every spreadsheet in every
language reads as a date and which sorts as text too. The file starts with a UTF-8 byte order
mark so that Excel reads "Núñez" and "€" right.
"""

import datetime
import re
from decimal import Decimal

from babel.dates import format_date, get_date_format
from babel.numbers import format_decimal, get_decimal_symbol

from partida.books.numbers import current_locale, format_number


def format_day(day: datetime.date, locale: str | None = None) -> str:
    """A date in the language's short order, as the record lists write it: "07/03/2025",
    "03/07/2025" (two-digit day and month, the whole year)."""
    locale = locale or current_locale()
    pattern = get_date_format("short", locale=locale).pattern
    pattern = re.sub(r"d+", "dd", pattern)
    pattern = re.sub(r"M+", "MM", pattern)
    pattern = re.sub(r"y+", "yyyy", pattern)
    return format_date(day, pattern, locale=locale)


def format_long_day(day: datetime.date, locale: str | None = None) -> str:
    """A date written out: "7 de marzo de 2025", "March 7, 2025"."""
    return format_date(day, "long", locale=locale or current_locale())


def format_amount(value: Decimal, locale: str | None = None) -> str:
    """An amount with two decimals and grouped thousands: "1.234,56", "1,234.56"."""
    return format_number(value, 2, locale)


def csv_separator(locale: str | None = None) -> str:
    """ ";" where the decimal mark is a comma (Spanish), else ","."""
    return ";" if get_decimal_symbol(locale or current_locale()) == "," else ","


def csv_amount(value: Decimal, locale: str | None = None) -> str:
    """An amount for a spreadsheet: "1234,56" in Spanish, "1234.56" in English, "-5,00"."""
    return format_decimal(value, format="0.00", locale=locale or current_locale())


def csv_day(day: datetime.date) -> str:
    return day.isoformat()
