"""A company with every kind of data a backup carries, and helpers to look inside backups."""

import io
import json
import tarfile
import uuid
from decimal import Decimal

import pytest
import zstandard
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partida.attachments.actions import do_attach
from partida.attachments.store import store_blob
from partida.books import actions
from partida.books import models as m
from partida.mail.models import Email, EmailAttachment

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(reversed(range(256))) * 30


def make_company(name: str = "Ferretería Núñez, S.L.") -> m.Company:
    company = actions.do_create_company(name, "EUR", "es")
    bank = m.BankAccount.objects.get(company=company, kind="bank")
    account = {a.code: a for a in m.Account.objects.filter(company=company)}
    ana = actions.do_save_record(company, m.Customer(name="Ana Gómez", email="ana@example.com"))
    luz = actions.do_save_record(company, m.Supplier(name="Luz del Sur S.A."))
    receipt = actions.do_save_transaction(
        company,
        m.Receipt(bank_account=bank, customer=ana, description="Cobro factura 1"),
        [m.ReceiptLine(account=account["430"], amount=Decimal("121.00"))],
    )
    payment = actions.do_save_transaction(
        company,
        m.Payment(bank_account=bank, supplier=luz, description="Luz de marzo"),
        [
            m.PaymentLine(account=account["628"], amount=Decimal("80.25")),
            m.PaymentLine(account=account["477"], amount=Decimal("16.85")),
        ],
    )
    invoice = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=ana, reference="F-0001", due_date=timezone.localdate()),
        [
            m.SalesInvoiceLine(
                account=account["700"],
                quantity=Decimal("2.5"),
                unit_price=Decimal("40.0000"),
                description="Tornillos",
            )
        ],
    )
    actions.do_save_transaction(
        company,
        m.PurchaseInvoice(supplier=luz, reference="L-77"),
        [m.PurchaseInvoiceLine(account=account["600"], quantity=1, unit_price=Decimal("9.99"))],
    )
    actions.do_save_transaction(
        company,
        m.JournalEntry(description="Capital inicial"),
        [
            m.JournalEntryLine(account=bank.account, debit=Decimal("100")),
            m.JournalEntryLine(account=account["100"], credit=Decimal("100")),
        ],
    )
    actions.do_save_record(company, m.Customer(name="Cliente borrado"))
    actions.do_delete_record(
        company, m.Customer.objects.get(company=company, name="Cliente borrado")
    )
    do_attach(company, "receipt", receipt.pk, SimpleUploadedFile("recibo.pdf", PDF))
    do_attach(company, "payment", payment.pk, SimpleUploadedFile("factura luz.pdf", PDF))
    do_attach(company, "payment", payment.pk, SimpleUploadedFile("ticket.png", PNG))
    email = Email.objects.create(
        company=company,
        from_address="yo@example.com",
        to_addresses="ana@example.com",
        subject="Factura F-0001",
        body="Adjunto la factura.",
        about_kind="sales_invoice",
        about_id=invoice.pk,
        status=Email.Status.SENT,
    )
    sha256, size = store_blob(io.BytesIO(b"%PDF-1.4 invoice F-0001"))
    EmailAttachment.objects.create(
        company=company,
        email=email,
        filename="F-0001.pdf",
        content_type="application/pdf",
        size=size,
        sha256=sha256,
    )
    return company


@pytest.fixture
def company(db):
    return make_company()


def members(path) -> dict[str, bytes]:
    """Every member of a backup, by name, read with the standard library's tar reader."""
    with open(path, "rb") as raw:
        stream = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            return {info.name: tar.extractfile(info).read() for info in tar}


def unshift(text: str, offset: int) -> str:
    """Undo import's renaming of keys in one line of a data member."""
    import re

    def back(match):
        return str(uuid.UUID(int=(uuid.UUID(match.group(0)).int - offset) % 2**128))

    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", back, text)


def unshifted_rows(member: bytes, offset: int) -> list:
    """A data member's rows, in order, with import's renaming of keys undone.

    Rows are compared as values: JSON text may spell the same document differently (an
    escaped or a plain "ó", PostgreSQL's key order inside a document).
    """
    return [json.loads(line) for line in unshift(member.decode(), offset).splitlines()]
