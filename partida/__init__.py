"""Partida: double-entry bookkeeping for small businesses whose books are never lost."""

__version__ = "0.4.0"
