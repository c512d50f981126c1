"""Who is making changes right now: set per request by the middleware, or by the CLI."""

import contextvars
import getpass
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Actor:
    name: str
    email: str


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("actor", default=None)


def desktop_actor() -> Actor:
    """On the desktop nobody signs in: the change is the computer's user's."""
    name = settings.PARTIDA_DESKTOP_USER_NAME
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "Partida"
    return Actor(name=name, email=settings.PARTIDA_DESKTOP_USER_EMAIL)


def current_actor() -> Actor:
    return _current.get() or desktop_actor()


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
