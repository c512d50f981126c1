import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partida.settings")
application = get_wsgi_application()

from partida.startup import start_up_problem  # noqa: E402 (needs Django set up)

if problem := start_up_problem():
    raise SystemExit(problem)
