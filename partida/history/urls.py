from django.urls import path

from partida.history import views

app_name = "history"
urlpatterns = [
    path("c/<uuid:company_id>/history/", views.history, name="list"),
]
