"""Which companies a request may see: every one on the desktop edition.

The cloud edition replaces this through the ``PARTIDA_COMPANY_ACCESS`` setting, the path of a
module with the same function (``partida.cloud.access``), so the books never import the cloud.
"""

from importlib import import_module

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest

from partida.books.models import Company


def visible_companies(request: HttpRequest) -> QuerySet[Company]:
    """The companies this request may list and open."""
    module = getattr(settings, "PARTIDA_COMPANY_ACCESS", __name__)
    if module == __name__:
        return Company.objects.all()
    return import_module(module).visible_companies(request)
