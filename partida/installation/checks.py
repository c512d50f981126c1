"""The installation's start-up check (``partida.startup``)."""

from django.core import checks

from partida.installation.editions import edition_problem
from partida.startup import START_UP


@checks.register(START_UP)
def check_edition(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """This process runs the edition the database belongs to."""
    problem = edition_problem()
    return [checks.Critical(problem, id="partida.installation.E001")] if problem else []
