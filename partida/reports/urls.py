from django.urls import path

from partida.reports import views

app_name = "reports"
urlpatterns = [
    path("c/<uuid:company_id>/reports/", views.index, name="index"),
    path(
        "c/<uuid:company_id>/reports/account/<uuid:account_id>/",
        views.account_movements,
        name="account_movements",
    ),
    path("c/<uuid:company_id>/reports/trial-balance/", views.trial_balance, name="trial_balance"),
    path(
        "c/<uuid:company_id>/reports/general-ledger/", views.general_ledger, name="general_ledger"
    ),
    path("c/<uuid:company_id>/reports/journal/", views.journal, name="journal"),
    path(
        "c/<uuid:company_id>/reports/profit-and-loss/",
        views.profit_and_loss,
        name="profit_and_loss",
    ),
]
