"""The ``partida`` command: a thin layer over plain functions.

Every subcommand is registered in ``SUBCOMMANDS`` with ``@subcommand``: a function that takes
the parsed arguments, and a function that adds its arguments to its parser. To add one, either
write it here, or write it in your app's ``cli.py`` (found in every installed app of Partida's)::

    def add_backup_arguments(parser):
        parser.add_argument("company")

    @subcommand("backup", gettext_lazy("Back up a company to a .manager file."),
                add_backup_arguments)
    def backup(args):
        company = find_company(args.company)
        ...

A subcommand reports bad input by raising ``CliError`` with one sentence (or a Django
``ValidationError``): ``main`` prints it on stderr and exits with status 1. Django is set up,
and the database migrated, before any subcommand runs, so the command works on a new data
folder or an empty database.
"""

import argparse
import contextlib
import datetime
import importlib
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy, pgettext

from partida.books.numbers import format_count, format_number

#: The module in which an app keeps its own subcommands (``partida/<app>/cli.py``).
COMMAND_MODULE = "cli"


class CliError(Exception):
    """Bad input or a failed request: one sentence for the person at the terminal."""


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: object  # a lazy translation, made a string once the language is chosen
    run: Callable[[argparse.Namespace], int | None]
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(name: str, help, add_arguments=None):
    """Register the decorated function as ``partida NAME``."""

    def register(run):
        SUBCOMMANDS[name] = Subcommand(name, help, run, add_arguments)
        return run

    return register


# Helpers for subcommands


def find_company(text: str):
    """The company named exactly ``text``, or whose key is ``text``."""
    from partida.books.models import Company

    text = text.strip()
    try:
        key = uuid.UUID(text)
    except ValueError:
        key = None
    if key is not None:
        company = Company.objects.filter(pk=key).first()
        if company is None:
            raise CliError(
                gettext("No company has the key %(key)s. `partida companies` lists them.")
                % {"key": key}
            )
        return company
    matches = list(Company.objects.filter(name=text).order_by("created_at", "id"))
    if not matches:
        raise CliError(
            gettext("No company is named “%(name)s”. `partida companies` lists them.")
            % {"name": text}
        )
    if len(matches) > 1:
        keys = ", ".join(str(company.pk) for company in matches)
        raise CliError(
            gettext(
                "%(count)d companies are named “%(name)s”: give the key of one instead (%(keys)s)."
            )
            % {"count": len(matches), "name": text, "keys": keys}
        )
    return matches[0]


def parse_date(text: str | None, option: str) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CliError(
            gettext("%(option)s “%(text)s” is not a date: write it as YYYY-MM-DD.")
            % {"option": option, "text": text}
        ) from None


def print_json(data) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def print_table(rows: list[list[str]], right: set[int] = frozenset()) -> None:
    """Columns as wide as their widest cell; the columns in ``right`` aligned right."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        print("  ".join(cells).rstrip())


class ProgressLine:
    """Progress on stderr: one line updated in place on a terminal, plain lines otherwise."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        line = f"{stage}: {format_count(done)}/{format_count(total)} ({percent}%)"
        if self.tty:
            self.stream.write(f"\r\033[K{line}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
            return
        step = percent // 10 * 10  # a plain line every tenth of the way
        if (stage, step) != self.last:
            self.last = (stage, step)
            self.stream.write(f"{line}\n")
            self.stream.flush()


# partida serve


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        default=8000,
        help=gettext("The port to listen on (8000); 0 takes any free port."),
    )
    parser.add_argument(
        "--open", action="store_true", help=gettext("Open Partida in the web browser.")
    )
    # The browser only opens with --open; --no-browser is accepted for scripts that say so.
    parser.add_argument("--no-browser", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--cloud",
        action="store_true",
        help=gettext(
            "Run the cloud edition (settings from the environment; listens on PARTIDA_LISTEN)."
        ),
    )


def listen_address(port: int) -> tuple[str, int]:
    """127.0.0.1 on the desktop; the cloud edition's PARTIDA_LISTEN (host:port), if set."""
    from django.conf import settings

    listen = os.environ.get("PARTIDA_LISTEN", "").strip()
    if settings.EDITION != "cloud" or not listen:
        return "127.0.0.1", port
    host, _colon, number = listen.rpartition(":")
    if not host or not number.isdigit() or not 0 <= int(number) < 65536:
        raise CliError(
            gettext("PARTIDA_LISTEN must be written as host:port, such as 0.0.0.0:8000.")
        )
    return host.strip("[]"), int(number)


