"""Customers of the hosted service, their users, and which companies they own.

Not company data (see ``partida.backups.registry.NOT_COMPANY_DATA``): these rows describe the
service, and never travel in a backup.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partida.mail.secrets import EncryptedTextField


class Customer(models.Model):
    """A customer account: its users work in its companies while the subscription is active."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    active_until = models.DateField(
        _("active until"), help_text=_("The last day of the subscription.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    @property
    def expired(self) -> bool:
        """True from the day after ``active_until``, in the service's time zone."""
        return timezone.localdate() > self.active_until


class CustomerUser(models.Model):
    """A person who signs in for a customer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="customer_user",
        verbose_name=_("user"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="users", verbose_name=_("customer")
    )

    class Meta:
        verbose_name = _("customer's user")
        verbose_name_plural = _("customer's users")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.customer})"


class CompanyOwner(models.Model):
    """Which customer a company belongs to.

    The company is named by its key, without a foreign key, as a stored backup names it: the
    record outlives a deleted company, so its customer can still download the backups of it.
    (And so the books, which count every row that refers to a company, never count this one.)
    """

    company_id = models.UUIDField(_("company key"), unique=True)
    # A customer who still owns companies cannot be deleted by mistake.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="companies", verbose_name=_("customer")
    )

    class Meta:
        verbose_name = _("company's owner")
        verbose_name_plural = _("companies' owners")

    def __str__(self) -> str:
        return f"{self.company_id} ({self.customer})"

    @property
    def company(self):
        """The company, or None once it has been deleted."""
        from partida.books.models import Company

        return Company.objects.filter(pk=self.company_id).first()


class BackupPassphrase(models.Model):
    """The passphrase a customer chose for the automatic backups of their companies.

    The service must encrypt backups while nobody is signed in, so it keeps the passphrase,
    encrypted at rest under the service's secret key (``partida.mail.secrets``): it protects the
    files in the object store and every downloaded copy, not the books from the service itself,
    which holds them anyway. The portal says so.
    """

    customer = models.OneToOneField(
        Customer,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="backup_passphrase",
        verbose_name=_("customer"),
    )
    passphrase = EncryptedTextField(_("passphrase"))
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("backup passphrase")
        verbose_name_plural = _("backup passphrases")

    def __str__(self) -> str:
        return str(self.customer)
