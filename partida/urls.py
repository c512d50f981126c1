from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("partida.books.urls")),
    path("", include("partida.attachments.urls")),
    path("", include("partida.mail.urls")),
    path("", include("partida.history.urls")),
    path("", include("partida.backups.urls")),
]
