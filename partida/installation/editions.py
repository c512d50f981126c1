"""A database belongs to one edition: the first command records it, and a command of the other
edition refuses to start, with a sentence that says which setting to change."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from partida.installation.models import Installation


def recorded_edition() -> str | None:
    """The edition the database belongs to, or None (a new database, or one from before)."""
    if Installation._meta.db_table not in connection.introspection.table_names():
        return None
    try:
        return Installation.objects.values_list("edition", flat=True).first()
    except DatabaseError:
        return None


def edition_problem() -> str | None:
    """One sentence when this process's edition is not the database's, else None."""
    recorded = recorded_edition()
    if recorded is None or recorded == settings.EDITION:
        return None
    if recorded == "cloud":
        return _(
            "This database belongs to the cloud edition: set PARTIDA_EDITION=cloud, with the "
            "cloud edition's other settings, to work on it."
        )
    return _(
        "This database belongs to the desktop edition: leave PARTIDA_EDITION unset to work on "
        "it, or point DATABASE_URL at the cloud edition's database."
    )


def claim_edition() -> None:
    """Record this process's edition on a database that has none yet (after ``migrate``)."""
    if recorded_edition() is None:
        Installation.objects.get_or_create(
            id=Installation.ONLY, defaults={"edition": settings.EDITION}
        )
