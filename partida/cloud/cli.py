"""``partida customers add | set-until | list``: staff scripting the hosted service."""

import argparse
import contextlib
import getpass
import sys
from collections.abc import Iterator

from django.utils.translation import gettext, gettext_lazy, pgettext

from partida.cli import CliError, parse_date, print_json, print_table, subcommand


def add_customers_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help=gettext("Add a customer with one user; the password is read from standard input."),
    )
    add.add_argument(
        "email",
        metavar=pgettext("command-line argument", "email"),
        help=gettext("The user's email, with which they sign in."),
    )
    add.add_argument(
        "--active-until",
        required=True,
        help=gettext("The last day of the subscription, as YYYY-MM-DD."),
    )
    add.add_argument("--name", help=gettext("The customer's name (default: the email)."))
    until = actions.add_parser("set-until", help=gettext("Change the end of a subscription."))
    until.add_argument(
        "email",
        metavar=pgettext("command-line argument", "email"),
        help=gettext("The email of one of the customer's users."),
    )
    until.add_argument(
        "date",
        metavar=pgettext("command-line argument", "date"),
        help=gettext("The last day of the subscription, as YYYY-MM-DD."),
    )
    listing = actions.add_parser("list", help=gettext("List the customers."))
    listing.add_argument("--json", action="store_true", help=gettext("Print JSON."))


def add_staff_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help=gettext(
            "Add a member of staff, who signs in to /admin/; the password is read from "
            "standard input."
        ),
    )
    add.add_argument(
        "email",
        metavar=pgettext("command-line argument", "email"),
        help=gettext("The email with which they sign in."),
    )


@subcommand(
    "staff",
    gettext_lazy("Add the staff of the cloud edition, who use its administration screen."),
    add_staff_arguments,
)
def staff(args: argparse.Namespace) -> int:
    from partida.cloud.customers import do_add_staff

    user = do_add_staff(args.email, read_new_password())
    print(gettext("Added %(email)s to the staff: they sign in at /admin/.") % {"email": user.email})
    return 0


def read_new_password() -> str:
    password = read_password()
    if not password:
        raise CliError(gettext("No password was given: write it on standard input, on one line."))
    return password


def read_password() -> str:
    """One line of standard input, or a hidden prompt at a terminal."""
    if sys.stdin.isatty():
        return getpass.getpass(gettext("Password: "))
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def customer_json(customer) -> dict:
    return {
        "id": str(customer.pk),
        "name": customer.name,
        "active_until": customer.active_until.isoformat(),
        "expired": customer.expired,
        "users": sorted(link.user.email for link in customer.users.all()),
        "companies": customer.companies.count(),
    }


@subcommand(
    "customers",
    gettext_lazy("Add customers of the cloud edition and set their subscriptions."),
    add_customers_arguments,
)
def customers(args: argparse.Namespace) -> int:
    from partida.cloud.customers import do_add_customer, do_set_active_until
    from partida.cloud.models import Customer

    if args.action == "add":
        until = parse_date(args.active_until, "--active-until")
        customer = do_add_customer(args.email, read_new_password(), until, args.name)
        print(
            gettext("Added the customer “%(name)s”, active until %(date)s.")
            % {"name": customer.name, "date": customer.active_until.isoformat()}
        )
    elif args.action == "set-until":
        until = parse_date(args.date, "date")
        customer = do_set_active_until(args.email, until)
        print(
            gettext("The subscription of “%(name)s” is now active until %(date)s.")
            % {"name": customer.name, "date": customer.active_until.isoformat()}
        )
    else:
        rows = [
            customer_json(customer)
            for customer in Customer.objects.prefetch_related("users__user").order_by("name")
        ]
        if args.json:
            print_json(rows)
            return 0
        if not rows:
            print(gettext("There are no customers yet."))
            return 0
        header = [
            gettext("Name"),
            gettext("Active until"),
            gettext("Companies"),
            gettext("Users"),
        ]
        print_table(
            [header]
            + [
                [
                    row["name"],
                    row["active_until"] + (" " + gettext("(expired)") if row["expired"] else ""),
                    str(row["companies"]),
                    ", ".join(row["users"]),
                ]
                for row in rows
            ],
            right={2},
        )
    return 0


@contextlib.contextmanager
def acting_for_customer(email: str) -> Iterator[None]:
    """What is created inside belongs to the customer that ``email`` signs in for.

    Used by ``partida demo --customer EMAIL``. The customer is looked up first, so an unknown
    email stops the command before anything is made.
    """
    from django.core.exceptions import ValidationError

    from partida.cloud.access import acting_for
    from partida.cloud.customers import find_customer_user

    try:
        customer = find_customer_user(email).customer
    except ValidationError as error:
        raise CliError(" ".join(error.messages)) from None
    with acting_for(customer):
        yield
