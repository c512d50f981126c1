from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partida.mail.models import SmtpSettings


class SendInvoiceForm(forms.Form):
    to = forms.CharField(
        # "To" of an email: "Para" in Spanish, not the "Hasta" of a period.
        label=pgettext_lazy("email", "To"),
        max_length=2000,
        help_text=_("Separate several addresses with commas."),
        widget=forms.TextInput(attrs={"autocomplete": "email", "size": 60}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=500)
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 10, "cols": 70})
    )


class SmtpSettingsForm(forms.ModelForm):
    password = forms.CharField(
        # Written as the model's other fields are labelled: its name, with a capital.
        label=capfirst(_("password")),
        required=False,
        strip=False,
        max_length=255,
        # Never sent back to the browser: an empty field keeps the saved password.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the saved password."),
    )

    class Meta:
        model = SmtpSettings
        fields = ["host", "port", "security", "username", "password", "from_address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_password = self.instance.password if self.instance.pk else ""

    def clean_password(self):
        return self.cleaned_data.get("password") or self.saved_password
