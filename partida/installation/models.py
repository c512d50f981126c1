"""What this database is: which edition of Partida it belongs to."""

from django.db import models
from django.utils import timezone


class Installation(models.Model):
    """The one row that says which edition the database belongs to (``partida.config``'s
    ``desktop`` or ``cloud``), recorded by the first command that works on it.

    Not company data. The two editions keep files in different places (the data folder, the
    object store), so a command of the other edition would write attachments where the rest of
    the installation never looks: ``editions.edition_problem`` refuses it.
    """

    ONLY = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONLY, editable=False)
    edition = models.CharField(max_length=10)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="installation_one_row")
        ]

    def __str__(self) -> str:
        return self.edition
