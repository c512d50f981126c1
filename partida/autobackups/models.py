"""The record of each automatic (or requested) backup kept in the object store."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partida.mail.secrets import EncryptedTextField


def in_folder() -> models.Q:
    """Backups written to a folder the person chose (their key is an absolute path), not to
    the store (the object store, or the data folder's for ``partida backups run-due``)."""
    return models.Q(storage_key__startswith="/") | models.Q(storage_key__regex=r"^[A-Za-z]:[\\/]")


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


def every_part() -> list[str]:
    return ["attachments", "emails", "history"]


class DesktopSchedule(models.Model):
    """The desktop edition's automatic backups: one row for the installation (``pk`` 1).

    While ``partida serve`` runs, every company is backed up to ``folder`` ``every`` day (every
    ``PARTIDA_BACKUP_EVERY_HOURS``) or when the server stops; each backup is a ``StoredBackup``
    whose ``storage_key`` is the absolute path of its file in the folder.
    """

    class Every(models.TextChoices):
        DAILY = "daily", _("Every day")
        CLOSING = "closing", _("When Partida is closed")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    enabled = models.BooleanField(_("make automatic backups"), default=False)
    every = models.CharField(_("when"), max_length=8, choices=Every.choices, default=Every.DAILY)
    folder = models.CharField(_("folder"), max_length=1024, blank=True)
    parts = models.JSONField(_("parts"), default=every_part, blank=True)
    #: Encrypts every backup (age, scrypt) when set; kept encrypted at rest (Fernet, under a key
    #: derived from the installation's secret key), since the backups run unattended.
    passphrase = EncryptedTextField(_("passphrase"), blank=True)
    keep_daily = models.PositiveIntegerField(_("daily backups kept"), default=7)
    keep_weekly = models.PositiveIntegerField(_("weekly backups kept"), default=4)
    keep_monthly = models.PositiveIntegerField(_("monthly backups kept"), default=12)
    #: When the settings were last saved: a backup that failed before then is tried again now.
    saved_at = models.DateTimeField(_("saved"), null=True, blank=True)
    #: When the backups were last switched on (for the Summary's notice).
    enabled_at = models.DateTimeField(_("switched on"), null=True, blank=True)
    #: Set while a server runs with backups "when Partida is closed", cleared once they ran:
    #: still set at the next start means they were missed (the server was killed).
    serving_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("automatic backup settings")
        verbose_name_plural = _("automatic backup settings")

    def __str__(self) -> str:
        return f"{self.get_every_display()} → {self.folder or '-'}"
