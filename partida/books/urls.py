from django.urls import path, register_converter

from partida.books import closing_views, views
from partida.books.kinds import RECORD_KINDS

EDITABLE_KINDS = tuple(kind for kind in RECORD_KINDS if kind != "company")


class RecordKindConverter:
    """Only the kinds of record the screens edit: any other word is a 404."""

    regex = "|".join(sorted(EDITABLE_KINDS, key=len, reverse=True))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        if value not in EDITABLE_KINDS:
            raise ValueError(value)
        return value


register_converter(RecordKindConverter, "record_kind")

app_name = "books"
urlpatterns = [
    path("", views.companies, name="companies"),
    path("companies/add/", views.company_add, name="company_add"),
    path("c/<uuid:company_id>/", views.summary, name="summary"),
    path("c/<uuid:company_id>/details/", views.company_edit, name="company_edit"),
    path("c/<uuid:company_id>/delete/", views.company_delete, name="company_delete"),
    path("c/<uuid:company_id>/<record_kind:kind>/", views.record_list, name="record_list"),
    path("c/<uuid:company_id>/<record_kind:kind>/add/", views.record_add, name="record_add"),
    path(
        "c/<uuid:company_id>/<record_kind:kind>/<uuid:pk>/",
        views.record_edit,
        name="record_edit",
    ),
    path(
        "c/<uuid:company_id>/sales_invoice/<uuid:pk>/pdf/",
        views.sales_invoice_pdf,
        name="sales_invoice_pdf",
    ),
    path(
        "c/<uuid:company_id>/sales_invoice/<uuid:pk>/issue/",
        views.sales_invoice_issue,
        name="sales_invoice_issue",
    ),
    path(
        "c/<uuid:company_id>/<record_kind:kind>/<uuid:pk>/delete/",
        views.record_delete,
        name="record_delete",
    ),
    # Closing a year, archiving, the default taxes (closing_views).
    path("c/<uuid:company_id>/close-year/", closing_views.close_year, name="close_year"),
    path(
        "c/<uuid:company_id>/<record_kind:kind>/<uuid:pk>/archive/",
        closing_views.set_archived,
        name="set_archived",
    ),
    path(
        "c/<uuid:company_id>/tax_code/add-defaults/",
        closing_views.add_default_taxes,
        name="add_default_taxes",
    ),
]
