"""Every screen of the desktop edition, and the command line, speak Spanish, and say "tú".

Each screen is rendered in Spanish (``Accept-Language: es``) with Django's test client, for a
company that has a record of every kind (customers, suppliers, accounts, receipts, payments,
journal entries, sales and purchase invoices, an email with its file, attachments, history), a
finished, a failed and a cancelled backup job, a finished import and an import waiting in its
preview. Forms are also sent empty and with nonsense in every field, so that the messages
Django itself writes (``Introduce un número.``) are on the page too; delete confirmations, the
error pages and the messages shown after a change are rendered as well.

What is checked is the text a person meets: element text (parts that scripts show later
included), and the title, placeholder, aria-label and alt attributes, and the values of
buttons and visible inputs; not scripts or styles. How English is told apart (``tests.spanish``):
a word is English when it is one of the words of the English messages in partida's catalogue,
or of a hard-coded list of a few hundred common English words, unless it is a Spanish word too
("a", "no", "general", "total") or a name that stays as it is (Partida, PDF, IVA, EUR, SMTP,
Manager.io). Data is removed first: e-mail and web addresses, file names, keys. So an English
string that is not wrapped for translation, or has no Spanish translation, fails with the
screen and the word. The formal "usted" forms ("Introduzca", "Indique", "Asegúrese",
"su atención"…) fail the same way: Partida says "tú" everywhere.

Every URL pattern must be covered here or excluded in ``NOT_SCREENS`` with a reason: a new
address fails ``test_every_address_is_covered`` until it is added.

The command line's human output (``partida`` subcommands with ``LANGUAGE=es``) is checked by
the same rules.
"""

import contextlib
import json
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from partida.backups.models import Job
from partida.books import models as m
from partida.books.urls import EDITABLE_KINDS
from partida.history.models import HistoryEntry
from partida.mail.models import Email
from tests.backups.conftest import make_company
from tests.spanish import context_of, faults, visible_text

# Addresses that are not screens: what they answer has no sentences of its own.
NOT_SCREENS = {
    "set_language": "Django's language switch: it only redirects back to the page.",
    "attachments:download": "Sends the attached file itself, not a page.",
    "mail:email_file": "Sends the emailed file itself, not a page.",
    "backups:download": "Sends the backup file itself, not a page.",
    "autobackups:download": "Sends the automatic backup's file itself, not a page.",
    "backups:cancel": "Only redirects to the job's page (covered: the cancelled job).",
    "favicon": "The program's icon, not a page.",
    "books:sales_invoice_pdf": "Sends the invoice as a PDF file, not a page.",
    "attachments:upload": "Only redirects back; its messages are covered among the messages "
    "shown after changes.",
}
# The cloud edition's own addresses: its screens run on PostgreSQL, in tests/cloud.
CLOUD_ONLY = ("cloud:", "admin:")


