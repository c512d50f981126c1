"""The archive's one-sentence errors, in the user's language."""

from django.utils.translation import gettext

from partida.archive.errors import MESSAGES, ArchiveError

TRANSLATED_PARAMETERS = {"what"}


def archive_error_message(error: ArchiveError) -> str:
    """The error's sentence, translated; the archive marks its templates for translation."""
    template = error.template() if hasattr(error, "template") else MESSAGES[error.code]
    # A Manager.io refusal names what the business uses in words marked for translation too.
    params = {
        name: gettext(value) if name in TRANSLATED_PARAMETERS else value
        for name, value in error.params.items()
    }
    try:
        return gettext(template).format(**params)
    except (KeyError, IndexError, ValueError):
        return str(error)
