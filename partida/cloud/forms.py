from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from partida.backups.forms import NewPassphraseForm
from partida.cloud.models import CustomerUser


class SignInForm(AuthenticationForm):
    """Email and password of a customer's user."""

    username = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That email and password do not match an account. Check them and try again."
        ),
        "not_customer": _(
            "This account is not a customer's account: staff sign in to the administration "
            "screen instead."
        ),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not CustomerUser.objects.filter(user=user).exists():
            raise forms.ValidationError(self.error_messages["not_customer"], code="not_customer")


class BackupPassphraseForm(NewPassphraseForm):
    """The passphrase of a customer's automatic backups, typed twice."""

    missing_passphrase = _("Type the passphrase to encrypt the backups with.")

    def clean(self):
        data = super().clean()
        self.clean_new_passphrase(data)
        return data
