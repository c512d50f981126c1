"""Emails sent from the program, kept with their attachments, and per-company SMTP settings."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partida.books.models import Company, CompanyOwned
from partida.mail.secrets import EncryptedTextField


class Email(CompanyOwned):
    class Status(models.TextChoices):
        SENT = "sent", _("Delivered to the mail server")
        FAILED = "failed", _("Not delivered")

    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    from_address = models.CharField(_("from"), max_length=254)
    to_addresses = models.TextField(_("to"), help_text=_("One address per line."))
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("body"), blank=True)
    about_kind = models.CharField(max_length=32, blank=True)
    about_id = models.UUIDField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [models.Index(fields=["company", "sent_at"])]

    def __str__(self) -> str:
        return self.subject


class EmailAttachment(CompanyOwned):
    """A file sent with an email; its bytes are stored like any attachment, by SHA-256."""

    email = models.ForeignKey(Email, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["filename"]
        indexes = [models.Index(fields=["sha256"])]
        verbose_name = _("emailed file")
        verbose_name_plural = _("emailed files")


class SmtpSettings(models.Model):
    """A company's own mail server. Not company data for backups: it holds a password."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, primary_key=True, related_name="smtp_settings"
    )
    host = models.CharField(_("SMTP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=587)
    username = models.CharField(_("user name"), max_length=255, blank=True)
    # Encrypted at rest: the database and its dumps never hold the password in plain text.
    password = EncryptedTextField(_("password"), blank=True)
    security = models.CharField(
        _("security"),
        max_length=8,
        choices=[("starttls", "STARTTLS"), ("ssl", "SSL/TLS"), ("none", _("None"))],
        default="starttls",
    )
    from_address = models.EmailField(_("send from"))

    class Meta:
        verbose_name = _("mail server settings")
        verbose_name_plural = _("mail server settings")

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"
