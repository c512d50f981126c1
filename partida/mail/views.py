from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partida.attachments.store import open_blob
from partida.books import models as m
from partida.books.tabs import company_tabs
from partida.mail.actions import do_delete_smtp_settings, do_save_smtp_settings
from partida.mail.forms import SendInvoiceForm, SmtpSettingsForm
from partida.mail.models import Email, EmailAttachment, SmtpSettings
from partida.mail.sending import default_subject_and_body, do_send_invoice_email

PAGE_SIZE = 25


def _context(company, active_tab="emails", **extra):
    return {
        "company": company,
        "company_tabs": company_tabs(company),
        "active_tab": active_tab,
        **extra,
    }


@require_GET
def emails(request, company_id):
    company = get_object_or_404(m.Company, pk=company_id)
    queryset = Email.objects.filter(company=company).order_by("-sent_at", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    has_server = SmtpSettings.objects.filter(company=company).exists()
    return render(
        request, "mail/email_list.html", _context(company, page=page, has_server=has_server)
    )


@require_GET
def email_detail(request, company_id, pk):
    company = get_object_or_404(m.Company, pk=company_id)
    email = get_object_or_404(Email, company=company, pk=pk)
    invoice = None
    if email.about_kind == "sales_invoice" and email.about_id:
        invoice = m.SalesInvoice.objects.filter(company=company, pk=email.about_id).first()
    return render(
        request,
        "mail/email_detail.html",
        _context(
            company,
            email=email,
            files=list(email.attachments.all()),
            recipients=email.to_addresses.splitlines(),
            invoice=invoice,
        ),
    )


@require_GET
def email_file(request, company_id, pk, file_pk):
    company = get_object_or_404(m.Company, pk=company_id)
    file = get_object_or_404(EmailAttachment, company=company, email_id=pk, pk=file_pk)
    try:
        blob = open_blob(file.sha256)
    except FileNotFoundError as error:
        raise Http404(_("The file's contents are missing from the storage.")) from error
    return FileResponse(
        blob, as_attachment=True, filename=file.filename, content_type=file.content_type
    )


@require_http_methods(["GET", "POST"])
def send_invoice(request, company_id, pk):
    company = get_object_or_404(m.Company, pk=company_id)
    invoice = get_object_or_404(
        m.SalesInvoice.objects.select_related("customer", "company"), company=company, pk=pk
    )
    if request.method == "POST":
        form = SendInvoiceForm(request.POST)
        if form.is_valid():
            try:
                email = do_send_invoice_email(company, invoice, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if email.status == Email.Status.SENT:
                    messages.success(
                        request,
                        _("The invoice was sent to %(to)s.")
                        % {"to": ", ".join(email.to_addresses.splitlines())},
                    )
                else:
                    messages.error(
                        request,
                        _(
                            "The email could not be sent: %(error)s. Check the mail server "
                            "settings and try again; the attempt is kept in Emails."
                        )
                        % {"error": email.error},
                    )
                return redirect("mail:email", company_id=company.pk, pk=email.pk)
    else:
        subject, body = default_subject_and_body(invoice)
        form = SendInvoiceForm(
            initial={"to": invoice.customer.email, "subject": subject, "body": body}
        )
    # Sending is something done to the invoice: its tab, Sales invoices, stays the active one.
    context = _context(company, active_tab="sales_invoice", form=form, invoice=invoice)
    return render(request, "mail/send_invoice.html", context)


@require_http_methods(["GET", "POST"])
def smtp_settings(request, company_id):
    company = get_object_or_404(m.Company, pk=company_id)
    instance = SmtpSettings.objects.filter(company=company).first()
    if request.method == "POST" and request.POST.get("remove"):
        do_delete_smtp_settings(company)
        messages.success(request, _("The company's mail server settings were removed."))
        return redirect("mail:settings", company_id=company.pk)
    form = SmtpSettingsForm(
        request.POST or None, instance=instance or SmtpSettings(company=company)
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_save_smtp_settings(company, form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The mail server settings were saved."))
            return redirect("mail:emails", company_id=company.pk)
    return render(
        request,
        "mail/settings.html",
        _context(company, form=form, saved=instance is not None),
    )
