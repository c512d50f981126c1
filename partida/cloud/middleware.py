"""Access control of the cloud edition, in one place.

On the desktop edition this middleware does nothing. In the cloud edition:

- every screen needs a signed-in user, except the portal's sign-in page, the static files and
  the administration screen (which has its own sign-in for staff). A signed-out visitor is sent
  to the sign-in page from any address, whether it exists or not, so that reveals nothing;
- a view that names a company (``company_id``), a backup or import job (``job_id``) or a stored
  backup (``backup_id``) answers 404 unless it belongs to the signed-in user's customer: the
  same answer as for a key that does not exist, so nobody learns what others have;
- a user who works for no customer (staff) finds nothing outside the administration screen;
- while the customer's subscription has expired, every screen but the portal answers a page
  that says so and points to the portal. Nothing is deleted.

Requests run with ``partida.cloud.access.CURRENT_CUSTOMER`` set, so what they create (a company,
a backup job) belongs to the customer.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from partida.cloud.access import (
    CURRENT_CUSTOMER,
    customer_of,
    owns_company,
    owns_job,
    stored_backup_for,
)

PORTAL_NAMESPACE = "cloud"


def open_paths() -> tuple[str, ...]:
    """Addresses anyone may reach: sign-in, static files, the icon, the language switch, the
    admin."""
    return (
        reverse("cloud:sign_in"),
        reverse("favicon"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
        reverse("set_language"),
        reverse("admin:index"),
    )


def is_open(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in open_paths())


class CloudAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.EDITION != "cloud" or is_open(request.path_info):
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("cloud:sign_in"))
        request.customer = customer_of(request.user)
        token = CURRENT_CUSTOMER.set(request.customer)
        try:
            return self.get_response(request)
        finally:
            CURRENT_CUSTOMER.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if settings.EDITION != "cloud" or is_open(request.path_info):
            return None
        customer = request.customer
        portal = request.resolver_match.namespace == PORTAL_NAMESPACE
        if customer is None and not (portal and request.resolver_match.url_name == "sign_out"):
            raise Http404
        if "company_id" in view_kwargs and not owns_company(customer, view_kwargs["company_id"]):
            raise Http404
        if "job_id" in view_kwargs and not owns_job(customer, view_kwargs["job_id"]):
            raise Http404
        if "backup_id" in view_kwargs:
            backup = stored_backup_for(customer, view_kwargs["backup_id"])
            if backup is None:
                raise Http404
            request.stored_backup = backup
        if customer is not None and customer.expired and not portal:
            return render(request, "cloud/expired.html", {"customer": customer}, status=403)
        return None
