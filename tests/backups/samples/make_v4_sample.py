"""Make ``v4.manager``, the committed sample of format version 4, and ``v4.expected.json``.

Run once, when the sample is created, in a data folder of its own::

    PARTIDA_HOME=$(mktemp -d) python -m tests.backups.samples.make_v4_sample

Version 4 adds the books' figures to the manifest, and nothing to the tables: the sample is
version 3's company (imported from ``v3.manager``) backed up again, so that its manifest
records the trial balance, the documents and the balance sheet of books that use everything
version 3 added. ``v4.expected.json`` lists, besides what ``v3.expected.json`` does, those
figures by account code (``figures_by_code``), as an imported sample must give them. Do NOT
run it again with a newer Partida: the sample is there so that later versions keep importing
version 4 as it was written.
"""

import json
import os
from pathlib import Path

HERE = Path(__file__).parent


def figures_by_code(company) -> dict:
    """The company's figures with its accounts named by code rather than by key (keys change
    on every import)."""
    from partida.backups.figures import company_figures
    from partida.books import models as m

    figures = company_figures(company.pk).to_dict()
    codes = {
        str(key): code
        for key, code in m.Account.objects.filter(company=company).values_list("id", "code")
    }
    figures["accounts"] = dict(
        sorted((codes[key], totals) for key, totals in figures["accounts"].items())
    )
    return figures


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partida.settings")
    from partida.cli import migrate, row_counts, setup_django

    setup_django()
    migrate()
    from partida.backups.export import backup_to_file
    from partida.backups.importer import do_import_company
    from partida.backups.registry import OPTIONAL_PARTS
    from partida.books.summary import summarize
    from tests.backups.samples.make_v3_sample import real_books

    company = do_import_company(HERE / "v3.manager")
    backup_to_file(company, HERE / "v4.manager", set(OPTIONAL_PARTS))
    expected = {
        "counts": dict(sorted(row_counts(company).items())),
        "summary": summarize(company).as_json(),
        "figures_by_code": figures_by_code(company),
        **real_books(company),
    }
    text = json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    (HERE / "v4.expected.json").write_text(text)


if __name__ == "__main__":
    main()
