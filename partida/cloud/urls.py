from django.urls import path

from partida.cloud import views

app_name = "cloud"
urlpatterns = [
    path("portal/", views.portal, name="portal"),
    path("portal/sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("portal/sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("portal/encryption/", views.backup_encryption, name="backup_encryption"),
    path("portal/backups/<uuid:backup_id>/download/", views.download, name="download"),
    path("portal/companies/<uuid:company_id>/back-up-now/", views.back_up_now, name="back_up_now"),
]
