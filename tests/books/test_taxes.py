"""Tax on lines: the arithmetic a Spanish invoice relies on, and what it posts.

Each line's tax is its amount times the rate, rounded to the cent half away from zero; with
amounts that include the tax, the tax is amount × rate / (100 + rate) and the base the rest,
so that base and tax add up to exactly what was typed. The ledger balances by construction.
"""

import datetime
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from partida.books import actions
from partida.books import models as m
from partida.books.invoices import balance_of, tax_breakdown
from partida.books.posting import line_tax

DAY = datetime.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("amount", "rate", "inclusive", "tax"),
    [
        (D("10.00"), D("21"), False, D("2.10")),
        (D("0.05"), D("21"), False, D("0.01")),  # 0.0105: rounds down
        (D("0.50"), D("21"), False, D("0.11")),  # 0.105: half a cent goes up
        (D("2.50"), D("10"), False, D("0.25")),
        (D("0.10"), D("4"), False, D("0.00")),  # 0.004
        (D("0.13"), D("4"), False, D("0.01")),  # 0.0052
        (D("121.00"), D("21"), True, D("21.00")),
        (D("100.00"), D("21"), True, D("17.36")),  # 17.355…: up
        (D("1.00"), D("10"), True, D("0.09")),  # 0.0909…
        (D("1000.00"), D("-15"), False, D("-150.00")),  # IRPF withheld
        (D("-10.00"), D("21"), False, D("-2.10")),  # a refund line: half away from zero
        (D("-0.50"), D("21"), False, D("-0.11")),
        (D("99.99"), D("0"), False, D("0.00")),
        (D("99.99"), D("0"), True, D("0.00")),
    ],
)
def test_the_tax_of_a_line(amount, rate, inclusive, tax):
    assert line_tax(amount, rate, inclusive) == tax
    if inclusive:  # the base is what is left: the two add up to what was typed
        assert (amount - tax) + tax == amount


@pytest.fixture
def books(db):
    company = actions.do_create_company("Taller Sur S.L.", "EUR", "es")
    codes = {code.name: code for code in m.TaxCode.objects.filter(company=company)}
    accounts = {account.code: account for account in m.Account.objects.filter(company=company)}
    customer = actions.do_save_record(company, m.Customer(name="Ana Gómez", tax_id="12345678Z"))
    supplier = actions.do_save_record(company, m.Supplier(name="Asesoría Lima"))
    return company, codes, accounts, customer, supplier


def posted(record) -> dict[str, D]:
    """Account code -> what the record posted to it (debits positive)."""
    totals: dict[str, D] = defaultdict(D)
    for entry in m.LedgerEntry.objects.filter(source_id=record.pk).select_related("account"):
        totals[entry.account.code] += entry.amount
    return dict(totals)


def test_the_default_spanish_taxes_post_to_the_pgc_accounts(books):
    company, codes, _accounts, _c, _s = books
    assert {
        (name, code.rate, code.sales_account.code, code.purchase_account.code)
        for name, code in codes.items()
    } == {
        ("IVA 21 %", D("21"), "477", "472"),
        ("IVA 10 %", D("10"), "477", "472"),
        ("IVA 4 %", D("4"), "477", "472"),
        ("IVA 0 % (exento)", D("0"), "477", "472"),
        ("IRPF −15 %", D("-15"), "473", "4751"),
    }


def test_an_invoice_with_two_rates_and_an_untaxed_line_posts_each_base_and_tax(books):
    company, codes, accounts, customer, _s = books
    invoice = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, date=DAY),
        [
            m.SalesInvoiceLine(
                account=accounts["700"],
                quantity=D("3"),
                unit_price=D("33.335"),  # 100.005: the line rounds to 100.01 first
                tax_code=codes["IVA 21 %"],
            ),
            m.SalesInvoiceLine(
                account=accounts["705"],
                quantity=D("1"),
                unit_price=D("50"),
                tax_code=codes["IVA 10 %"],
            ),
            m.SalesInvoiceLine(account=accounts["759"], quantity=D("1"), unit_price=D("7.50")),
        ],
    )
    assert posted(invoice) == {
        "700": D("-100.01"),
        "705": D("-50.00"),
        "759": D("-7.50"),
        "477": D("-26.00"),  # 21.00 (21.0021) + 5.00
        "430": D("183.51"),
    }
    assert [(code and code.name, base, tax) for code, base, tax in tax_breakdown(invoice)] == [
        ("IVA 21 %", D("100.01"), D("21.00")),
        ("IVA 10 %", D("50.00"), D("5.00")),
        (None, D("7.50"), D("0.00")),
    ]
    assert balance_of(invoice).total == D("183.51")


