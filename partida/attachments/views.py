from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partida.attachments.actions import do_attach_files, do_delete_attachment
from partida.attachments.models import Attachment
from partida.attachments.store import open_blob
from partida.books.kinds import RECORD_KINDS, TRANSACTION_KINDS
from partida.books.models import Company
from partida.books.usage import record_label
from partida.books.views import company_context


def _back(request, company, kind=None):
    """Where to go after a change: the page the form came from, if it is ours."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    try:
        if kind:
            return HttpResponseRedirect(
                reverse("books:record_list", kwargs={"company_id": company.pk, "kind": kind})
            )
        return HttpResponseRedirect(reverse("books:summary", kwargs={"company_id": company.pk}))
    except NoReverseMatch:
        return HttpResponseRedirect("/")


@require_GET
def download(request, company_id, pk):
    company = get_object_or_404(Company, pk=company_id)
    attachment = get_object_or_404(Attachment, company=company, pk=pk)
    try:
        blob = open_blob(attachment.sha256)
    except FileNotFoundError as error:
        raise Http404(_("The file's contents are missing from the storage.")) from error
    inline = request.GET.get("inline") == "1" and attachment.content_type in {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "text/plain",
    }
    # FileResponse writes an RFC 6266 Content-Disposition (filename*=utf-8'' for other names).
    return FileResponse(
        blob,
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


@require_http_methods(["GET", "POST"])
def delete(request, company_id, pk):
    """GET asks, naming the file and its record (no script needed); only a POST removes."""
    company = get_object_or_404(Company, pk=company_id)
    attachment = get_object_or_404(Attachment, company=company, pk=pk)
    filename = attachment.filename
    kind = attachment.target_kind
    if request.method == "POST":
        do_delete_attachment(company, attachment)
        messages.success(request, _("The file “%(name)s” was removed.") % {"name": filename})
        return _back(request, company, kind)
    record = (
        RECORD_KINDS[kind]._default_manager.filter(company=company, pk=attachment.target_id).first()
    )
    record_url = (
        reverse(
            "books:record_edit", kwargs={"company_id": company.pk, "kind": kind, "pk": record.pk}
        )
        if record is not None
        else None
    )
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = record_url or reverse("books:summary", kwargs={"company_id": company.pk})
    context = company_context(
        company,
        kind,
        attachment=attachment,
        record=record,
        record_label=record_label(record) if record is not None else "",
        kind_name=capfirst(RECORD_KINDS[kind]._meta.verbose_name),
        record_url=record_url,
        back=back,
    )
    return render(request, "attachments/confirm_delete.html", context)


@require_POST
def upload(request, company_id, kind, record_id):
    company = get_object_or_404(Company, pk=company_id)
    if kind not in TRANSACTION_KINDS:
        raise Http404
    get_object_or_404(RECORD_KINDS[kind], company=company, pk=record_id)
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, _("Choose one or more files to attach, then press Attach."))
        return _back(request, company, kind)
    try:
        attached = do_attach_files(company, kind, record_id, files)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Attached: %(names)s.") % {"names": ", ".join(a.filename for a in attached)},
        )
    return _back(request, company, kind)
