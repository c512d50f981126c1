from django.urls import path

from partida.backups import views

app_name = "backups"
urlpatterns = [
    path("c/<uuid:company_id>/backup/", views.backup, name="backup"),
    path("backups/jobs/<uuid:job_id>/", views.job, name="job"),
    path("backups/jobs/<uuid:job_id>/download/", views.download, name="download"),
    path("backups/jobs/<uuid:job_id>/cancel/", views.cancel, name="cancel"),
    path("import/", views.import_company, name="import"),
    path("import/<uuid:job_id>/", views.import_preview, name="import_preview"),
]
