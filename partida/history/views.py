from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from partida.books.models import Company
from partida.books.tabs import company_tabs
from partida.history.display import ACTION_FILTER_LABELS, kind_label, rows_for
from partida.history.models import HistoryEntry

PAGE_SIZE = 50


def user_key(name: str, email: str) -> str:
    """How a user is named in the filter: by email, or by name when there is no email."""
    return email or name


def filter_entries(company, user: str = "", kind: str = "", action: str = ""):
    """The company's history, newest first, narrowed by user, kind of record and action."""
    entries = HistoryEntry.objects.filter(company=company)
    if user:
        entries = entries.filter(Q(user_email=user) | Q(user_email="", user_name=user))
    if kind:
        entries = entries.filter(record_kind=kind)
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("-at", "-id")


def filter_choices(company) -> dict:
    """The users, kinds of record and actions present in the company's history."""
    entries = HistoryEntry.objects.filter(company=company)
    users = {}
    for name, email in entries.order_by().values_list("user_name", "user_email").distinct():
        key = user_key(name, email)
        label = f"{name} <{email}>" if name and email else (name or email)
        users.setdefault(key, label)
    kinds = entries.order_by().values_list("record_kind", flat=True).distinct()
    actions = set(entries.order_by().values_list("action", flat=True).distinct())
    return {
        "users": sorted(users.items(), key=lambda item: item[1].lower()),
        "kinds": sorted(((k, kind_label(k)) for k in kinds), key=lambda item: item[1]),
        "actions": [
            (value, ACTION_FILTER_LABELS[value])
            for value in HistoryEntry.Action.values
            if value in actions
        ],
    }


@require_GET
def history(request, company_id):
    company = get_object_or_404(Company, pk=company_id)
    chosen = {name: request.GET.get(name, "").strip() for name in ("user", "kind", "action")}
    entries = filter_entries(company, **chosen)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "history/history_list.html",
        {
            "company": company,
            "company_tabs": company_tabs(company),
            "active_tab": "history",
            "page": page,
            "rows": rows_for(company, list(page.object_list)),
            "chosen": chosen,
            "filtered": any(chosen.values()),
            **filter_choices(company),
        },
    )
