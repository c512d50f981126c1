from django.urls import path

from partida.attachments import views

app_name = "attachments"
urlpatterns = [
    path(
        "c/<uuid:company_id>/attachments/<uuid:pk>/",
        views.download,
        name="download",
    ),
    path(
        "c/<uuid:company_id>/attachments/<uuid:pk>/delete/",
        views.delete,
        name="delete",
    ),
    path(
        "c/<uuid:company_id>/attachments/add/<slug:kind>/<uuid:record_id>/",
        views.upload,
        name="upload",
    ),
]
