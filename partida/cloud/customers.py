"""Customer accounts: plain functions behind ``partida customers`` and the admin."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from partida.cloud.models import Customer, CustomerUser

MINIMUM_PASSWORD_LENGTH = 8


def normal_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    email = normal_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("“%(email)s” is not an email address: write it as name@example.com.")
            % {"email": email}
        ) from None
    return email


def check_password(password: str, user=None) -> None:
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        raise ValidationError(
            _("The password is too short: give at least %(count)d characters.")
            % {"count": MINIMUM_PASSWORD_LENGTH}
        )
    validate_password(password, user)


def check_new_account(email: str, password: str) -> str:
    """The email of a new account, normalised; ValidationError if it is taken or the password
    is too weak."""
    email = check_email(email)
    User = get_user_model()
    if (
        User.objects.filter(username__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError(
            _("There is already an account with the email %(email)s.") % {"email": email}
        )
    check_password(password)
    return email


def find_customer_user(email: str) -> CustomerUser:
    email = normal_email(email)
    link = (
        CustomerUser.objects.select_related("customer", "user")
        .filter(user__email__iexact=email)
        .first()
    )
    if link is None:
        raise ValidationError(
            _(
                "No customer has a user with the email %(email)s. "
                "`partida customers list` lists them."
            )
            % {"email": email}
        )
    return link


@transaction.atomic
def do_add_customer(
    email: str, password: str, active_until: datetime.date, name: str | None = None
) -> Customer:
    """A new customer with one user, who signs in with ``email`` and ``password``."""
    email = check_new_account(email, password)
    name = (name or "").strip() or email
    customer = Customer.objects.create(name=name, active_until=active_until)
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    CustomerUser.objects.create(user=user, customer=customer)
    return customer


def do_add_staff(email: str, password: str):
    """A member of staff: signs in to the administration screen (``/admin/``) with ``email``
    and ``password``, sees every customer, and belongs to none (so has no portal)."""
    email = check_new_account(email, password)
    return get_user_model().objects.create_superuser(username=email, email=email, password=password)


def do_set_active_until(email: str, active_until: datetime.date) -> Customer:
    """Move the end of the subscription of the customer that ``email`` signs in for."""
    customer = find_customer_user(email).customer
    customer.active_until = active_until
    customer.save(update_fields=["active_until"])
    return customer
