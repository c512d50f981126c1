"""The tabs inside a company, in the order the user sees them."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (key, label, url name, whether the url takes a record kind)
TABS = [
    ("summary", _("Summary"), "books:summary", None),
    ("bank_account", _("Bank and cash accounts"), "books:record_list", "bank_account"),
    ("receipt", _("Receipts"), "books:record_list", "receipt"),
    ("payment", _("Payments"), "books:record_list", "payment"),
    ("customer", _("Customers"), "books:record_list", "customer"),
    ("supplier", _("Suppliers"), "books:record_list", "supplier"),
    ("sales_invoice", _("Sales invoices"), "books:record_list", "sales_invoice"),
    ("purchase_invoice", _("Purchase invoices"), "books:record_list", "purchase_invoice"),
    ("journal_entry", _("Journal entries"), "books:record_list", "journal_entry"),
    ("account", _("Chart of accounts"), "books:record_list", "account"),
    ("tax_code", _("Taxes"), "books:record_list", "tax_code"),
    ("reports", _("Reports"), "reports:index", None),
    ("emails", _("Emails"), "mail:emails", None),
    ("history", _("History"), "history:list", None),
    ("backups", _("Backups"), "autobackups:list", None),
]


def tab_label(key: str):
    """The label of the tab ``key``, which is also the title of the screen it opens."""
    return next((label for k, label, _url, _kind in TABS if k == key), None)


def company_tabs(company) -> list[dict]:
    """The company's tabs; a tab whose screen is not installed (its url does not exist) is left
    out, so the apps that own the Emails and History screens can arrive in any order."""
    tabs = []
    for key, label, url_name, kind in TABS:
        kwargs = {"company_id": company.pk}
        if kind:
            kwargs["kind"] = kind
        try:
            url = reverse(url_name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        tabs.append({"key": key, "label": label, "url": url})
    return tabs
