"""Staff script the service: ``partida customers add | set-until | list`` and
``partida demo --customer``."""

import datetime
import io
import json
import sys

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from partida.books.models import Company
from partida.cli import main
from partida.cloud.models import CompanyOwner, Customer
from tests.cloud.cloud_fixtures import *  # noqa: F403


@pytest.fixture
def run(db, capsys, monkeypatch):
    """``partida ARGS...`` in this process, with ``stdin`` as its standard input."""
    monkeypatch.setenv("LANGUAGE", "en")

    def run_cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return run_cli


def signs_in(email: str, password: str) -> bool:
    request = RequestFactory().post("/portal/sign-in/")
    return authenticate(request, username=email, password=password) is not None


def test_add_a_customer_with_the_password_from_standard_input(run):
    status, out, err = run(
        "customers", "add", "Ana@Example.com", "--active-until", "2030-01-31",
        "--name", "Ferretería Núñez", stdin="a long enough password\n",
    )  # fmt: skip
    assert (status, err) == (0, "")
    assert out.strip() == "Added the customer “Ferretería Núñez”, active until 2030-01-31."
    customer = Customer.objects.get(name="Ferretería Núñez")
    assert customer.active_until == datetime.date(2030, 1, 31)
    assert [link.user.email for link in customer.users.all()] == ["ana@example.com"]
    assert signs_in("ana@example.com", "a long enough password")
    assert not signs_in("ana@example.com", "a long enough password\n")


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (
            ["ana@example.com", "--active-until", "31/01/2030"],
            "a long enough password\n",
            "--active-until “31/01/2030” is not a date: write it as YYYY-MM-DD.",
        ),
        (
            ["not an email", "--active-until", "2030-01-31"],
            "a long enough password\n",
            "“not an email” is not an email address: write it as name@example.com.",
        ),
        (
            ["ana@example.com", "--active-until", "2030-01-31"],
            "",
            "No password was given: write it on standard input, on one line.",
        ),
        (
            ["ana@example.com", "--active-until", "2030-01-31"],
            "short\n",
            "The password is too short: give at least 8 characters.",
        ),
    ],
)
def test_bad_input_is_refused_with_one_sentence_and_changes_nothing(run, args, stdin, message):
    status, out, err = run("customers", "add", *args, stdin=stdin)
    assert (status, out, err.strip()) == (1, "", message)
    assert not Customer.objects.exists()


def test_an_email_can_have_only_one_account(run):
    run("customers", "add", "ana@example.com", "--active-until", "2030-01-31", stdin="password1\n")
    status, _out, err = run(
        "customers", "add", "ANA@example.com", "--active-until", "2031-01-31", stdin="password2\n"
    )
    assert (status, err.strip()) == (
        1,
        "There is already an account with the email ana@example.com.",
    )
    assert Customer.objects.count() == 1


def test_set_until_moves_the_end_of_the_subscription(run):
    run("customers", "add", "ana@example.com", "--active-until", "2020-01-31", stdin="password1\n")
    customer = Customer.objects.get()
    assert customer.expired
    status, out, _err = run("customers", "set-until", "ana@example.com", "2099-12-31")
    assert status == 0
    assert out.strip() == "The subscription of “ana@example.com” is now active until 2099-12-31."
    customer.refresh_from_db()
    assert customer.active_until == datetime.date(2099, 12, 31) and not customer.expired

    status, _out, err = run("customers", "set-until", "nobody@example.com", "2099-12-31")
    assert status == 1
    assert err.strip() == (
        "No customer has a user with the email nobody@example.com. "
        "`partida customers list` lists them."
    )


def test_list_the_customers(run):
    assert run("customers", "list")[1].strip() == "There are no customers yet."
    run("customers", "add", "ana@example.com", "--active-until", "2020-01-31", stdin="password1\n")
    run("customers", "add", "luz@example.com", "--active-until", "2099-01-31",
        "--name", "Luz", stdin="password2\n")  # fmt: skip
    status, out, _err = run("customers", "list")
    lines = out.splitlines()
    assert status == 0 and lines[0].split() == ["Name", "Active", "until", "Companies", "Users"]
    ana = next(line for line in lines if "ana@example.com" in line)
    luz = next(line for line in lines if line.startswith("Luz"))
    assert "2020-01-31 (expired)" in ana
    assert "2099-01-31" in luz and "(expired)" not in luz
    rows = json.loads(run("customers", "list", "--json")[1])
    assert sorted((row["name"], row["expired"], row["users"]) for row in rows) == [
        ("Luz", False, ["luz@example.com"]),
        ("ana@example.com", True, ["ana@example.com"]),
    ]


def test_demo_gives_the_company_to_a_customer(run):
    run("customers", "add", "ana@example.com", "--active-until", "2099-01-31", stdin="password1\n")
    status, out, err = run("demo", "--name", "Demo de Ana", "--customer", "ana@example.com")
    assert status == 0, err
    company = Company.objects.get(name="Demo de Ana")
    assert CompanyOwner.objects.get(company_id=company.pk).customer.name == "ana@example.com"
    assert json.loads(run("customers", "list", "--json")[1])[0]["companies"] == 1

    status, out, err = run("demo", "--name", "Nadie", "--customer", "nobody@example.com")
    assert status == 1
    assert err.strip().startswith("No customer has a user with the email nobody@example.com.")
    assert not Company.objects.filter(name="Nadie").exists()


def test_a_demo_without_a_customer_belongs_to_nobody(run):
    assert run("demo", "--name", "Sin dueño")[0] == 0
    assert not CompanyOwner.objects.exists()


def test_staff_added_by_the_command_sign_in_to_the_administration_screen(run, cloud, alice):
    status, out, err = run("staff", "add", "Admin@Example.com", stdin="a long staff password\n")
    assert (status, err) == (0, "")
    assert out.strip() == "Added admin@example.com to the staff: they sign in at /admin/."
    from django.test import Client

    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = browser.post(
        "/admin/login/?next=/admin/",
        {"username": "admin@example.com", "password": "a long staff password"},
        follow=True,
    )
    assert page.status_code == 200
    assert "Alice Bakery customer" in browser.get("/admin/cloud/customer/").content.decode()
    assert not signs_in("admin@example.com", "wrong password")


@pytest.mark.parametrize(
    "email, stdin, message",
    [
        (
            "admin@example.com",
            "",
            "No password was given: write it on standard input, on one line.",
        ),
        ("admin@example.com", "short\n", "The password is too short: give at least"),
        ("alice@example.com", "a long staff password\n", "There is already an account"),
    ],
)
def test_a_staff_account_is_refused_with_one_sentence(run, cloud, alice, email, stdin, message):
    from django.contrib.auth import get_user_model

    before = get_user_model().objects.count()
    status, out, err = run("staff", "add", email, stdin=stdin)
    assert status == 1
    assert err.startswith(message) and err.count("\n") == 1
    assert get_user_model().objects.count() == before
