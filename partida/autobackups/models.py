"""The record of each automatic (or requested) backup kept in the object store."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoredBackup(models.Model):
    """An automatic (or requested) backup of a company, kept in the object store.

    Not company data: the record of a file in the store. It names the company by its key with no
    foreign key, so a stored backup outlives its company. Only a ``verified`` backup counts: it
    was written, uploaded, read back from the store and checked. ``heartbeat_at`` is the lease
    of the worker running it; a running backup whose heartbeat is older than the lease is taken
    over by another worker.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        VERIFIED = "verified", _("verified")
        FAILED = "failed", _("failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("schedule")
        REQUEST = "request", _("request")

    IN_PROGRESS = (State.QUEUED, State.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(_("company key"), db_index=True)
    company_name = models.CharField(_("company"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    trigger = models.CharField(
        _("trigger"), max_length=8, choices=Trigger.choices, default=Trigger.SCHEDULE
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    parts = models.JSONField(_("parts"), default=list, blank=True)
    size = models.BigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    storage_key = models.CharField(_("storage key"), max_length=1024, blank=True)
    error = models.TextField(_("failure reason"), blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stored backup")
        verbose_name_plural = _("stored backups")
        indexes = [models.Index(fields=["company_id", "state", "created_at"])]
        constraints = [
            # The database itself refuses a second backup in progress for one company.
            models.UniqueConstraint(
                fields=["company_id"],
                condition=models.Q(state__in=["queued", "running"]),
                name="backups_one_in_progress_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_name} {self.created_at:%Y-%m-%d %H:%M} ({self.state})"

    @property
    def verified(self) -> bool:
        return self.state == self.State.VERIFIED