def url_names(resolver=None, namespace="") -> set[str]:
    """The name of every URL pattern, with its namespace: "books:summary"."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else repr(pattern))
    return names


# --- The company, and what a person does on the screens ---------------------------------------


@dataclass
class World:
    client: Client
    company: m.Company
    empty: m.Company
    records: dict = field(default_factory=dict)

    def url(self, name: str, **kwargs) -> str:
        outside = name in ("books:companies", "books:company_add") or (
            name.startswith("backups:") and name != "backups:backup"
        )
        if "company_id" not in kwargs and not outside:
            kwargs["company_id"] = self.company.pk
        return reverse(name, kwargs=kwargs)


def make_world(client) -> World:
    company = make_company()
    empty = m.Company.objects.create(name="Empresa vacía")
    world = World(client, company, empty)
    for kind in EDITABLE_KINDS:
        model = {
            "account": m.Account,
            "tax_code": m.TaxCode,
            "bank_account": m.BankAccount,
            "customer": m.Customer,
            "supplier": m.Supplier,
            "receipt": m.Receipt,
            "payment": m.Payment,
            "sales_invoice": m.SalesInvoice,
            "purchase_invoice": m.PurchaseInvoice,
            "journal_entry": m.JournalEntry,
        }[kind]
        world.records[kind] = model.objects.filter(company=company).first()
    assert all(world.records.values()), world.records
    assert HistoryEntry.objects.filter(company=company).exists()
    assert Email.objects.filter(company=company).exists()
    return world


class Forms(HTMLParser):
    """The fields of a page's own POST forms (not the language switch), as a browser sends
    them, so a test can send them back filled in otherwise."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str, str]] = []  # (name, tag or input type, value)
        self.inside = False
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.inside = values.get("method") == "post" and not values.get("action")
        elif self.inside and values.get("name"):
            if tag == "input" and values.get("type") not in ("submit", "button", "file"):
                self.fields.append(
                    (values["name"], values.get("type", "text"), values.get("value") or "")
                )
            elif tag in ("select", "textarea"):
                self.fields.append((values["name"], tag, ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


MANAGEMENT = re.compile(r"(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$|^csrfmiddlewaretoken$")


def filled(world: World, url: str, how: str) -> dict:
    """The form on ``url`` sent back ``empty`` or with ``nonsense`` in every field."""
    parser = Forms()
    parser.feed(world.client.get(url).content.decode())
    data = {}
    for name, kind, value in parser.fields:
        if MANAGEMENT.search(name) or (kind == "hidden" and how == "empty"):
            data[name] = value
        elif kind in ("checkbox", "radio"):
            continue
        elif how == "nonsense":
            data[name] = "zz" * 260  # not a number, date, address or choice, and too long
        else:
            data[name] = ""
    return data


# Each screen: (URL pattern name, a label for failures, how to get the page).
SCREENS: list[tuple[str, str, object]] = []


def screen(name: str, label: str | None = None):
    def register(get):
        SCREENS.append((name, label or name, get))
        return get

    return register


def get(name: str, label: str | None = None, query: str = "", **kwargs):
    screen(name, label)(lambda w: w.client.get(w.url(name, **kwargs) + query))


def form(name: str, label: str | None = None, record=None, **kwargs):
    """A form's page, and the same form sent empty and sent with nonsense."""

    def kw(w):
        if record:
            return {**kwargs, "pk": w.records[record].pk}
        return kwargs

    label = label or name
    screen(name, label)(lambda w: w.client.get(w.url(name, **kw(w))))
    for how in ("empty", "nonsense"):
        screen(name, f"{label}, sent {how}")(
            lambda w, how=how: w.client.post(
                w.url(name, **kw(w)), filled(w, w.url(name, **kw(w)), how)
            )
        )


get("books:companies")
form("books:company_add")
get("books:summary")
get("books:summary", "books:summary, with a wrong period", "?from=ayer&to=2020-13-45")
get(
    "books:summary",
    "books:summary, period ending before it starts",
    "?from=2030-01-01&to=2020-01-01",
)
form("books:company_edit")
get("books:company_delete")
for _kind in EDITABLE_KINDS:
    get("books:record_list", f"books:record_list {_kind}", kind=_kind)
    screen("books:record_list", f"books:record_list {_kind}, empty")(
        lambda w, kind=_kind: w.client.get(
            w.url("books:record_list", company_id=w.empty.pk, kind=kind)
        )
    )
    form("books:record_add", f"books:record_add {_kind}", kind=_kind)
    form("books:record_edit", f"books:record_edit {_kind}", record=_kind, kind=_kind)
    screen("books:record_delete", f"books:record_delete {_kind}")(
        lambda w, kind=_kind: w.client.get(
            w.url("books:record_delete", kind=kind, pk=w.records[kind].pk)
        )
    )
screen("books:record_delete", "books:record_delete of a customer still in use")(
    lambda w: w.client.post(
        w.url("books:record_delete", kind="customer", pk=w.records["customer"].pk)
    )
)
screen("books:record_delete", "books:record_delete of an account still in use")(
    lambda w: w.client.post(
        w.url(
            "books:record_delete", kind="account", pk=w.records["receipt"].lines.first().account_id
        )
    )
)

get("history:list")
get("history:list", "history:list, filtered to nothing", "?action=delete&kind=journal_entry")

get("reports:index")
for _report in (
    "reports:trial_balance",
    "reports:general_ledger",
    "reports:journal",
    "reports:profit_and_loss",
    "reports:aged_receivables",
    "reports:aged_payables",
    "reports:customer_statement",
    "reports:supplier_statement",
    "reports:tax_summary",
):
    get(_report)
    get(_report, f"{_report}, with a wrong period", "?from=ayer&to=2020-13-45")
    screen(_report, f"{_report}, empty")(
        lambda w, name=_report: w.client.get(w.url(name, company_id=w.empty.pk))
    )
screen("reports:account_movements")(
    lambda w: w.client.get(
        w.url("reports:account_movements", account_id=w.records["receipt"].bank_account.account_id)
    )
)
screen("reports:account_movements", "reports:account_movements of an account that never moved")(
    lambda w: w.client.get(
        w.url(
            "reports:account_movements",
            account_id=m.Account.objects.filter(company=w.company, ledger_entries=None)[0].pk,
        )
    )
)


@screen("reports:journal", "messages after asking for a PDF too long to make")
def pdf_too_long(w):
    from partida.reports import documents

    original = documents.MAX_PDF_ROWS
    documents.MAX_PDF_ROWS = 1
    try:
        return w.client.get(w.url("reports:journal") + "?format=pdf", follow=True)
    finally:
        documents.MAX_PDF_ROWS = original


get("mail:emails")
screen("mail:email")(
    lambda w: w.client.get(
        w.url("mail:email", pk=Email.objects.filter(company=w.company).first().pk)
    )
)
form("mail:settings")
form("mail:send_invoice", record="sales_invoice")


@screen("backups:backup")
def backup_dialog(w):
    return w.client.get(w.url("backups:backup"))


@screen("backups:backup", "backups:backup, sent empty")
def backup_sent_empty(w):
    return w.client.post(w.url("backups:backup"), {"file_name": ""})


def backup_job(w) -> Job:
    page = w.client.post(w.url("backups:backup"), {"file_name": "copia.manager", "emails": "on"})
    return Job.objects.get(pk=page.url.rstrip("/").split("/")[-1])


@screen("backups:job", "backups:job, a finished backup")
def finished_backup(w):
    return w.client.get(w.url("backups:job", job_id=backup_job(w).pk))


@screen("backups:job", "backups:job, a finished backup, as JSON")
def finished_backup_json(w):
    page = w.client.get(w.url("backups:job", job_id=backup_job(w).pk) + "?format=json")
    return json_text(page)


def failure_message() -> str:
    """What a backup that failed says, in Spanish as the job wrote it."""
    from partida.backups.jobs import unexpected_failure

    with translation.override("es"):
        return unexpected_failure()


@screen("backups:job", "backups:job, a failed backup")
def failed_backup(w):
    job = Job.objects.create(
        kind=Job.Kind.BACKUP,
        company_id=w.company.pk,
        file_name="copia.manager",
        state=Job.State.FAILED,
        error=failure_message(),
    )
    return w.client.get(w.url("backups:job", job_id=job.pk))


@screen("backups:job", "backups:job, a cancelled backup")
def cancelled_backup(w):
    job = Job.objects.create(
        kind=Job.Kind.BACKUP, company_id=w.company.pk, file_name="copia.manager"
    )
    w.client.post(w.url("backups:cancel", job_id=job.pk))
    return w.client.get(w.url("backups:job", job_id=job.pk))


def backup_file(w) -> bytes:
    job = backup_job(w)
    download = w.client.get(w.url("backups:download", job_id=job.pk))
    return b"".join(download.streaming_content)


def waiting_import(w) -> Job:
    upload = SimpleUploadedFile("copia.manager", backup_file(w))
    page = w.client.post(w.url("backups:import"), {"file": upload})
    return Job.objects.get(pk=page.url.rstrip("/").split("/")[-1])


form("backups:import")


@screen("backups:import", "backups:import, a file that is not a backup")
def not_a_backup(w):
    upload = SimpleUploadedFile("notas.manager", b"esto no es una copia")
    return w.client.post(w.url("backups:import"), {"file": upload})


@screen("backups:import_preview")
def import_preview(w):
    job = waiting_import(w)
    return w.client.get(w.url("backups:import_preview", job_id=job.pk))


@screen("backups:import_preview", "backups:import_preview, sent empty")
def import_preview_empty(w):
    job = waiting_import(w)
    return w.client.post(w.url("backups:import_preview", job_id=job.pk), {"new_name": ""})


@screen("backups:import_preview", "backups:import_preview, the name is taken")
def import_preview_name_taken(w):
    from partida.backups.views import restored_name

    job = waiting_import(w)
    with translation.override("es"):
        m.Company.objects.create(name=restored_name(w.company.name))
    return w.client.get(w.url("backups:import_preview", job_id=job.pk))


def encrypted_import(w) -> Job:
    """An upload of a backup encrypted with a passphrase (age, a low work factor: fast)."""
    import io

    from partida.archive.encryption import encrypt_stream

    sealed = io.BytesIO()
    encrypt_stream(io.BytesIO(backup_file(w)), sealed, "contraseña", work_factor=10)
    upload = SimpleUploadedFile("cifrada.manager", sealed.getvalue())
    page = w.client.post(w.url("backups:import"), {"file": upload})
    return Job.objects.get(pk=page.url.rstrip("/").split("/")[-1])


@screen("backups:import_preview", "backups:import_preview, an encrypted backup's passphrase")
def import_passphrase(w):
    return w.client.get(w.url("backups:import_preview", job_id=encrypted_import(w).pk))


@screen("backups:import_preview", "backups:import_preview, a wrong passphrase")
def import_wrong_passphrase(w):
    job = encrypted_import(w)
    return w.client.post(w.url("backups:import_preview", job_id=job.pk), {"passphrase": "otra"})


@screen("backups:backup", "backups:backup, two different passphrases")
def backup_passphrases_differ(w):
    return w.client.post(
        w.url("backups:backup"),
        {
            "file_name": "copia.manager",
            "encrypt": "on",
            "passphrase": "una",
            "passphrase_again": "otra",
        },
    )


def manager_business_file(**writer) -> bytes:
    """A Manager.io business with attachments, written by the tests' own Manager writer."""
    import tempfile

    from tests.managerio.fixtures import small_spanish
    from tests.managerio.writer import Business

    with tempfile.TemporaryDirectory() as folder:
        business = small_spanish() if not writer else Business(**writer)
        path = business.write_tar(Path(folder) / "Taller Ruiz.manager.tar")
        return path.read_bytes()


@screen("backups:import_preview", "backups:import_preview, a Manager.io business")
def manager_import_preview(w):
    upload = SimpleUploadedFile("Taller Ruiz.manager.tar", manager_business_file())
    page = w.client.post(w.url("backups:import"), {"file": upload})
    return w.client.get(page.url)


@screen("backups:import", "backups:import, a Manager.io business of another version")
def manager_other_version(w):
    upload = SimpleUploadedFile("Antigua.manager.tar", manager_business_file(version=300))
    return w.client.post(w.url("backups:import"), {"file": upload})


@screen("backups:import", "backups:import, a Manager.io business cut short")
def manager_cut_short(w):
    whole = manager_business_file()
    upload = SimpleUploadedFile("Taller Ruiz.manager.tar", whole[: len(whole) // 2])
    return w.client.post(w.url("backups:import"), {"file": upload})


@screen("backups:job", "backups:job, a finished import")
def finished_import(w):
    job = waiting_import(w)
    page = w.client.post(
        w.url("backups:import_preview", job_id=job.pk), {"new_name": "Copia restaurada"}
    )
    return w.client.get(page.url)


# Messages shown after a change (on the page the change leads to).


@screen("attachments:upload", "messages after attaching nothing")
def attach_nothing(w):
    receipt = w.records["receipt"]
    return w.client.post(
        reverse(
            "attachments:upload",
            kwargs={"company_id": w.company.pk, "kind": "receipt", "record_id": receipt.pk},
        ),
        follow=True,
    )


@screen("attachments:upload", "messages after attaching a file, then removing it")
def attach_and_remove(w):
    receipt = w.records["receipt"]
    upload_url = reverse(
        "attachments:upload",
        kwargs={"company_id": w.company.pk, "kind": "receipt", "record_id": receipt.pk},
    )
    w.client.post(upload_url, {"files": SimpleUploadedFile("nota.txt", b"hola")})
    from partida.attachments.models import Attachment

    attachment = Attachment.objects.filter(company=w.company, filename="nota.txt").get()
    return w.client.post(
        reverse("attachments:delete", kwargs={"company_id": w.company.pk, "pk": attachment.pk}),
        follow=True,
    )


@screen("attachments:delete", "attachments:delete, the confirmation")
def attachment_delete_confirmation(w):
    from partida.attachments.models import Attachment

    attachment = Attachment.objects.filter(company=w.company).first()
    return w.client.get(
        reverse("attachments:delete", kwargs={"company_id": w.company.pk, "pk": attachment.pk})
    )


@screen("books:company_add", "messages after creating a company")
def company_created(w):
    return w.client.post(
        w.url("books:company_add"),
        {"name": "Nueva S.L.", "base_currency": "EUR", "chart_language": "es"},
        follow=True,
    )


@screen("books:company_edit", "messages after renaming a company")
def company_renamed(w):
    return w.client.post(w.url("books:company_edit"), {"name": "Otro nombre"}, follow=True)


@screen("books:company_delete", "messages after deleting a company")
def company_deleted(w):
    return w.client.post(w.url("books:company_delete", company_id=w.empty.pk), follow=True)


@screen("books:record_delete", "messages after deleting a record")
def record_deleted(w):
    return w.client.post(
        w.url("books:record_delete", kind="journal_entry", pk=w.records["journal_entry"].pk),
        follow=True,
    )


@screen("mail:settings", "messages after saving and removing mail settings")
def mail_settings_saved(w):
    settings = {
        "host": "smtp.example.com",
        "port": "587",
        "security": "starttls",
        "username": "yo",
        "password": "secreto",
        "from_address": "yo@example.com",
    }
    saved = w.client.post(w.url("mail:settings"), settings, follow=True)
    removed = w.client.post(w.url("mail:settings"), {"remove": "1"}, follow=True)
    return saved.content.decode() + removed.content.decode()


# Closing a year, archiving, the default taxes (partida/books/closing_views.py).
get("books:close_year")
screen("books:close_year", "books:close_year, a year that is not offered")(
    lambda w: w.client.post(w.url("books:close_year"), {"year": "1999"})
)


@screen("books:close_year", "messages after closing a year, and its closing entry")
def year_closed(w):
    year = m.LedgerEntry.objects.filter(company=w.company).latest("date").date.year
    closed = w.client.post(w.url("books:close_year"), {"year": str(year)}, follow=True)
    entry = m.JournalEntry.objects.get(company=w.company, closes_year=True)
    again = w.client.get(w.url("books:close_year") + f"?year={year}")
    form = w.client.get(w.url("books:record_edit", kind="journal_entry", pk=entry.pk))
    return closed.content.decode() + again.content.decode() + form.content.decode()


@screen("books:set_archived", "messages after archiving an account, and refusing to")
def account_archived(w):
    def archive(account):
        url = w.url("books:set_archived", kind="account", pk=account.pk)
        return w.client.post(url, {"archived": "1"}, follow=True).content.decode()

    taxes = m.TaxCode.objects.filter(company=w.company)
    unused = m.Account.objects.filter(company=w.company, role="", ledger_entries=None)
    unused = unused.exclude(pk__in=taxes.values("sales_account")).exclude(
        pk__in=taxes.values("purchase_account")
    )
    role = m.Account.objects.filter(company=w.company).exclude(role="").first()
    return archive(unused.first()) + archive(role)


@screen("books:add_default_taxes", "the Taxes of a company without any, and after adding them")
def default_taxes_added(w):
    listed = w.client.get(w.url("books:record_list", company_id=w.empty.pk, kind="tax_code"))
    added = w.client.post(w.url("books:add_default_taxes", company_id=w.empty.pk), follow=True)
    return listed.content.decode() + added.content.decode()


# Real books' invoices: a draft and its issuing, a receipt and a credit note opened from an
# invoice's buttons, the invoices' states and a numbering gap in the list.


@screen("books:sales_invoice_issue", "a draft's form, its issuing and the message after it")
def invoice_issued(w):
    from partida.books import actions

    invoice = w.records["sales_invoice"]
    line = invoice.lines.first()
    draft = actions.do_save_transaction(
        w.company,
        m.SalesInvoice(customer=invoice.customer, draft=True),
        [m.SalesInvoiceLine(account=line.account, unit_price=line.unit_price, quantity=1)],
    )
    form = w.client.get(w.url("books:record_edit", kind="sales_invoice", pk=draft.pk))
    issued = w.client.post(w.url("books:sales_invoice_issue", pk=draft.pk), follow=True)
    again = w.client.post(w.url("books:sales_invoice_issue", pk=draft.pk), follow=True)
    return form.content.decode() + issued.content.decode() + again.content.decode()


@screen("books:record_add", "a receipt and a credit note opened from an invoice's buttons")
def opened_from_an_invoice(w):
    invoice = w.records["sales_invoice"]
    pages = [
        w.client.get(w.url("books:record_add", kind="receipt") + f"?invoice={invoice.pk}"),
        w.client.get(w.url("books:record_add", kind="sales_invoice") + f"?corrects={invoice.pk}"),
    ]
    return "".join(page.content.decode() for page in pages)


@screen("books:record_list", "sales invoices partly paid, overdue, a credit note and a gap")
def invoice_states(w):
    import datetime
    from decimal import Decimal

    from partida.books import actions

    invoice = w.records["sales_invoice"]
    line = invoice.lines.first()
    yesterday = datetime.date.today() - datetime.timedelta(days=1)

    def issue(**fields):
        return actions.do_save_transaction(
            w.company,
            m.SalesInvoice(customer=invoice.customer, **fields),
            [m.SalesInvoiceLine(account=line.account, unit_price=Decimal("100"), quantity=1)],
        )

    late = issue(date=yesterday, due_date=yesterday)
    issue(corrects=late)
    actions.do_delete_record(w.company, issue())  # its number stays a gap in the series
    listed = w.client.get(w.url("books:record_list", kind="sales_invoice"))
    form = w.client.get(w.url("books:record_edit", kind="sales_invoice", pk=late.pk))
    return listed.content.decode() + form.content.decode()


# Automatic backups (partida/autobackups): their settings, a company's backups (verified and
# failed), Import as a new company from one, and the Summary's notice of a failed backup.


def automatic_backups(w, fail: bool = False):
    """The settings on, to a folder of the test's, with one verified backup (and a failed one)."""
    import tempfile

    from partida.autobackups import desktop
    from partida.autobackups.models import DesktopSchedule

    folder = tempfile.mkdtemp(prefix="partida-automatic-")
    schedule = DesktopSchedule.objects.create(enabled=True, folder=folder)
    with translation.override("es"):
        verified = desktop.run_backup(w.company, schedule)
        if fail:
            schedule.folder = os.path.join(folder, "desaparecida")
            desktop.run_backup(w.company, schedule)
    return verified


def automatic_url(name: str, **kwargs) -> str:
    return reverse(f"autobackups:{name}", kwargs=kwargs)


screen("autobackups:settings")(lambda w: w.client.get(automatic_url("settings")))
for _how in ("empty", "nonsense"):
    screen("autobackups:settings", f"autobackups:settings, sent {_how}")(
        lambda w, how=_how: w.client.post(
            automatic_url("settings"), filled(w, automatic_url("settings"), how)
        )
    )


@screen("autobackups:settings", "autobackups:settings, a folder that is not there, then saved")
def automatic_backups_saved(w):
    folder = automatic_backups(w).storage_key.rsplit("/", 1)[0]
    form = {"enabled": "on", "every": "daily", "keep_daily": "7", "keep_weekly": "4"}
    form["keep_monthly"] = "12"
    missing = w.client.post(automatic_url("settings"), form | {"folder": "/no/está/aquí"})
    relative = w.client.post(automatic_url("settings"), form | {"folder": "Copias"})
    saved = w.client.post(automatic_url("settings"), form | {"folder": folder}, follow=True)
    return missing.content.decode() + relative.content.decode() + saved.content.decode()


@screen("autobackups:list", "autobackups:list, a verified and a failed backup")
def automatic_backups_list(w):
    automatic_backups(w, fail=True)
    return w.client.get(automatic_url("list", company_id=w.company.pk))


screen("autobackups:list", "autobackups:list, none yet")(
    lambda w: w.client.get(automatic_url("list", company_id=w.empty.pk))
)


@screen("books:summary", "books:summary, the notice of a failed automatic backup")
def automatic_backup_failed(w):
    automatic_backups(w, fail=True)
    return w.client.get(w.url("books:summary"))


@screen("autobackups:import", "autobackups:import, the preview it leads to")
def automatic_backup_imported(w):
    backup = automatic_backups(w)
    url = automatic_url("import", company_id=w.company.pk, backup_id=backup.pk)
    return w.client.post(url, follow=True)


# Error pages.


@screen("(error) 404", "error page 404")
def not_found(w):
    return w.client.get(f"/c/{uuid.uuid4()}/")


@screen("(error) csrf", "error page: a form that expired (CSRF)")
def csrf(w):
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="es")
    return browser.post(w.url("books:company_add"), {"name": "Sin token"})


@screen("(error) busy", "error page: the database is busy")
def busy(w, monkeypatch=None):
    from partida.books import actions

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    original = actions.do_update_company
    actions.do_update_company = locked
    try:
        return w.client.post(w.url("books:company_edit"), {"name": "Otro"})
    finally:
        actions.do_update_company = original


def json_text(response) -> str:
    """Every string in a JSON answer."""
    strings: list[str] = []

    def walk(value):
        if isinstance(value, str):
            # Not the codes ("done", "writing") nor addresses: what the page shows from it.
            if not re.fullmatch(r"[a-z_]+|/.*", value):
                strings.append(value)
        elif isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(json.loads(response.content))
    return "\n".join(strings)


def text_of(answer, label: str) -> str:
    if isinstance(answer, str):
        return visible_text(answer) if "<" in answer else answer
    assert answer.status_code < 500 or label.startswith("error page"), (label, answer.status_code)
    return visible_text(answer.content.decode())


@pytest.fixture(autouse=True)
def no_files_left(db):
    """The uploads and backups these tests make are removed from the data folder after them."""
    yield
    from partida.backups.job_files import job_files
    from partida.backups.models import Job

    for job in Job.objects.all():
        job_files().delete(job)


@pytest.fixture
def spanish(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    client.raise_request_exception = False
    return client


def check(label: str, text: str) -> None:
    problems = faults(text)
    assert not problems, f"{label} shows " + "; ".join(
        f"{problem} in “{context_of(text, problem.split('“')[1].rstrip('”'))}”"
        for problem in problems
    )


@pytest.mark.parametrize("name, label, get", SCREENS, ids=[label for _name, label, _get in SCREENS])
def test_the_screen_is_in_spanish(spanish, db, name, label, get):
    world = make_world(spanish)
    check(label, text_of(get(world), label))


@pytest.mark.urls("tests.error_urls")
def test_the_server_error_page_is_in_spanish(spanish, db):
    check("error page 500", text_of(spanish.get("/failing/"), "error page 500"))


def test_every_address_is_covered():
    covered = {name for name, _label, _get in SCREENS}
    names = {n for n in url_names() if not n.startswith(CLOUD_ONLY)}
    missing = names - covered - set(NOT_SCREENS)
    assert not missing, (
        f"these addresses have no Spanish check: {sorted(missing)}. Add them to SCREENS in "
        f"{__file__}, or to NOT_SCREENS with the reason they are not screens."
    )
    stale = set(NOT_SCREENS) - names
    assert not stale, f"NOT_SCREENS names addresses that no longer exist: {sorted(stale)}"


# --- The command line ------------------------------------------------------------------------

COMPANY = "Ferretería Núñez, S.L."


def subcommands() -> list[str]:
    from partida.cli import SUBCOMMANDS, load_command_modules

    load_command_modules()
    return list(SUBCOMMANDS)


def commands(folder) -> list[list[str]]:
    """Every subcommand's human output, its errors, and argparse's help and errors."""
    backup = str(folder / "copia.manager")
    manager = folder / "Taller Ruiz.manager.tar"
    manager.write_bytes(manager_business_file())
    return [
        ["companies"],
        ["inspect", str(manager)],
        ["import", str(manager)],
        ["summary", COMPANY],
        ["backup", COMPANY, "-o", backup],
        ["inspect", backup],
        ["verify", backup],
        ["import", backup, "--name", "Copia restaurada"],
        ["backups", "list", COMPANY],
        ["backups"],
        ["customers", "list"],
        ["demo", "Demo S.L.", "--size", "enorme"],
        ["summary", "Nadie S.L."],
        ["summary", COMPANY, "--from", "ayer"],
        ["report", "trial-balance", COMPANY],
        ["report", "general-ledger", COMPANY],
        ["report", "journal", COMPANY],
        ["report", "profit-and-loss", COMPANY],
        ["report", "aged-receivables", COMPANY],
        ["report", "aged-payables", COMPANY],
        ["report", "tax", COMPANY],
        ["report", "balance", COMPANY],
        ["report", "journal", COMPANY, "--from", "2025-03-01", "--to", "2025-02-01"],
        ["summary", COMPANY, "--from", "2025-03-01", "--to", "2025-02-01"],
        ["inspect", str(folder / "no-existe.manager")],
        ["backup", COMPANY, "-o", str(folder / "no-existe" / "copia.manager")],
        ["serve", "--port", "70000"],
        ["--help"],
        *[[name, "--help"] for name in sorted(subcommands())],
        ["summary"],
        ["summary", COMPANY, "--sin-opcion"],
        ["close-year", COMPANY, "ayer"],
        ["close-year", COMPANY, "1999"],
    ]


# What is syntax, not a sentence: the usage line, option and command names, metavariables.
SYNTAX = [
    re.compile(  # report names
        r"\b(trial-balance|general-ledger|journal|profit-and-loss|aged-receivables|"
        r"aged-payables|tax)\b"
    ),
    re.compile(r"^(uso|usage): .*(\n {2,}\S.*)*", re.MULTILINE),
    re.compile(r"^ {2,4}(-\S+(, -\S+)*|[\w-]+)( [A-Z_]+)?(?= {2,}|$)", re.MULTILINE),
    re.compile(r"`[^`]*`|\bpartida( [a-z-]+){1,2}|(?<=run-due, )list\b|\b(run-due|set-until)\b"),
    re.compile(r"-{1,2}[a-z][\w-]*|\b[A-Z][A-Z_]{2,}\b|\b(small|medium|large)\b"),
]


def sentences_of(output: str) -> str:
    for pattern in SYNTAX:
        output = pattern.sub(" ", output)
    return output


def test_the_command_line_speaks_spanish(db, capsys, monkeypatch, tmp_path):
    from partida.cli import main

    monkeypatch.setenv("LANGUAGE", "es")
    make_company(COMPANY)
    problems = []
    try:
        for args in commands(tmp_path):
            capsys.readouterr()
            with contextlib.suppress(SystemExit):  # argparse's help and errors
                main(args)
            out, err = capsys.readouterr()
            text = sentences_of(out + "\n" + err)
            found = faults(text)
            if found:
                line = context_of(text, found[0].split("“")[1].rstrip("”"))
                problems.append(f"partida {' '.join(args)}: {'; '.join(found)} in “{line}”")
    finally:
        translation.deactivate()
    assert not problems, "\n".join(problems)


def test_the_worker_speaks_spanish(tmp_path):
    """``partida worker`` runs as its own process, as a user starts it: in this process it would
    close the test's own database connection between jobs."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PARTIDA_TEST_DB")
    }
    environment.update(PARTIDA_HOME=str(tmp_path), LANGUAGE="es")
    command = [sys.executable, "-m", "partida"]
    subprocess.run([*command, "demo", "--name", COMPANY], env=environment, check=True)
    worker = subprocess.run(
        [*command, "worker", "--batch"], env=environment, capture_output=True, text=True
    )
    assert worker.returncode == 0, worker.stderr
    text = sentences_of(worker.stdout + "\n" + worker.stderr)
    assert "1 copia de seguridad en cola." in text and "después de 1 tarea." in text, text
    assert not faults(text), text
