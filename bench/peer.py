"""Django's own peer of a backup, and small helpers that need Django.

    python -m bench.peer dump COMPANY_KEY OUT.json   # dumpdata of exactly that company's rows
    python -m bench.peer load IN.json                # loaddata into this (empty) database
    python -m bench.peer create-empty NAME           # a new company with no transactions
    python -m bench.peer key NAME                    # the key of the company named NAME
    python -m bench.peer rebuild-days COMPANY_KEY    # the Summary's daily totals, made again

``dump`` is what ``manage.py dumpdata`` does, restricted to one company: the querysets of
every table in the backup registry, filtered by company, serialised by ``django.core.serializers``
to one JSON file, streamed (model instances fetched in chunks). ``load`` is
``manage.py loaddata`` itself.
"""

import itertools
import sys


def setup() -> None:
    import django

    django.setup()


def company_objects(company_key: str):
    from partida.backups.registry import TABLES

    querysets = []
    for table in TABLES:
        model = table.model
        if table.name == "company":
            queryset = model.objects.filter(pk=company_key)
        else:
            queryset = model.objects.filter(company_id=company_key)
        querysets.append(queryset.order_by("pk").iterator(chunk_size=2000))
    return itertools.chain.from_iterable(querysets)


def dump(company_key: str, path: str) -> None:
    from django.core import serializers

    from partida.books.models import Company

    Company.objects.get(pk=company_key)
    with open(path, "w", encoding="utf-8") as stream:
        serializers.serialize("json", company_objects(company_key), stream=stream)


def load(path: str) -> None:
    from django.core.management import call_command

    call_command("loaddata", path, verbosity=0)


def create_empty(name: str) -> None:
    from partida.books.actions import do_create_company

    print(do_create_company(name).pk)


def key(name: str) -> None:
    from partida.books.models import Company

    print(Company.objects.get(name=name).pk)


def rebuild_days(company_key: str) -> None:
    """The daily totals the Summary reads, for a demo cached before they existed."""
    from django.db import transaction

    from partida.books.posting import rebuild_account_days

    migrate()
    with transaction.atomic():
        rebuild_account_days(company_key)


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(argv: list[str]) -> int:
    setup()
    command, *args = argv
    actions = {
        "dump": dump,
        "load": load,
        "create-empty": create_empty,
        "key": key,
        "migrate": migrate,
        "rebuild-days": rebuild_days,
    }
    actions[command](*args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
