"""The audit trail: every create, update and delete of a company record."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partida.books.models import CompanyOwned


class HistoryEntry(CompanyOwned):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    at = models.DateTimeField(_("when"), default=timezone.now)
    user_name = models.CharField(_("user"), max_length=200, blank=True)
    user_email = models.CharField(_("user email"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=6, choices=Action.choices)
    record_kind = models.CharField(_("kind of record"), max_length=32)
    record_id = models.UUIDField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["company", "-at"]),
            models.Index(fields=["record_kind", "record_id"]),
        ]
