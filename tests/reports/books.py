"""A hand-made company for the receivables, statements and IVA reports: every case an
accountant meets once a quarter, typed in through the actions as a person would.

As of 2026-06-30:

- Ana Gómez: F1 (10 January, due 9 February) 1,000 + IVA 21 % = 1,210, 500 received on
  1 March: 710 due, over 90 days. F2 (1 June, due 1 July) 100 + IVA 10 % = 110, not yet due;
  it is paid on 5 July, after the day. A credit note of 10 + IVA on F1 on 2 July, after the day.
  F4 (15 June, due 15 July) 500 + IVA 21 %, IRPF 15 % withheld by Ana: 530, not yet due.
- Bruno Sanz: F3 (15 May, due 20 May) 200 + IVA 21 % = 242, a credit note of 50 + IVA 21 % =
  60.50 on 25 May: 181.50 due, 41 days past due. 300 received on 10 June not applied to an
  invoice: on account.
- A counter sale of 50 + IVA 21 % received in cash (a receipt with a tax code).
- An opening entry: 1,000 owed by customers from before (430 against 129), and 400 owed to
  suppliers.
- Asesoría Lima: P1 (10 April, due 10 May) 1,000 of services + IVA 21 %, IRPF 15 % withheld on
  the invoice: 1,060 owed, 600 paid on 20 May. A payment of 100 of rent + IVA 21 % with IRPF
  on its line.
- Papelería Sol: P2 (1 June, no due date) 80 + IVA 4 %; a credit note of 20 + IVA 4 %.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal as D

from partida.books import actions
from partida.books import models as m

AS_OF = datetime.date(2026, 6, 30)
QUARTER_2 = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))


@dataclass
class Books:
    company: m.Company
    codes: dict
    accounts: dict
    ana: m.Customer
    bruno: m.Customer
    lima: m.Supplier
    sol: m.Supplier
    invoices: dict


def day(month: int, dom: int) -> datetime.date:
    return datetime.date(2026, month, dom)


def make_books() -> Books:
    company = actions.do_create_company("Taller Sur S.L.", "EUR", "es")
    codes = {code.name: code for code in m.TaxCode.objects.filter(company=company)}
    accounts = {account.code: account for account in m.Account.objects.filter(company=company)}
    save = actions.do_save_record
    books = Books(
        company,
        codes,
        accounts,
        save(company, m.Customer(name="Ana Gómez")),
        save(company, m.Customer(name="Bruno Sanz")),
        save(company, m.Supplier(name="Asesoría Lima")),
        save(company, m.Supplier(name="Papelería Sol")),
        {},
    )
    bank = m.BankAccount.objects.filter(company=company).order_by("name").first()

    def sale(key, customer, date, amount, tax, due=None, corrects=None, withholding=None):
        line = m.SalesInvoiceLine(
            account=accounts["700"], quantity=D("1"), unit_price=D(amount), tax_code=codes[tax]
        )
        invoice = m.SalesInvoice(
            customer=customer,
            date=date,
            due_date=due,
            corrects=books.invoices.get(corrects),
            withholding=codes[withholding] if withholding else None,
        )
        books.invoices[key] = actions.do_save_transaction(company, invoice, [line])

    def purchase(key, supplier, date, lines, due=None, corrects=None, withholding=None):
        invoice = m.PurchaseInvoice(
            supplier=supplier,
            date=date,
            due_date=due,
            reference=key,
            corrects=books.invoices.get(corrects),
            withholding=codes[withholding] if withholding else None,
        )
        lines = [
            m.PurchaseInvoiceLine(
                account=accounts[code], quantity=D("1"), unit_price=D(amount), tax_code=codes[tax]
            )
            for code, amount, tax in lines
        ]
        books.invoices[key] = actions.do_save_transaction(company, invoice, lines)

    def receipt(customer, date, amount, invoice=None, account="430", tax=None):
        line = m.ReceiptLine(
            account=accounts[account],
            amount=D(amount),
            invoice=books.invoices.get(invoice),
            tax_code=codes[tax] if tax else None,
        )
        record = m.Receipt(customer=customer, date=date, bank_account=bank, reference="R")
        actions.do_save_transaction(company, record, [line])

    def payment(supplier, date, amount, invoice=None, account="400", tax=None):
        line = m.PaymentLine(
            account=accounts[account],
            amount=D(amount),
            invoice=books.invoices.get(invoice),
            tax_code=codes[tax] if tax else None,
        )
        record = m.Payment(supplier=supplier, date=date, bank_account=bank, reference="P")
        actions.do_save_transaction(company, record, [line])

    opening = m.JournalEntry(date=day(1, 1), description="Asiento de apertura")
    actions.do_save_transaction(
        company,
        opening,
        [
            m.JournalEntryLine(account=accounts["430"], debit=D("1000")),
            m.JournalEntryLine(account=accounts["400"], credit=D("400")),
            m.JournalEntryLine(account=accounts["100"], credit=D("600")),
        ],
    )
    sale("F1", books.ana, day(1, 10), "1000", "IVA 21 %", due=day(2, 9))
    receipt(books.ana, day(3, 1), "500", invoice="F1")
    sale("F2", books.ana, day(6, 1), "100", "IVA 10 %", due=day(7, 1))
    receipt(books.ana, day(7, 5), "110", invoice="F2")
    sale("C2", books.ana, day(7, 2), "10", "IVA 21 %", corrects="F1")
    sale("F4", books.ana, day(6, 15), "500", "IVA 21 %", due=day(7, 15), withholding="IRPF −15 %")
    sale("F3", books.bruno, day(5, 15), "200", "IVA 21 %", due=day(5, 20))
    sale("C1", books.bruno, day(5, 25), "50", "IVA 21 %", corrects="F3")
    receipt(books.bruno, day(6, 10), "300")
    receipt(None, day(5, 3), "50", account="700", tax="IVA 21 %")
    purchase(
        "P1",
        books.lima,
        day(4, 10),
        [("623", "1000", "IVA 21 %")],
        due=day(5, 10),
        withholding="IRPF −15 %",
    )
    payment(books.lima, day(5, 20), "600", invoice="P1")
    payment(books.lima, day(6, 1), "100", account="621", tax="IVA 21 %")
    payment(books.lima, day(6, 1), "100", account="621", tax="IRPF −15 %")
    purchase("P2", books.sol, day(6, 1), [("629", "80", "IVA 4 %")])
    purchase("PC2", books.sol, day(6, 5), [("629", "20", "IVA 4 %")], corrects="P2")
    return books