def make_server(port: int, host: str = "127.0.0.1"):
    """A threaded HTTP server serving Partida and its static files.

    Django's own threaded WSGI server (the one behind ``runserver``, without the reloader),
    with the static files served by ``StaticFilesHandler`` from the apps' folders, so the
    pages have their style with DEBUG off and without ``collectstatic``. Enough for the one
    person at this computer. The desktop edition always listens on 127.0.0.1 (there is no
    option to change it); only the cloud edition's PARTIDA_LISTEN names another ``host``.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    application = StaticFilesHandler(get_wsgi_application())
    try:
        server = ThreadedWSGIServer((host, port), WSGIRequestHandler)
    except OSError as error:
        raise CliError(
            gettext("Cannot listen on port %(port)s (%(error)s): choose another with --port.")
            % {"port": port, "error": error.strerror or error}
        ) from None
    server.set_app(application)
    return server


@subcommand("serve", gettext_lazy("Run Partida on this computer."), add_serve_arguments)
def serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port < 65536:
        raise CliError(gettext("The port must be a number from 1 to 65535, or 0 for any free one."))
    host, port = listen_address(args.port)
    server = make_server(port, host)
    keep_house_while_serving()
    stop_on_sigterm()
    url = f"http://{host}:{server.server_address[1]}/"
    print(gettext("Partida is running at %(url)s (Ctrl+C stops it).") % {"url": url})
    sys.stdout.flush()
    automatic = back_up_while_serving()  # after the line above: theirs print below it
    if args.open:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(gettext("Stopped."))
    finally:
        server.server_close()
        automatic.close()  # a backup in progress ends; those "when Partida is closed" run
    return 0


def back_up_while_serving():
    """The desktop edition's automatic backups to a folder, in a thread of their own
    (``partida.autobackups.desktop``); ``close()`` when the server stops."""
    from partida.autobackups.desktop import start_while_serving

    return start_while_serving()


def stop_on_sigterm() -> None:
    """SIGTERM stops the server as Ctrl+C does, so what runs on closing still runs."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


# partida demo


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--name",
        default=None,
        help=gettext("The demo company's name."),
    )
    parser.add_argument(
        "--size",
        choices=["small", "medium", "large"],
        default="small",
        help=gettext(
            "small: about 300 transactions; medium: about 20,000; large: about 200,000, "
            "with about 1 GB of attachments."
        ),
    )
    parser.add_argument(
        "--seed", type=int, default=1, help=gettext("The same seed gives the same books (1).")
    )
    parser.add_argument(
        "--customer",
        default=None,
        help=gettext("Cloud edition: give the company to the customer of this user's email."),
    )


