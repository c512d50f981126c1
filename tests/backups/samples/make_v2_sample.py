"""Make ``v2.manager``, the committed sample of format version 2, and ``v2.expected.json``.

Run once, when the sample is created, in a data folder of its own::

    PARTIDA_HOME=$(mktemp -d) python -m tests.backups.samples.make_v2_sample

It imports the version 1 sample, fills in the company's details (what version 2 adds) and
writes the company's backup as Partida does. Do NOT run it again with a newer Partida: the
sample is there so that later versions keep importing version 2 as it was written.
"""

import json
import os
from pathlib import Path

HERE = Path(__file__).parent

#: The details the sample's company carries, as ``v2.expected.json`` lists them.
DETAILS = {
    "legal_name": "Ferretería Núñez, S.L.",
    "tax_id": "B12345674",
    "street": "Calle Mayor 7, bajo",
    "postcode": "28013",
    "city": "Madrid",
    "province": "Madrid",
    "country": "España",
    "email": "facturas@ferreteria-nunez.example",
    "phone": "+34 910 000 000",
    "payment_terms_days": 30,
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partida.settings")
    from partida.cli import migrate, row_counts, setup_django

    setup_django()
    migrate()
    from partida.backups.export import backup_to_file
    from partida.backups.importer import do_import_company
    from partida.backups.registry import OPTIONAL_PARTS
    from partida.books.actions import do_update_company
    from partida.books.summary import summarize

    company = do_import_company(HERE / "v1.manager")
    do_update_company(company, **DETAILS)
    backup_to_file(company, HERE / "v2.manager", set(OPTIONAL_PARTS))
    expected = {
        "company": DETAILS,
        "counts": dict(sorted(row_counts(company).items())),
        "summary": summarize(company).as_json(),
    }
    (HERE / "v2.expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
