"""``partida backup``, ``inspect``, ``verify`` and ``import``: the backup engine for scripts."""

import argparse
import getpass
import os
import tempfile
from pathlib import Path

from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, pgettext

from partida.archive.encryption import Passphrase, check_header, is_encrypted
from partida.archive.errors import ArchiveError
from partida.archive.writer import Progress
from partida.backups.export import EXTENSION, backup_to_file, default_backup_name, parts_from
from partida.backups.figures import file_figures
from partida.backups.from_manager import (
    describe_manager_business,
    do_import_manager_file,
    read_checked_business,
)
from partida.backups.importer import do_import_company, open_backup
from partida.backups.messages import archive_error_message
from partida.backups.preview import PART_LABELS, describe_json
from partida.backups.progress import phase_label, work
from partida.backups.work_folders import WorkFolder
from partida.books.numbers import format_count, format_day
from partida.cli import CliError, ProgressLine, find_company, print_json, print_table, subcommand
from partida.managerio.reader import business_name_of, is_manager_file


def progress_printer(stage: str):
    line = ProgressLine()

    def report(progress: Progress) -> None:
        line(stage, *work(progress))

    return report


def archive_failure(error: ArchiveError) -> CliError:
    return CliError(archive_error_message(error))


def add_backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "company",
        metavar=pgettext("command-line argument", "company"),
        help=gettext("The company's name or key."),
    )
    parser.add_argument(
        "-o",
        "--output",
        help=gettext("The file or folder to write (default: “<company> (<date>).manager” here)."),
    )
    parser.add_argument(
        "--no-attachments", action="store_true", help=gettext("Leave out attachments.")
    )
    parser.add_argument("--no-emails", action="store_true", help=gettext("Leave out emails."))
    parser.add_argument("--no-history", action="store_true", help=gettext("Leave out the history."))
    parser.add_argument(
        "--encrypt",
        action="store_true",
        help=gettext(
            "Encrypt the backup with a passphrase (age), typed twice at the terminal or taken "
            "from PARTIDA_BACKUP_PASSPHRASE. A lost passphrase cannot be recovered."
        ),
    )


#: The environment variable a script gives a backup's passphrase in (never an argument, which
#: other users of the machine can read in the list of processes).
PASSPHRASE_VARIABLE = "PARTIDA_BACKUP_PASSPHRASE"


def read_passphrase(confirm: bool) -> str:
    """The passphrase from ``PARTIDA_BACKUP_PASSPHRASE``, else typed at the terminal (twice when
    ``confirm``), never echoed."""
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given is not None:
        if not given:
            raise CliError(
                gettext("%(variable)s is empty: set it to the backup's passphrase.")
                % {"variable": PASSPHRASE_VARIABLE}
            )
        return given
    try:
        os.close(os.open("/dev/tty", os.O_RDWR))
    except OSError:
        raise CliError(
            gettext("There is no terminal to type the passphrase at: set %(variable)s to it.")
            % {"variable": PASSPHRASE_VARIABLE}
        ) from None
    passphrase = getpass.getpass(gettext("Passphrase: "))
    if not passphrase:
        raise CliError(gettext("The passphrase cannot be empty."))
    if confirm and getpass.getpass(gettext("The same passphrase again: ")) != passphrase:
        raise CliError(
            gettext("The two passphrases differ: nothing was written. Type the same one twice.")
        )
    return passphrase


def passphrase_for(path: Path) -> Passphrase | None:
    """None for a plain backup; for an encrypted one, its passphrase, asked for once the file
    is known to be one a passphrase opens."""
    with open(path, "rb") as f:
        if not is_encrypted(f.read(64)):
            return None
        f.seek(0)
        try:
            check_header(f)
        except ArchiveError as error:
            raise archive_failure(error) from None
    return Passphrase(read_passphrase(confirm=False))


def output_path(company, output: str | None) -> Path:
    if output is None:
        return Path.cwd() / default_backup_name(company.name)
    path = Path(output).expanduser()
    if path.is_dir():
        return path / default_backup_name(company.name)
    if not path.parent.is_dir():
        raise CliError(
            gettext("The folder %(folder)s does not exist: create it or choose another.")
            % {"folder": path.parent}
        )
    return path


@subcommand("backup", gettext_lazy("Back up a company to a .manager file."), add_backup_arguments)
def backup(args: argparse.Namespace) -> int:
    company = find_company(args.company)
    path = output_path(company, args.output)
    parts = parts_from(
        attachments=not args.no_attachments, emails=not args.no_emails, history=not args.no_history
    )
    passphrase = read_passphrase(confirm=True) if args.encrypt else None
    try:
        with WorkFolder() as work:
            # A backup killed midway leaves its partial file: the next start removes it.
            work.note("partial", str(path.parent / f".{path.name}."))
            backup_to_file(
                company,
                path,
                parts,
                progress=progress_printer(gettext("Writing")),
                passphrase=passphrase,
            )
    except ArchiveError as error:
        raise archive_failure(error) from None
    except OSError as error:
        raise CliError(
            gettext("The backup could not be written to %(path)s (%(error)s): nothing was kept.")
            % {"path": path, "error": error.strerror or error}
        ) from None
    print(path)
    return 0


