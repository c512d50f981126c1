"""The cloud edition's addresses: the application's, the customer portal and the admin."""

from django.contrib import admin
from django.urls import include, path

from partida.urls import handler403, handler404, handler500  # noqa: F401 (Django reads them)
from partida.urls import urlpatterns as application

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("partida.cloud.urls")),
    *application,
]
