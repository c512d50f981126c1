from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = Path(__file__).resolve().parent / "static" / "partida" / "favicon.svg"


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links to (base.html links the same icon as
    a static file): they get Partida's SVG icon, not a 404."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("partida.books.urls")),
    path("", include("partida.attachments.urls")),
    path("", include("partida.mail.urls")),
    path("", include("partida.history.urls")),
    path("", include("partida.backups.urls")),
    path("", include("partida.autobackups.urls")),
    path("", include("partida.reports.urls")),
]

# The program's own error pages (partida.errors), in its layout and the person's language.
handler404 = "partida.errors.page_not_found"
handler403 = "partida.errors.permission_denied"
handler500 = "partida.errors.server_error"
