"""The archive's one-sentence errors, in the user's language."""

from django.utils.translation import gettext

from partida.archive.errors import MESSAGES, ArchiveError


def archive_error_message(error: ArchiveError) -> str:
    """The error's sentence, translated; the archive marks its templates for translation."""
    template = error.template() if hasattr(error, "template") else MESSAGES[error.code]
    try:
        return gettext(template).format(**error.params)
    except (KeyError, IndexError, ValueError):
        return str(error)
