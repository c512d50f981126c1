from django.urls import path

from partida.autobackups import views

app_name = "autobackups"
urlpatterns = [
    path("automatic-backups/", views.schedule_settings, name="settings"),
    path("c/<uuid:company_id>/backups/", views.backup_list, name="list"),
    path(
        "c/<uuid:company_id>/backups/<uuid:backup_id>/download/",
        views.download,
        name="download",
    ),
    path(
        "c/<uuid:company_id>/backups/<uuid:backup_id>/import/",
        views.import_backup,
        name="import",
    ),
]
