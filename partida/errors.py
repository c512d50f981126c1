"""The program's own error pages, in its layout and the person's language, and the answer to a
save made while the database cannot write.

On SQLite one connection writes at a time. While an import copies a company into the books
(the last seconds of an import), or another ``partida`` command saves, a save on a screen waits
for a moment (``PARTIDA_SQLITE_BUSY_SECONDS``) and then, rather than a server error, gets a page
that says why and offers to send the same form again: what the person typed is kept.
"""

import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def error_page(
    request: HttpRequest, status: int, title: str, message: str, **extra
) -> HttpResponse:
    context = {"status": status, "title": title, "message": message, **extra}
    try:
        body = render_to_string("error.html", context, request=request)
    except Exception:  # the layout itself failed: still one sentence, never a traceback
        log.exception("the error page could not be rendered")
        body = f"<!DOCTYPE html><title>{title}</title><h1>{title}</h1><p>{message}</p>"
    return HttpResponse(body, status=status)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(
        request,
        404,
        _("Page not found"),
        _("There is nothing at this address: it may have been deleted, or the link is wrong."),
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(
        request, 403, _("Not allowed"), _("You cannot open this page with your account.")
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(
        request,
        500,
        _("Something went wrong"),
        _(
            "Partida could not finish that and saved nothing of it. Try again; if it keeps "
            "happening, tell support the time it happened."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(
        request,
        403,
        _("This form has expired"),
        _(
            "The page was open too long, or cookies are blocked for this site, so nothing was "
            "saved. Go back, reload the page and send the form again."
        ),
    )


def database_is_busy(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and "database is locked" in str(error)


class DatabaseBusyMiddleware:
    """A save refused because the database is busy gets a page that says so and can send the
    same form again, not a server error."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not database_is_busy(exception):
            return None
        fields = [
            (name, value)
            for name, values in request.POST.lists()
            if name != "csrfmiddlewaretoken"
            for value in values
        ]
        response = error_page(
            request,
            503,
            _("Saving is paused for a moment"),
            _(
                "An import is being written into Partida, so nothing can be saved for a "
                "moment: nothing was saved yet. Try again in a few seconds."
            ),
            resend_fields=fields if request.method == "POST" else None,
            resend_files=bool(request.FILES),
        )
        response["Retry-After"] = "5"
        return response
