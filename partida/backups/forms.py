from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from partida.backups.export import EXTENSION, safe_file_stem


class BackupForm(forms.Form):
    file_name = forms.CharField(
        label=_("File name"),
        max_length=200,
        help_text=_("The backup downloads under this name. It always ends in .manager."),
    )
    attachments = forms.BooleanField(
        label=_("Attachments"),
        required=False,
        initial=True,
        help_text=_("Files attached to transactions: receipts, invoices, supporting documents."),
    )
    emails = forms.BooleanField(
        label=_("Emails"),
        required=False,
        initial=True,
        help_text=_("Every email sent from the program, with what was sent with it."),
    )
    history = forms.BooleanField(
        label=_("History"),
        required=False,
        initial=True,
        help_text=_("The audit trail: every change, who made it and when."),
    )

    def clean_file_name(self) -> str:
        name = self.cleaned_data["file_name"].strip()
        if name.lower().endswith(EXTENSION):
            name = name[: -len(EXTENSION)]
        return safe_file_stem(name) + EXTENSION


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Backup file"),
        help_text=_("A .manager file made by Partida's Backup button, from any edition."),
        widget=forms.ClearableFileInput(attrs={"accept": ".manager"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PARTIDA_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("This file is %(size)s; backups up to %(limit)s can be imported here.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class ConfirmImportForm(forms.Form):
    new_name = forms.CharField(
        label=_("Name of the new company"),
        max_length=200,
        help_text=_(
            "Import always creates a new company; your existing companies stay as they are."
        ),
    )