def test_amounts_that_include_tax_keep_the_total_that_was_typed(books):
    company, codes, accounts, customer, _s = books
    invoice = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, date=DAY, amounts_include_tax=True),
        [
            m.SalesInvoiceLine(
                account=accounts["700"],
                quantity=D("1"),
                unit_price=D("100"),
                tax_code=codes["IVA 21 %"],
            ),
            m.SalesInvoiceLine(
                account=accounts["700"],
                quantity=D("2"),
                unit_price=D("5.50"),
                tax_code=codes["IVA 10 %"],
            ),
        ],
    )
    # 100 → base 82.64, tax 17.36; 11 → base 10.00, tax 1.00
    assert posted(invoice) == {"700": D("-92.64"), "477": D("-18.36"), "430": D("111.00")}


def test_a_professional_s_invoice_with_iva_on_the_lines_and_irpf_withheld_on_the_base(books):
    company, codes, accounts, _c, supplier = books
    invoice = actions.do_save_transaction(
        company,
        m.PurchaseInvoice(
            supplier=supplier, date=DAY, reference="A-17", withholding=codes["IRPF −15 %"]
        ),
        [
            m.PurchaseInvoiceLine(
                account=accounts["623"],
                quantity=D("1"),
                unit_price=D("1000"),
                tax_code=codes["IVA 21 %"],
            ),
            m.PurchaseInvoiceLine(
                account=accounts["629"],
                quantity=D("3"),
                unit_price=D("0.35"),
                tax_code=codes["IVA 21 %"],
            ),
        ],
    )
    # Base 1,001.05; IVA 210.00 + 0.22; IRPF 15 % of the whole base: 150.1575 → 150.16.
    assert invoice.withholding_amount == D("-150.16")
    assert posted(invoice) == {
        "623": D("1000.00"),
        "629": D("1.05"),
        "472": D("210.22"),
        "4751": D("-150.16"),
        "400": D("-1061.11"),
    }
    assert balance_of(invoice).total == D("1061.11")  # what the supplier is owed


def test_a_withholding_on_a_line_of_its_own(books):
    company, codes, accounts, _c, supplier = books
    withheld = actions.do_save_transaction(
        company,
        m.PurchaseInvoice(supplier=supplier, date=DAY, reference="A-18"),
        [
            m.PurchaseInvoiceLine(
                account=accounts["623"],
                quantity=D("1"),
                unit_price=D("1000"),
                tax_code=codes["IRPF −15 %"],
            ),
        ],
    )
    # The supplier is owed 850; 150 is owed to Hacienda (4751).
    assert posted(withheld) == {"623": D("1000.00"), "4751": D("-150.00"), "400": D("-850.00")}


def test_a_sales_invoice_withheld_by_the_customer(books):
    company, codes, accounts, customer, _s = books
    invoice = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, date=DAY, withholding=codes["IRPF −15 %"]),
        [
            m.SalesInvoiceLine(
                account=accounts["705"],
                quantity=D("10"),
                unit_price=D("60"),
                tax_code=codes["IVA 21 %"],
            )
        ],
    )
    # The customer pays 600 + 126 − 90; the 90 withheld is an asset (473) until the tax return.
    assert posted(invoice) == {
        "705": D("-600.00"),
        "477": D("-126.00"),
        "473": D("90.00"),
        "430": D("636.00"),
    }


def test_a_vat_code_is_no_withholding(books):
    company, codes, accounts, customer, _s = books
    with pytest.raises(ValidationError, match="Choose a withholding"):
        actions.do_save_transaction(
            company,
            m.SalesInvoice(customer=customer, date=DAY, withholding=codes["IVA 21 %"]),
            [m.SalesInvoiceLine(account=accounts["705"], quantity=D("1"), unit_price=D("6"))],
        )
    assert not m.SalesInvoice.objects.filter(company=company).exists()


