from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

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


class BackupPassphraseForm(forms.Form):
    """The passphrase of a customer's automatic backups, typed twice."""

    passphrase = forms.CharField(
        label=_("Passphrase"),
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    passphrase_again = forms.CharField(
        label=_("The same passphrase again"),
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        passphrase = data.get("passphrase")
        if passphrase and passphrase != data.get("passphrase_again"):
            self.add_error(
                "passphrase_again",
                _("The two passphrases differ: type the same passphrase in both boxes."),
            )
        return data
