"""Numbers as people write them, read and written by their language's rules (Babel, CLDR).

In Spanish "1.234,56", "1234,56" and "1 234,56" are one thousand two hundred and thirty-four
and a bit, and "1.500" is one thousand five hundred; in English "1,234.56" and "1234.56". Babel
reads them strictly, so a misplaced separator ("1.50" in Spanish) is refused rather than guessed.
The page's live totals read with the same symbols (``number_symbols``), so they never disagree
with what is saved.
"""

import re
from decimal import Decimal

from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from django.conf import settings
from django.utils import translation

#: Spaces people (and the program's own lists) put between groups of thousands.
SPACES = re.compile(r"[ \u00a0\u202f]")


def current_locale() -> str:
    """Babel's locale for the language of this request or command."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language.split("-")[0]


def number_symbols(locale: str | None = None) -> dict[str, str]:
    locale = locale or current_locale()
    return {"decimal": get_decimal_symbol(locale), "group": get_group_symbol(locale)}


def parse_number(text: str, locale: str | None = None) -> Decimal:
    """The number ``text`` says in that language; ValueError when it says none."""
    locale = locale or current_locale()
    written = SPACES.sub(get_group_symbol(locale), text.strip())
    try:
        return parse_decimal(written, locale=locale, strict=True)
    except NumberFormatError:
        raise ValueError(f"{text!r} is not a number in {locale}") from None


def format_number(
    value: Decimal, places: int | None = 2, locale: str | None = None, at_least: int = 0
) -> str:
    """``value`` as that language writes it: ``places`` decimals, or (None) those it has but
    no fewer than ``at_least`` (a price of 526.1000 is "526,10", a quantity of 6.0000 is "6")."""
    locale = locale or current_locale()
    if places is None:
        exponent = value.normalize().as_tuple().exponent
        shown = max(at_least, -exponent) if isinstance(exponent, int) else at_least
        pattern = "#,##0" + ("." + "0" * shown if shown else "")
    else:
        pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=locale, decimal_quantization=False)


def format_count(count: int, locale: str | None = None) -> str:
    """A count of things as that language writes it: "2.500" in Spanish, "2,500" in English."""
    return format_number(Decimal(count), 0, locale)


def format_money(
    value: Decimal, currency: str, locale: str | None = None, exact: bool = False
) -> str:
    """An amount in its currency, as that language writes it: "1.234,56 €", "€1,234.56".

    ``exact`` keeps decimals beyond the currency's own (a unit price of 0.0125 is "0,0125 €"
    rather than rounded to "0,01 €"); the currency's own are always shown."""
    return format_currency(
        value, currency, locale=locale or current_locale(), decimal_quantization=not exact
    )


def example_number(locale: str | None = None) -> str:
    """How one thousand two hundred and thirty-four and fifty-six cents is written here."""
    return format_decimal(Decimal("1234.56"), format="#,##0.00", locale=locale or current_locale())


def format_day(day, locale: str | None = None) -> str:
    """A date as that language writes it in a sentence, with the whole year: "31/12/2025",
    "12/31/2025" (CLDR's short form, whose year has two digits, with four)."""
    from babel.dates import format_date, get_date_format

    locale = locale or current_locale()
    pattern = get_date_format("short", locale=locale).pattern
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "y")
    return format_date(day, format=pattern, locale=locale)


def format_percent(rate: Decimal, locale: str | None = None) -> str:
    """A rate in percent as that language writes it, with the decimals it has and a true minus
    sign: "21 %", "−15 %", "5,5 %" in Spanish; "21%", "−15%" in English."""
    from babel.numbers import format_percent as babel_percent

    shown = babel_percent(rate / 100, locale=locale or current_locale(), decimal_quantization=False)
    return shown.replace("-", "\u2212")
