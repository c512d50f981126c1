"""Fixtures of the cloud edition's access and portal tests: the cloud edition switched on for
one test, customers with users and companies, and stored backups.

Import them into a test module: ``from tests.cloud.cloud_fixtures import *  # noqa: F403``.
"""

import datetime
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from partida.attachments.actions import do_attach
from partida.attachments.store import store_blob
from partida.autobackups.models import StoredBackup
from partida.backups.models import Job
from partida.books import actions
from partida.books import models as m
from partida.cloud.access import acting_for
from partida.cloud.customers import do_add_customer
from partida.cloud.models import Customer
from partida.mail.models import Email, EmailAttachment
from tests.backups.conftest import PDF

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def needs_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.fail(
            "The cloud edition's tests need PostgreSQL: run them with PARTIDA_TEST_DB=postgresql.",
            pytrace=False,
        )


@pytest.fixture
def cloud(settings, s3_server):
    """The cloud edition, for this test: its addresses, sign-in and access rules, and its
    object store (where backup and import jobs keep their files)."""
    settings.EDITION = "cloud"
    settings.ROOT_URLCONF = "partida.cloud.root_urls"
    settings.PARTIDA_COMPANY_ACCESS = "partida.cloud.access"
    settings.PARTIDA_AUTOMATIC_BACKUP_PASSPHRASE = "partida.cloud.encryption.passphrase_for_company"
    settings.LANGUAGE_CODE = "en"
    return settings


@dataclass
class Account:
    customer: Customer
    user: object
    email: str
    company: m.Company
    client: Client


def record_of(company: m.Company, model):
    return model.objects.filter(company=company).first()


def make_account(email: str, company_name: str, until: datetime.date | None = None) -> Account:
    until = until or timezone.localdate() + datetime.timedelta(days=30)
    customer = do_add_customer(email, PASSWORD, until, name=company_name + " customer")
    user = customer.users.get().user
    with acting_for(customer):
        company = actions.do_create_company(company_name, "EUR", "en")
        bank = m.BankAccount.objects.get(company=company, kind="bank")
        client_record = actions.do_save_record(company, m.Customer(name="Ana Gómez"))
        account = m.Account.objects.get(company=company, code="4000")
        receipt = actions.do_save_transaction(
            company,
            m.Receipt(bank_account=bank, customer=client_record, description="Cobro"),
            [m.ReceiptLine(account=account, amount=Decimal("121.00"))],
        )
        do_attach(company, "receipt", receipt.pk, SimpleUploadedFile("ticket.pdf", PDF))
        sent = Email.objects.create(
            company=company,
            from_address="yo@example.com",
            to_addresses="ana@example.com",
            subject="Factura",
            status=Email.Status.SENT,
        )
        sha256, size = store_blob(io.BytesIO(b"%PDF-1.4 invoice"))
        EmailAttachment.objects.create(
            company=company, email=sent, filename="F-1.pdf", size=size, sha256=sha256
        )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return Account(customer, user, email, company, client)


@pytest.fixture
def alice(cloud) -> Account:
    return make_account("alice@example.com", "Alice Bakery")


@pytest.fixture
def bob(cloud) -> Account:
    return make_account("bob@example.com", "Bob Hardware")


def make_stored_backup(company: m.Company, state=StoredBackup.State.VERIFIED, **fields):
    values = {
        "company_id": company.pk,
        "company_name": company.name,
        "state": state,
        "parts": ["attachments", "emails", "history"],
        "size": 1234,
        "storage_key": f"backups/{company.pk}/{uuid.uuid4()}.manager",
    }
    values.update(fields)
    return StoredBackup.objects.create(**values)


def make_job(owner: Customer, kind=Job.Kind.BACKUP, company=None, state=Job.State.WAITING):
    return Job.objects.create(
        kind=kind,
        company_id=company.pk if company else None,
        file_name="x.manager",
        owner=owner.pk,
        state=state,
    )


def expire(account: Account) -> None:
    account.customer.active_until = timezone.localdate() - datetime.timedelta(days=1)
    account.customer.save()
