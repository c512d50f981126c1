"""What every page needs to read numbers as the person writes them (see ``numbers``)."""

from partida.books import numbers


def number_symbols(request) -> dict:
    return {"number_symbols": numbers.number_symbols()}
