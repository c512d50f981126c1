"""Backup and import work in progress, so that a screen can show how far it has got.

Not company data: a job records an operation on this installation, not the books.
"""

import uuid

from django.db import models
from django.utils import timezone


class Job(models.Model):
    class Kind(models.TextChoices):
        BACKUP = "backup"
        IMPORT = "import"

    class State(models.TextChoices):
        WAITING = "waiting"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"  # refused, broken, or interrupted: ``error`` says which
        CANCELLED = "cancelled"

    ACTIVE = (State.WAITING, State.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=6, choices=Kind.choices)
    state = models.CharField(max_length=9, choices=State.choices, default=State.WAITING)
    company_id = models.UUIDField(null=True, blank=True)  # backed up, or made by the import
    file_name = models.CharField(max_length=255)  # what the user sees and downloads
    path = models.CharField(max_length=1024, blank=True)  # where the file is on disk
    options = models.JSONField(default=dict, blank=True)
    # Progress, as the cloud edition keeps it (the desktop keeps it in the job's work folder).
    phase = models.CharField(max_length=20, blank=True)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    # The cloud edition's lease: a running job whose worker stopped renewing it was interrupted.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The cloud edition's customer who asked for it (a key, so backups never import the cloud):
    # nobody else may see the job or its file. Empty on the desktop edition.
    owner = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))
