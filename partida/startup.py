"""Checks every ``partida`` command and the web server run before they start.

An app registers one with Django's check framework under the ``START_UP`` tag (the cloud edition
checks that its object store takes files). The first serious problem stops start-up with its
sentence, before anything is migrated, cleaned up or served.
"""

START_UP = "partida-start"


def start_up_problem() -> str | None:
    """The sentence of the first serious start-up problem, or None when all is well."""
    from django.core.checks import run_checks

    for message in run_checks(tags=[START_UP]):
        if message.is_serious():
            return str(message.msg)
    return None
