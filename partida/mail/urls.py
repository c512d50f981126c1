from django.urls import path

from partida.mail import views

app_name = "mail"
urlpatterns = [
    path("c/<uuid:company_id>/emails/", views.emails, name="emails"),
    path("c/<uuid:company_id>/emails/settings/", views.smtp_settings, name="settings"),
    path("c/<uuid:company_id>/emails/<uuid:pk>/", views.email_detail, name="email"),
    path(
        "c/<uuid:company_id>/emails/<uuid:pk>/files/<uuid:file_pk>/",
        views.email_file,
        name="email_file",
    ),
    path(
        "c/<uuid:company_id>/sales-invoices/<uuid:pk>/email/",
        views.send_invoice,
        name="send_invoice",
    ),
]