def add_file_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar=pgettext("command-line argument", "file"),
        help=gettext("A .manager backup file."),
    )


def existing_file(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_file():
        raise CliError(gettext("There is no file %(path)s.") % {"path": path})
    if not os.access(path, os.R_OK):
        raise CliError(
            gettext("The file %(path)s cannot be read: check its permissions.") % {"path": path}
        )
    return path


def inspect_manager_business(path: Path, as_json: bool) -> int:
    """What a Manager.io business holds and what of it will not come across, as Import
    company's preview shows it."""
    try:
        with tempfile.TemporaryDirectory(prefix="partida-manager-") as folder:
            business = read_checked_business(path, folder)
            business.file_name = business_name_of(path.name)
            preview = describe_manager_business(business)
    except ArchiveError as error:
        raise archive_failure(error) from None
    first, last = preview["first_date"], preview["last_date"]
    if as_json:
        print_json(
            {
                "source": "Manager.io",
                "business": {"name": preview["name"], "base_currency": preview["currency"]},
                "first_date": first.isoformat() if first else None,
                "last_date": last.isoformat() if last else None,
                "counts": {row["kind"]: row["count"] for row in preview["counts"]},
                "left_out": {str(row["label"]): row["count"] for row in preview["left_out"]},
            }
        )
        return 0
    dates = (
        gettext("from %(first)s to %(last)s")
        % {"first": format_day(first), "last": format_day(last)}
        if first
        else gettext("none")
    )
    print_table(
        [
            [gettext("Business"), f"{preview['name']} ({preview['currency']})"],
            [gettext("Transactions"), dates],
        ]
    )
    print()
    print_table(
        [[capfirst(str(row["label"])), format_count(row["count"])] for row in preview["counts"]],
        right={1},
    )
    if preview["left_out"]:
        print()
        print(gettext("Will not come across"))
        print_table(
            [
                [capfirst(str(row["label"])), format_count(row["count"])]
                for row in preview["left_out"]
            ],
            right={1},
        )
    return 0


def add_inspect_arguments(parser: argparse.ArgumentParser) -> None:
    add_file_argument(parser)
    parser.add_argument("--json", action="store_true", help=gettext("Print JSON."))


@subcommand(
    "inspect",
    gettext_lazy("Show what a backup holds, without importing it."),
    add_inspect_arguments,
)
def inspect(args: argparse.Namespace) -> int:
    path = existing_file(args.file)
    if is_manager_file(path):
        return inspect_manager_business(path, args.json)
    try:
        manifest = open_backup(path, passphrase=passphrase_for(path)).manifest
    except ArchiveError as error:
        raise archive_failure(error) from None
    description = describe_json(manifest)
    if args.json:
        print_json(description)
        return 0
    yes, no = gettext("yes"), gettext("no")
    print_table(
        [
            [gettext("Company"), f"{manifest.company.name} ({manifest.company.base_currency})"],
            [gettext("Made"), made_text(manifest.created_at)],
            [
                gettext("By"),
                gettext("Partida %(version)s, format version %(format)s")
                % {"version": manifest.app_version, "format": manifest.format_version},
            ],
        ]
        + [
            [gettext(part.capitalize()), yes if included else no]
            for part, included in description["parts"].items()
        ]
    )
    print()
    rows = [
        [table_plural(name), format_count(count)]
        for name, count in manifest.tables.items()
        if name != "company"
    ]
    files = gettext("%(count)s (%(bytes)s bytes)") % {
        "count": format_count(manifest.attachment_count),
        "bytes": format_count(manifest.attachment_bytes),
    }
    rows.append([capfirst(gettext("files")), files])
    print_table(rows, right={1})
    print_balance_sheet(manifest)
    return 0


def print_balance_sheet(manifest) -> None:
    """The balance sheet's totals the file records, which an import restores (or refuses)."""
    from partida.books.numbers import format_money

    print()
    if manifest.figures is None:
        print(
            gettext(
                "Backups of format version %(version)s do not record the figures of their books."
            )
            % {"version": manifest.format_version}
        )
        return
    sheet, currency = manifest.figures.balance_sheet, manifest.company.base_currency
    print(gettext("Balance sheet it will restore"))
    print_table(
        [
            [gettext("Assets"), format_money(sheet.assets, currency)],
            [gettext("Liabilities"), format_money(sheet.liabilities, currency)],
            [gettext("Equity"), format_money(sheet.equity, currency)],
            [
                gettext("Profit to date not yet closed"),
                format_money(sheet.current_earnings, currency),
            ],
        ],
        right={1},
    )


def made_text(moment) -> str:
    """When a backup was made, in this installation's time zone, as the language writes it."""
    from django.utils import formats, timezone

    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def table_plural(name: str) -> str:
    """A backup's table by the plural name of its records: "Facturas de venta"."""
    from partida.backups.registry import TABLES

    models = {table.name: table.model for table in TABLES}
    model = models.get(name)
    return capfirst(str(model._meta.verbose_name_plural)) if model is not None else name


def parts_held(manifest) -> str:
    """Which parts a backup holds, in words: "the books, attachments, emails and history"."""
    held = [gettext("the books")] + [
        str(label).lower() for part, label in PART_LABELS.items() if getattr(manifest.parts, part)
    ]
    if len(held) == 1:
        return gettext("the books only (no attachments, emails or history)")
    return gettext("%(some)s and %(last)s") % {"some": ", ".join(held[:-1]), "last": held[-1]}


@subcommand(
    "verify",
    gettext_lazy(
        "Read a whole backup, check every checksum and work out its books from its rows alone; "
        "exit status 0 only if intact and the books match the figures recorded in it."
    ),
    add_inspect_arguments,
)
def verify(args: argparse.Namespace) -> int:
    path = existing_file(args.file)
    try:
        reader = open_backup(
            path,
            progress=progress_printer(gettext("Checking")),
            passphrase=passphrase_for(path),
            convert=False,
        )
        books = file_figures(reader)
    except ArchiveError as error:
        raise archive_failure(error) from None
    manifest = books.manifest
    if args.json:
        print_json(verified_json(path, books))
        return 0
    # The figures first; the verdict last, where a person (or a script) looks for it.
    print_figures(books.found, manifest.company.base_currency)
    print()
    if books.recorded is not None:
        print(
            gettext(
                "The books in this file balance and match the figures recorded when it was made."
            )
        )
    else:
        print(
            gettext(
                "The books in this file balance; format version %(version)s does not record "
                "their figures, so there were none to compare them with."
            )
            % {"version": manifest.format_version}
        )
    print(
        gettext("%(file)s is intact: a backup of “%(company)s” with %(parts)s.")
        % {"file": path.name, "company": manifest.company.name, "parts": parts_held(manifest)}
    )
    return 0


def print_figures(figures, currency: str) -> None:
    """The books' figures as a person reads them: the trial balance's totals, the balance
    sheet, and each kind of document."""
    from partida.backups.figures import DOCUMENT_NAMES
    from partida.books.numbers import format_money

    sheet = figures.balance_sheet
    print_table(
        [
            [gettext("Accounts with movements"), format_count(len(figures.accounts))],
            [gettext("Debit"), format_money(figures.debit, currency)],
            [gettext("Credit"), format_money(figures.credit, currency)],
            [gettext("Assets"), format_money(sheet.assets, currency)],
            [gettext("Liabilities"), format_money(sheet.liabilities, currency)],
            [gettext("Equity"), format_money(sheet.equity, currency)],
            [
                gettext("Profit to date not yet closed"),
                format_money(sheet.current_earnings, currency),
            ],
        ],
        right={1},
    )
    print()
    rows = [[gettext("Kind of document"), gettext("Number"), gettext("Posted")]]
    for kind, totals in figures.documents.items():
        rows.append(
            [
                capfirst(gettext(DOCUMENT_NAMES.get(kind, kind))),
                format_count(totals.count),
                format_money(totals.debit, currency),
            ]
        )
    print_table(rows, right={1, 2})


def verified_json(path: Path, books) -> dict:
    """What ``verify --json`` prints: the file is intact (else it exits with an error), and
    the figures its rows give; ``figures_recorded`` false for a version that records none."""
    found = books.found
    return {
        "file": path.name,
        "intact": True,
        "format_version": books.manifest.format_version,
        "company": describe_json(books.manifest)["company"],
        "balanced": True,
        "figures_recorded": books.recorded is not None,
        "figures_match": True if books.recorded is not None else None,
        "figures": {
            "account_count": len(found.accounts),
            "debit": str(found.debit),
            "credit": str(found.credit),
            **found.to_dict(),
        },
    }


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    add_file_argument(parser)
    parser.add_argument("--name", help=gettext("The new company's name (default: the backup's)."))


@subcommand(
    "import",
    gettext_lazy("Restore a backup as a new company (existing companies are never touched)."),
    add_import_arguments,
)
def import_(args: argparse.Namespace) -> int:
    path = existing_file(args.file)
    if args.name is not None and not args.name.strip():
        raise CliError(gettext("The new company's name cannot be empty."))
    line = ProgressLine()
    try:
        if is_manager_file(path):
            print(do_import_manager_file(path, new_name=args.name).name)
            return 0
        passphrase = passphrase_for(path)
        company = do_import_company(
            path,
            new_name=args.name,
            progress=lambda phase, done, total: line(phase_label(phase).rstrip("…"), done, total),
            passphrase=passphrase,
        )
    except ArchiveError as error:
        raise archive_failure(error) from None
    print(company.name)
    return 0


__all__ = ["EXTENSION"]
