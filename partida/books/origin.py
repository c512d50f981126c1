"""Where this installation's copy of a company came from, in a sentence for the Companies screen.

"Creada el 1 dic 2026", "Importada el 2 dic 2026 de «Demo S.L. (2026-12-01).manager»": so that
a restored company can be told from its original. The day is the local day of a moment stored
in UTC, written by Babel in the language of the request or command.
"""

import datetime
from dataclasses import dataclass

from babel.dates import format_date
from django.utils import timezone
from django.utils.translation import gettext as _

from partida.books import models as m
from partida.books.numbers import current_locale


@dataclass(frozen=True)
class Origin:
    how: str  # "created" or "imported"
    at: datetime.datetime  # aware, UTC in the database
    backup_file: str  # the file's name as the person chose it; empty when created


def origin_of(company: m.Company) -> Origin:
    """The company's recorded origin; a company older than that record was added here."""
    try:
        origin = company.origin
    except m.CompanyOrigin.DoesNotExist:
        return Origin(m.CompanyOrigin.How.CREATED, company.created_at, "")
    return Origin(origin.how, origin.at, origin.backup_file)


def local_day(moment: datetime.datetime) -> str:
    """The moment's day where this installation is, as the language writes it: "1 dic 2026"."""
    return format_date(timezone.localdate(moment), "medium", locale=current_locale())


def origin_sentence(company: m.Company) -> str:
    origin = origin_of(company)
    day = local_day(origin.at)
    if origin.how != m.CompanyOrigin.How.IMPORTED:
        return _("Created on %(date)s") % {"date": day}
    if not origin.backup_file:
        return _("Imported on %(date)s") % {"date": day}
    return _("Imported on %(date)s from “%(file)s”") % {"date": day, "file": origin.backup_file}
