from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from partida.backups.export import EXTENSION, safe_file_stem


def new_passphrase_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class NewPassphraseForm(forms.Form):
    """A new passphrase typed twice: the Backup dialog's, the automatic backups' (desktop
    settings, cloud portal). ``clean_new_passphrase`` checks the two boxes."""

    passphrase = new_passphrase_field(_("Passphrase"))
    passphrase_again = new_passphrase_field(_("The same passphrase again"))

    missing_passphrase = _("Type the passphrase to encrypt the backup with.")

    def clean_new_passphrase(self, data: dict, kept: str = "") -> None:
        """``data["passphrase"]`` becomes the one typed twice, or ``kept`` when both boxes are
        left empty; otherwise the form gets the error that says what to type."""
        passphrase = data.get("passphrase") or ""
        if not passphrase and not data.get("passphrase_again") and kept:
            data["passphrase"] = kept
        elif not passphrase:
            self.add_error("passphrase", self.missing_passphrase)
        elif passphrase != data.get("passphrase_again"):
            self.add_error(
                "passphrase_again",
                _("The two passphrases differ: type the same passphrase in both boxes."),
            )


class BackupPartsForm(NewPassphraseForm):
    """The optional parts of a backup, ticked by default, and a new passphrase: the Backup
    dialog's and the automatic backups' settings."""

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

    #: The optional parts, in the order the screens list them.
    PARTS = ("attachments", "emails", "history")

    def parts(self) -> list[str]:
        return [part for part in self.PARTS if self.cleaned_data.get(part)]


class BackupForm(BackupPartsForm):
    file_name = forms.CharField(
        label=_("File name"),
        max_length=200,
        help_text=_("The backup downloads under this name. It always ends in .manager."),
    )
    encrypt = forms.BooleanField(
        label=_("Encrypt with a passphrase"),
        required=False,
        initial=False,
        help_text=_(
            "Only someone who knows the passphrase can open the file; the standard age tool "
            "opens it too."
        ),
    )

    def clean(self):
        data = super().clean()
        if not data.get("encrypt"):
            data["passphrase"] = ""
            return data
        self.clean_new_passphrase(data)
        return data

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


class PassphraseForm(forms.Form):
    passphrase = forms.CharField(
        label=_("Passphrase"),
        strip=False,
        max_length=1000,
        help_text=_("The passphrase typed when the backup was made."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class ConfirmImportForm(forms.Form):
    new_name = forms.CharField(
        label=_("Name of the new company"),
        max_length=200,
        help_text=_(
            "Import always creates a new company; your existing companies stay as they are."
        ),
    )
