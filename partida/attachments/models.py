"""Files attached to transactions, stored once per content (SHA-256) through Django's storage."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partida.books.models import CompanyOwned


class Attachment(CompanyOwned):
    """A file attached to one record; ``target_kind`` names the kind of record (``receipt``...).

    The bytes live in the default storage under ``blob_path(sha256)``; two attachments with the
    same content share one stored file.
    """

    target_kind = models.CharField(max_length=32)
    target_id = models.UUIDField()
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "filename"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [
            models.Index(fields=["target_kind", "target_id"]),
            models.Index(fields=["sha256"]),
        ]

    def __str__(self) -> str:
        return self.filename