def test_a_receipt_and_a_payment_post_their_tax_to_the_side_they_are_on(books):
    company, codes, accounts, customer, supplier = books
    bank = m.BankAccount.objects.get(company=company, kind="bank")
    receipt = actions.do_save_transaction(
        company,
        m.Receipt(bank_account=bank, customer=customer, date=DAY),
        [m.ReceiptLine(account=accounts["700"], amount=D("20"), tax_code=codes["IVA 21 %"])],
    )
    assert posted(receipt) == {"700": D("-20.00"), "477": D("-4.20"), "5720": D("24.20")}
    payment = actions.do_save_transaction(
        company,
        m.Payment(bank_account=bank, supplier=supplier, date=DAY, amounts_include_tax=True),
        [m.PaymentLine(account=accounts["628"], amount=D("60.50"), tax_code=codes["IVA 21 %"])],
    )
    assert posted(payment) == {"628": D("50.00"), "472": D("10.50"), "5720": D("-60.50")}


def test_a_credit_note_posts_its_invoice_reversed_and_lowers_what_is_due(books):
    company, codes, accounts, customer, _s = books
    line = {"account": accounts["700"], "quantity": D("1"), "tax_code": codes["IVA 21 %"]}
    invoice = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, date=DAY),
        [m.SalesInvoiceLine(unit_price=D("200"), **line)],
    )
    note = actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, date=DAY, corrects=invoice),
        [m.SalesInvoiceLine(unit_price=D("50"), **line)],
    )
    assert (invoice.number, note.number) == ("F2026-0001", "R2026-0001")
    assert posted(note) == {"700": D("50.00"), "477": D("10.50"), "430": D("-60.50")}
    balance = balance_of(invoice)
    assert (balance.total, balance.credited, balance.due) == (D("242.00"), D("60.50"), D("181.50"))


def test_a_tax_without_an_account_for_the_side_is_refused_and_nothing_is_saved(books):
    company, _codes, accounts, customer, _s = books
    sales_only = actions.do_save_record(
        company,
        m.TaxCode(name="Recargo", rate=D("5.2"), sales_account=accounts["477"]),
    )
    supplier = actions.do_save_record(company, m.Supplier(name="Mayorista"))
    with pytest.raises(ValidationError, match="has no account for this kind of document"):
        actions.do_save_transaction(
            company,
            m.PurchaseInvoice(supplier=supplier, date=DAY),
            [
                m.PurchaseInvoiceLine(
                    account=accounts["600"],
                    quantity=D("1"),
                    unit_price=D("10"),
                    tax_code=sales_only,
                )
            ],
        )
    assert not m.PurchaseInvoice.objects.filter(company=company).exists()
    assert not m.LedgerEntry.objects.filter(company=company).exists()
    assert customer  # the customer of the fixture is untouched by the refusal


def test_every_taxed_document_of_a_demo_balances_and_posts_what_it_says(db):
    """The demo's documents, posted again by the program, give the ledger the demo wrote."""
    from partida.books.posting import postings
    from partida.demo.generate import do_create_demo_company

    company = do_create_demo_company("Demo impuestos", "small", 3)
    for model in (m.SalesInvoice, m.PurchaseInvoice, m.Receipt, m.Payment):
        for record in model.objects.filter(company=company)[:200]:
            expected: dict = defaultdict(D)
            for account, amount in postings(record):
                expected[getattr(account, "id", account)] += amount
            assert sum(expected.values()) == 0
            written: dict = defaultdict(D)
            for entry in m.LedgerEntry.objects.filter(source_id=record.pk):
                written[entry.account_id] += entry.amount
            assert {k: v for k, v in written.items() if v} == {
                k: v for k, v in expected.items() if v
            }, record


def test_closing_without_a_results_account_says_what_to_do(books):
    company, _codes, accounts, customer, _s = books
    actions.do_save_transaction(
        company,
        m.SalesInvoice(customer=customer, date=DAY),
        [m.SalesInvoiceLine(account=accounts["700"], quantity=D("1"), unit_price=D("5"))],
    )
    m.Account.objects.filter(company=company, code="129").update(role="")
    with pytest.raises(ValidationError, match="No account has the role"):
        actions.do_close_year(company, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert not m.JournalEntry.objects.filter(company=company).exists()
    assert m.Company.objects.get(pk=company.pk).lock_date is None
