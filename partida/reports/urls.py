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
    path(
        "c/<uuid:company_id>/reports/aged-receivables/",
        views.aged_receivables,
        name="aged_receivables",
    ),
    path("c/<uuid:company_id>/reports/aged-payables/", views.aged_payables, name="aged_payables"),
    path(
        "c/<uuid:company_id>/reports/customer-statement/",
        views.customer_statement,
        name="customer_statement",
    ),
    path(
        "c/<uuid:company_id>/reports/supplier-statement/",
        views.supplier_statement,
        name="supplier_statement",
    ),
    path("c/<uuid:company_id>/reports/iva/", views.tax_summary, name="tax_summary"),
]
