"""The customer portal: sign in, see every company's stored backups, download one, ask for a
fresh one. It works the same whether the subscription is active or has expired.

Access is checked by ``CloudAccessMiddleware`` before these views run; the views look their
objects up through the customer again, so a mistake there still finds nothing.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partida.backups.export import default_backup_name
from partida.cloud.access import companies_of, stored_backup_for
from partida.cloud.encryption import (
    do_remove_backup_passphrase,
    do_set_backup_passphrase,
    encrypts_backups,
)
from partida.cloud.forms import BackupPassphraseForm, SignInForm

CHUNK_SIZE = 1024 * 1024


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "cloud/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    next_page = "cloud:sign_in"


def company_backups(customer) -> list[dict]:
    """Each of the customer's companies with its backups, newest first; a company since
    deleted is listed while backups of it remain."""
    from partida.autobackups.retention import stored_backups

    entries = []
    for company in companies_of(customer).order_by("name", "created_at"):
        entries.append({"company": company, "backups": list(stored_backups(company.pk))})
    existing = {entry["company"].pk for entry in entries}
    gone = customer.companies.exclude(company_id__in=existing).values_list("company_id", flat=True)
    for company_id in gone:
        backups = list(stored_backups(company_id))
        if backups:
            entries.append({"company": None, "name": backups[0].company_name, "backups": backups})
    return entries


@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    customer = request.customer
    context = {
        "customer": customer,
        "companies": company_backups(customer),
        "encrypted": encrypts_backups(customer),
    }
    return render(request, "cloud/portal.html", context)


class StreamedFile(FileResponse):
    block_size = CHUNK_SIZE  # the object store is read a megabyte at a time, never whole


def backup_file_name(backup) -> str:
    """``<company> (<YYYY-MM-DD>).manager``, the day it was made in the service's time zone."""
    return default_backup_name(backup.company_name, timezone.localdate(backup.created_at))


@require_GET
def download(request: HttpRequest, backup_id) -> FileResponse:
    from partida.autobackups.runner import open_stored_backup

    backup = stored_backup_for(request.customer, backup_id)
    if backup is None:
        raise Http404
    response = StreamedFile(
        open_stored_backup(backup),
        as_attachment=True,
        filename=backup_file_name(backup),
        content_type="application/octet-stream",
    )
    if backup.size and not response.has_header("Content-Length"):
        response["Content-Length"] = str(backup.size)
    return response


@require_POST
def back_up_now(request: HttpRequest, company_id) -> HttpResponse:
    from partida.autobackups.schedule import do_request_backup

    company = get_object_or_404(companies_of(request.customer), pk=company_id)
    do_request_backup(company)
    messages.success(
        request,
        _(
            "A backup of “%(name)s” is on its way: it appears here once it has been written "
            "and checked."
        )
        % {"name": company.name},
    )
    return redirect("cloud:portal")


def backup_encryption(request: HttpRequest) -> HttpResponse:
    """Set, change or remove the passphrase of the customer's automatic backups."""
    customer = request.customer
    form = BackupPassphraseForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        do_remove_backup_passphrase(customer)
        messages.success(request, _("The next automatic backups will not be encrypted."))
        return redirect("cloud:portal")
    if request.method == "POST" and form.is_valid():
        do_set_backup_passphrase(customer, form.cleaned_data["passphrase"])
        messages.success(
            request,
            _(
                "The next automatic backups will be encrypted with this passphrase. Keep it "
                "safe: without it nobody can open them."
            ),
        )
        return redirect("cloud:portal")
    context = {"customer": customer, "form": form, "encrypted": encrypts_backups(customer)}
    return render(request, "cloud/backup_encryption.html", context)
