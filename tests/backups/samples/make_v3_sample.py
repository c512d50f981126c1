"""Make ``v3.manager``, the committed sample of format version 3, and ``v3.expected.json``.

Run once, when the sample is created, in a data folder of its own::

    PARTIDA_HOME=$(mktemp -d) python -m tests.backups.samples.make_v3_sample

It types in, through the actions as a person would, a small company that uses what version 3
adds: tax codes (IVA on each line, IRPF withheld from a professional's invoice, a ticket with
the IVA included), numbered invoices, a receipt and a payment applied to invoices, a credit
note, a draft, an archived account, a logo, and a closed year with its lock date; then writes
its backup as Partida does. Do NOT run it again with a newer Partida: the sample is there so
that later versions keep importing version 3 as it was written.

``real_books(company)`` is what ``v3.expected.json`` lists of version 3's data, and what the
tests compare an imported sample with.
"""

import datetime
import io
import json
import os
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent

#: The company's details, as version 2's sample has them, and version 3's prefixes.
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
    "invoice_prefix": "F",
    "credit_note_prefix": "R",
}
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def day(month: int, number: int, year: int = 2025) -> datetime.date:
    return datetime.date(year, month, number)


def real_books(company) -> dict:
    """Version 3's data of a company, without its keys: what the sample must import with."""
    from partida.books import models as m

    def number_of(invoice):
        return invoice.number if invoice is not None else None

    def invoice_label(invoice):
        return getattr(invoice, "number", "") or invoice.reference

    sales = m.SalesInvoice.objects.filter(company=company).order_by("date", "number")
    return {
        "company": {
            "invoice_prefix": company.invoice_prefix,
            "credit_note_prefix": company.credit_note_prefix,
            "lock_date": company.lock_date and company.lock_date.isoformat(),
            "has_logo": bool(company.logo),
        },
        "tax_codes": [
            [
                code.name,
                str(code.rate),
                code.kind,
                code.sales_account.code,
                code.purchase_account.code,
                code.archived,
            ]
            for code in m.TaxCode.objects.filter(company=company).order_by("name")
        ],  # fmt: skip
        "invoice_counters": dict(
            m.InvoiceCounter.objects.filter(company=company)
            .order_by("series")
            .values_list("series", "last_number")
        ),
        "sales_invoices": [
            [
                invoice.date.isoformat(),
                invoice.number,
                invoice.draft,
                number_of(invoice.corrects),
                invoice.amounts_include_tax,
            ]
            for invoice in sales.select_related("corrects")
        ],  # fmt: skip
        "taxed_lines": sorted(
            [line.account.code, str(line.amount), line.tax_code.name, str(line.tax_amount)]
            for model in (m.SalesInvoiceLine, m.PurchaseInvoiceLine, m.ReceiptLine, m.PaymentLine)
            for line in model.objects.filter(company=company, tax_code__isnull=False)
        ),
        "withholdings": sorted(
            [invoice.reference, invoice.withholding.name, str(invoice.withholding_amount)]
            for model in (m.SalesInvoice, m.PurchaseInvoice)
            for invoice in model.objects.filter(company=company, withholding__isnull=False)
        ),
        "applied": sorted(
            [line.account.code, str(line.amount), invoice_label(line.invoice)]
            for model in (m.ReceiptLine, m.PaymentLine)
            for line in model.objects.filter(company=company, invoice__isnull=False)
        ),
        "archived_accounts": sorted(
            m.Account.objects.filter(company=company, archived=True).values_list("code", flat=True)
        ),
        "closing": [
            [entry.date.isoformat()]
            + [[line.account.code, str(line.debit), str(line.credit)] for line in entry.lines.all()]
            for entry in m.JournalEntry.objects.filter(company=company, closes_year=True)
        ],
    }


def logo() -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from partida.books.logo import logo_from_upload

    image = io.BytesIO()
    Image.new("RGB", (60, 20), (200, 40, 40)).save(image, "PNG")
    return logo_from_upload(SimpleUploadedFile("logo.png", image.getvalue()))


