import socket
from decimal import Decimal

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation

from partida.books import actions
from partida.books import models as m


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self, refuse_recipients: bool = False):
        self.messages = []
        self.refuse_recipients = refuse_recipients

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def _serve(handler):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; ``.inbox.messages`` holds what it received."""
    inbox = Inbox()
    controller = _serve(inbox)
    controller.inbox = inbox
    controller.url = f"smtp://127.0.0.1:{controller.port}"
    yield controller
    controller.stop()


@pytest.fixture
def refusing_smtp_server():
    """A real SMTP server on 127.0.0.1 that refuses every recipient."""
    inbox = Inbox(refuse_recipients=True)
    controller = _serve(inbox)
    controller.inbox = inbox
    controller.url = f"smtp://127.0.0.1:{controller.port}"
    yield controller
    controller.stop()


@pytest.fixture(autouse=True)
def no_mail_server(settings):
    """No mail server unless a test sets one up."""
    settings.PARTIDA_SMTP_URL = ""


def make_invoice(company, email="ana@example.com"):
    customer = actions.do_save_record(
        company,
        m.Customer(name="Ana Peña", email=email, tax_id="B12345678", address="Calle Mayor 1"),
    )
    income = m.Account.objects.filter(company=company, kind=m.AccountKind.INCOME).first()
    return actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, reference="F-2026-007", description="Reparación"),
        [
            m.SalesInvoiceLine(
                account=income,
                description="Grifo monomando",
                quantity=Decimal("2"),
                unit_price=Decimal("45.50"),
            ),
            m.SalesInvoiceLine(
                account=income,
                description="Mano de obra",
                quantity=Decimal("1.5"),
                unit_price=Decimal("30"),
            ),
        ],
    )


@pytest.fixture
def invoice(company):
    return make_invoice(company)


@pytest.fixture(autouse=True)
def english():
    """Messages checked outside a request are read in English (the source language)."""
    with translation.override("en"):
        yield
