"""The application's addresses plus one that fails, to show the server error page (a mock of a
bug: no real screen is known to fail)."""

from django.urls import path

from partida.urls import handler403, handler404, handler500  # noqa: F401 (Django reads them)
from partida.urls import urlpatterns as application


def failing_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("failing/", failing_view), *application]
