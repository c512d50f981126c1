"""One measure of how far a backup or an import has got, for bars and progress lines."""

from django.utils.translation import gettext_lazy as _

from partida.archive.writer import Progress

# What one row weighs against one byte of attachment: about its size in the file.
ROW_WEIGHT = 200

#: What each phase of a job is called on the screens and the command line.
PHASE_LABELS = {
    "checking": _("Checking the backup…"),
    "importing": _("Importing…"),
    "attachments": _("Storing attachments…"),
    "saving": _("Saving the company…"),
    "writing": _("Writing the backup…"),
}


def work(progress: Progress) -> tuple[int, int]:
    """(done, total), weighing rows against bytes so that neither stalls the bar."""
    done = progress.rows_done * ROW_WEIGHT + progress.bytes_done
    total = progress.rows_total * ROW_WEIGHT + progress.bytes_total
    return done, max(total, done)


def phase_label(phase: str) -> str:
    return str(PHASE_LABELS.get(phase, PHASE_LABELS["importing"]))