def acting_for_customer(email: str):
    """The ``PARTIDA_ACTING_FOR_CUSTOMER`` hook (the cloud edition's): a context in which what
    is created belongs to the customer of ``email``."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.PARTIDA_ACTING_FOR_CUSTOMER)(email)


@subcommand(
    "demo",
    gettext_lazy("Create a demo company with a year of made-up books."),
    add_demo_arguments,
)
def demo(args: argparse.Namespace) -> int:
    from partida.demo.generate import do_create_demo_company

    name = args.name if args.name is not None else gettext("Demo company")
    owner = acting_for_customer(args.customer) if args.customer else contextlib.nullcontext()
    try:
        with owner:
            company = do_create_demo_company(name, args.size, args.seed, progress=ProgressLine())
    except KeyboardInterrupt:
        raise CliError(gettext("Interrupted: no demo company was created.")) from None
    print(
        gettext("Created the demo company “%(name)s” with the key %(key)s.")
        % {"name": company.name, "key": company.pk}
    )
    return 0


# partida companies


def add_companies_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=gettext("Print JSON."))


def company_json(company) -> dict:
    from partida.books.origin import origin_of

    origin = origin_of(company)
    return {
        "id": str(company.pk),
        "name": company.name,
        "base_currency": company.base_currency,
        "created": company.created_at.isoformat(),
        # This installation's copy: added here or imported (from which file), and when.
        "origin": str(origin.how),
        "origin_at": origin.at.isoformat(),
        "backup_file": origin.backup_file or None,
    }


@subcommand("companies", gettext_lazy("List the companies."), add_companies_arguments)
def companies(args: argparse.Namespace) -> int:
    from partida.books.models import Company
    from partida.books.origin import origin_sentence

    found = list(Company.objects.select_related("origin").order_by("name", "created_at"))
    rows = [company_json(company) for company in found]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print(gettext("There are no companies yet."))
        return 0
    header = [gettext("Key"), gettext("Name"), gettext("Currency"), gettext("Origin")]
    print_table(
        [header]
        + [
            [row["id"], row["name"], row["base_currency"], origin_sentence(company)]
            for row, company in zip(rows, found, strict=True)
        ]
    )
    return 0


# partida summary


def add_summary_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "company",
        metavar=pgettext("command-line argument", "company"),
        help=gettext("The company's exact name, or its key."),
    )
    parser.add_argument("--json", action="store_true", help=gettext("Print JSON."))
    parser.add_argument("--from", dest="date_from", help=gettext("First day, as YYYY-MM-DD."))
    parser.add_argument("--to", dest="date_to", help=gettext("Last day, as YYYY-MM-DD."))


def company_models() -> list:
    """Every model whose rows belong to one company through a ``company`` foreign key.

    Derived rows (``DERIVED = True`` on the model, such as the accounts' daily totals) are
    not data of their own and are not counted, nor are rows about this installation's copy
    rather than the books (``NOT_BOOKS = True``: where the copy came from), which a restored
    company and its original do not share.
    """
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    from partida.books.models import Company

    found = []
    for model in apps.get_models():
        try:
            field = model._meta.get_field("company")
        except FieldDoesNotExist:
            continue
        derived = getattr(model, "DERIVED", False) or getattr(model, "NOT_BOOKS", False)
        if isinstance(field, models.ForeignKey) and field.related_model is Company and not derived:
            found.append(model)
    return sorted(found, key=lambda model: model._meta.label_lower)


def row_counts(company) -> dict[str, int]:
    """The number of rows of every kind of company data, by ``app_label.model``."""
    return {
        model._meta.label_lower: model._default_manager.filter(company=company).count()
        for model in company_models()
    }


def company_summary(company, date_from=None, date_to=None) -> dict:
    from partida.books.summary import summarize

    return {
        "company": {
            "id": str(company.pk),
            "name": company.name,
            "base_currency": company.base_currency,
        },
        **summarize(company, date_from, date_to).as_json(),
        "counts": row_counts(company),
    }


@subcommand(
    "summary",
    gettext_lazy("Show a company's balance sheet, profit and loss, and row counts."),
    add_summary_arguments,
)
def summary(args: argparse.Namespace) -> int:
    date_from = parse_date(args.date_from, "--from")
    date_to = parse_date(args.date_to, "--to")
    if date_from and date_to and date_from > date_to:
        raise CliError(gettext("--from must not be later than --to."))
    company = find_company(args.company)
    data = company_summary(company, date_from, date_to)
    if args.json:
        print_json(data)
        return 0
    currency = company.base_currency
    period = gettext("all dates")
    if date_from or date_to:
        period = f"{date_from or '…'} – {date_to or '…'}"
    print(f"{company.name}  ({company.pk}, {currency}, {period})")
    print()
    balance, profit = data["balance_sheet"], data["profit_and_loss"]
    print_table(
        [
            [gettext("Balance sheet"), ""],
            ["  " + gettext("Assets"), amount_text(balance["assets"])],
            ["  " + gettext("Liabilities"), amount_text(balance["liabilities"])],
            ["  " + gettext("Equity"), amount_text(balance["equity"])],
            [gettext("Profit and loss"), ""],
            ["  " + gettext("Income"), amount_text(profit["income"])],
            ["  " + gettext("Expenses"), amount_text(profit["expenses"])],
            ["  " + gettext("Net profit"), amount_text(profit["net_profit"])],
        ],
        right={1},
    )
    print()
    print(gettext("Rows"))
    print_table(
        [
            ["  " + model_plural(label), format_count(count)]
            for label, count in data["counts"].items()
        ],
        right={1},
    )
    return 0


def amount_text(value: str) -> str:
    """An amount of the summary as the language writes it: "3.002,90" in Spanish."""
    from decimal import Decimal

    return format_number(Decimal(value), 2)


def model_plural(label: str) -> str:
    """The plural name of the model ``app_label.model`` in the language: "Facturas de venta"."""
    from django.apps import apps
    from django.utils.text import capfirst

    return capfirst(str(apps.get_model(label)._meta.verbose_name_plural))


# The command itself


def cli_language() -> str:
    """The terminal's language if Partida speaks it, else the settings' language."""
    from django.conf import settings

    supported = {code for code, _name in settings.LANGUAGES}
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        code = value.split(":")[0][:2].lower()
        if code in supported:
            return code
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            break
    return settings.LANGUAGE_CODE


def load_command_modules() -> None:
    """Import every installed Partida app's ``cli`` module, so that its subcommands register.

    The core names no app here: an edition's commands come with its app (``partida.cloud``).
    """
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for app in apps.get_app_configs():
        if app.name.startswith("partida.") and module_has_submodule(app.module, COMMAND_MODULE):
            importlib.import_module(f"{app.name}.{COMMAND_MODULE}")


# argparse's own words, which it looks up with the standard library's gettext (no Spanish
# there): listed so that partida's catalogue keeps them, and ``speak_argparse`` gives them to
# argparse in the person's language.
def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue (``makemessages`` knows the name); Django's own needs
    the settings, which are not loaded yet when this module is."""
    return message


ARGPARSE_MESSAGES = (
    gettext_noop("usage: "),
    gettext_noop("positional arguments"),
    gettext_noop("options"),
    gettext_noop("show this help message and exit"),
    gettext_noop("%(prog)s: error: %(message)s\n"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("expected at least one argument"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("ignored explicit argument %r"),
)


def speak_argparse() -> None:
    """argparse's help and errors ("usage:", "options", "show this help message and exit",
    "the following arguments are required") in the language of the command, from partida's
    catalogue. argparse reads the module's ``_`` and ``ngettext`` when it writes them."""
    from django.utils.translation import ngettext

    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partida",
        description=gettext("Partida: double-entry bookkeeping for small businesses."),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in sorted(SUBCOMMANDS.items()):
        sub = commands.add_parser(name, help=str(command.help), description=str(command.help))
        if command.add_arguments:
            command.add_arguments(sub)
        sub.set_defaults(subcommand=command)
    return parser


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partida.settings")
    import django

    django.setup()


def migrate() -> None:
    """Bring the database up to date, silently: a new data folder just works."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def housekeeping() -> None:
    """Clean up after a Partida killed in the middle of an import or a backup, and remove job
    files kept long enough (``partida.backups.jobs.do_housekeeping``)."""
    from partida.backups.jobs import do_housekeeping

    do_housekeeping()


HOUSEKEEPING_EVERY_SECONDS = 600


def keep_house_while_serving() -> None:
    """A server runs for days: clean up every ten minutes too (an undownloaded backup's copy
    is removed after two hours even if no one starts another job)."""
    import threading

    from django.db import connection

    def loop() -> None:
        while True:
            time.sleep(HOUSEKEEPING_EVERY_SECONDS)
            try:
                housekeeping()
            except Exception:
                logging.getLogger(__name__).exception("housekeeping failed")
            finally:
                connection.close()

    threading.Thread(target=loop, name="partida-housekeeping", daemon=True).start()


def database_error_text(error: Exception) -> str:
    if "database is locked" in str(error):
        return gettext(
            "Another Partida is saving to this data folder right now (an import, most "
            "likely): try again in a moment."
        )
    return gettext("The database could not do that (%(error)s).") % {
        "error": str(error).rstrip(".")
    }


def error_text(error: Exception) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"] and "--cloud" in argv:
        os.environ["PARTIDA_EDITION"] = "cloud"  # before the settings load
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError
    from django.utils import translation

    translation.activate(cli_language())
    speak_argparse()
    load_command_modules()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "subcommand", None):
        parser.print_help()
        return 2
    from partida.installation.editions import claim_edition
    from partida.startup import start_up_problem

    problem = start_up_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    try:
        migrate()
        claim_edition()
        housekeeping()
        return args.subcommand.run(args) or 0
    except (CliError, ValidationError) as error:
        print(error_text(error), file=sys.stderr)
        return 1
    except DatabaseError as error:
        print(database_error_text(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(gettext("Interrupted."), file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output went to a pipe that closed early, as `| head` does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
