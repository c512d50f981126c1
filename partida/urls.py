from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("partida.books.urls")),
    path("", include("partida.attachments.urls")),
    path("", include("partida.mail.urls")),
    path("", include("partida.history.urls")),
    path("", include("partida.backups.urls")),
]

# The program's own error pages (partida.errors), in its layout and the person's language.
handler404 = "partida.errors.page_not_found"
handler403 = "partida.errors.permission_denied"
handler500 = "partida.errors.server_error"