def type_in_the_books():
    """The company, typed in through the actions."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partida.attachments.actions import do_attach
    from partida.books import actions
    from partida.books import models as m

    company = actions.do_create_company("Ferretería Núñez, S.L.", "EUR", "es")
    actions.do_update_company(company, **DETAILS, logo=logo())
    bank = m.BankAccount.objects.get(company=company, kind="bank")
    cash = m.BankAccount.objects.get(company=company, kind="cash")
    account = {a.code: a for a in m.Account.objects.filter(company=company)}
    tax = {code.name: code for code in m.TaxCode.objects.filter(company=company)}
    vat21, vat4, irpf = tax["IVA 21 %"], tax["IVA 4 %"], tax["IRPF −15 %"]
    ana = actions.do_save_record(company, m.Customer(name="Ana Gómez", tax_id="12345678Z"))
    luz = actions.do_save_record(company, m.Supplier(name="Luz del Sur S.A."))
    gestor = actions.do_save_record(company, m.Supplier(name="Jordi Puig Ramos"))
    save = actions.do_save_transaction

    save(
        company,
        m.JournalEntry(date=day(1, 2), description="Capital inicial"),
        [
            m.JournalEntryLine(account=bank.account, debit=Decimal("3000")),
            m.JournalEntryLine(account=account["100"], credit=Decimal("3000")),
        ],
    )
    first = save(
        company,
        m.SalesInvoice(customer=ana, date=day(3, 10), reference="Pedido 77"),
        [
            m.SalesInvoiceLine(
                account=account["700"],
                description="Tornillos",
                quantity=Decimal("2.5"),
                unit_price=Decimal("40.0000"),
                tax_code=vat21,
            ),
            m.SalesInvoiceLine(
                account=account["700"],
                description="Manual de bricolaje",
                quantity=Decimal("1"),
                unit_price=Decimal("12.5000"),
                tax_code=vat4,
            ),
        ],
    )
    second = save(
        company,
        m.SalesInvoice(customer=ana, date=day(4, 1)),
        [
            m.SalesInvoiceLine(
                account=account["705"],
                description="Instalación",
                quantity=Decimal("3"),
                unit_price=Decimal("33.3300"),
                tax_code=vat21,
            )
        ],
    )
    save(
        company,
        m.Receipt(bank_account=bank, customer=ana, date=day(4, 9), description="Cobro F2025-0001"),
        [m.ReceiptLine(invoice=first, amount=Decimal("133.00"))],
    )
    save(
        company,
        m.SalesInvoice(customer=ana, date=day(4, 15), corrects=second),
        [
            m.SalesInvoiceLine(
                account=account["705"],
                description="Instalación no hecha",
                quantity=Decimal("1"),
                unit_price=Decimal("33.3300"),
                tax_code=vat21,
            )
        ],
    )
    fees = save(
        company,
        m.PurchaseInvoice(
            supplier=gestor, date=day(5, 5), reference="JP-2025-14", withholding=irpf
        ),
        [
            m.PurchaseInvoiceLine(
                account=account["623"],
                description="Asesoría fiscal, primer trimestre",
                quantity=Decimal("1"),
                unit_price=Decimal("300.0000"),
                tax_code=vat21,
            )
        ],
    )
    save(
        company,
        m.Payment(bank_account=bank, supplier=gestor, date=day(5, 20)),
        [m.PaymentLine(invoice=fees, amount=Decimal("318.00"))],
    )
    save(
        company,
        m.Payment(bank_account=cash, supplier=luz, date=day(6, 2), amounts_include_tax=True),
        [m.PaymentLine(account=account["628"], amount=Decimal("96.80"), tax_code=vat21)],
    )
    do_attach(company, "sales_invoice", first.pk, SimpleUploadedFile("F2025-0001.pdf", PDF))
    actions.do_set_archived(company, account["213"], True)
    actions.do_close_year(company, day(1, 1), day(12, 31))
    save(
        company,
        m.SalesInvoice(customer=ana, date=day(1, 12, 2026)),
        [
            m.SalesInvoiceLine(
                account=account["700"],
                description="Llaves",
                quantity=Decimal("4"),
                unit_price=Decimal("2.5000"),
                tax_code=vat21,
            )
        ],
    )
    save(
        company,
        m.SalesInvoice(customer=ana, date=day(1, 20, 2026), draft=True),
        [
            m.SalesInvoiceLine(
                account=account["700"],
                description="Candado",
                quantity=Decimal("1"),
                unit_price=Decimal("15.0000"),
                tax_code=vat21,
            )
        ],
    )
    return m.Company.objects.get(pk=company.pk)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partida.settings")
    from partida.cli import migrate, row_counts, setup_django

    setup_django()
    migrate()
    from partida.backups.export import backup_to_file
    from partida.backups.registry import OPTIONAL_PARTS
    from partida.books.summary import summarize

    company = type_in_the_books()
    backup_to_file(company, HERE / "v3.manager", set(OPTIONAL_PARTS))
    expected = {
        "counts": dict(sorted(row_counts(company).items())),
        "summary": summarize(company).as_json(),
        **real_books(company),
    }
    text = json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    (HERE / "v3.expected.json").write_text(text)


if __name__ == "__main__":
    main()
