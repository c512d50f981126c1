"""Invented Manager.io businesses for the importer's tests, built with the test-side writer.

Each function returns the :class:`~tests.managerio.writer.Business`; the caller writes it
(``write`` or ``write_tar``) and compares what the product reads with ``expected()``. The keys
of the interesting objects are kept in ``business.named`` (a dict name → key) so tests can
point at them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from tests.managerio.writer import (
    AP,
    AR,
    ASSETS,
    CASH,
    CLASSES,
    EQUITY,
    LIABILITIES,
    RETAINED,
    TAX_PAYABLE,
    Business,
    JournalLine,
    Line,
)

# A tiny, valid PDF (one empty page) used as attachment content.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# An unknown class GUID (not in the appendix) for a row the reader must ignore.
UNKNOWN_CLASS = "0badc0de-1234-4abc-8def-0123456789ab"


def every_rule(tmp_path: Path | None = None) -> Business:
    """A hardware shop exercising every posting rule of §7 the writer implements.

    ``tmp_path`` is accepted for symmetry with pytest fixtures and not used: the caller
    writes the business where it likes. Interesting keys are in ``business.named``."""
    b = Business(seed=2025)
    n = b.named

    b.business_details("Ferretería Ejemplo", "Calle Mayor 1\n28001 Madrid")
    b.base_currency("EUR", "Euro", decimal_places=2)

    # Chart of accounts
    current = n["current_assets"] = b.balance_sheet_group("Activo corriente", ASSETS)
    debts = n["debts"] = b.balance_sheet_group("Deudas", LIABILITIES)
    n["capital_group"] = b.balance_sheet_group("Fondos propios", EQUITY)
    sub = n["sub_group"] = b.balance_sheet_group("Deudas a largo plazo", debts)
    income = n["income_group"] = b.pl_group("Ingresos", 0)
    expenses = n["expenses_group"] = b.pl_group("Gastos", 1)
    sales = n["sales"] = b.pl_account("Ventas de mercaderías", income, "700")
    services = n["services"] = b.pl_account("Prestación de servicios", income, "705")
    purchases = n["purchases"] = b.pl_account("Compras de mercaderías", expenses, "600")
    supplies = n["supplies"] = b.pl_account("Suministros", expenses, "628")
    loan = n["loan"] = b.bs_account("Préstamo bancario", sub, "170")
    vat_10 = n["vat_10_account"] = b.bs_account("H.P. IVA repercutido 10 %", debts, "477.1")
    n["deposits"] = b.bs_account("Fianzas constituidas", current, "565")
    b.rename_builtin(AR, "Clientes", "430")
    b.rename_builtin(RETAINED, "Resultados de ejercicios anteriores", "120")

    bank = n["bank"] = b.bank_account("Banco Santander", "572")
    cash = n["cash"] = b.bank_account("Caja", "570", cash=True)
    lopez = n["lopez"] = b.customer(
        "Construcciones López S.L.", "pedidos@lopez.example", "Av. de la Paz 3\nZaragoza", "C001"
    )
    garcia = n["garcia"] = b.customer("María García", "maria@example.org", code="C002")
    diaz = n["diaz"] = b.supplier("Almacenes Díaz", "ventas@diaz.example", "Pol. Ind. Sur 12")

    # Tax codes: 21 % to Tax payable, 10 % to its own balance-sheet account, a zero-rate code
    # whose Rate is set (it must still post no tax), and a 4 % code pointing at a P&L account
    # (not a balance-sheet account, so its tax falls back to Tax payable).
    iva21 = n["iva21"] = b.tax_code("IVA 21 %", D("21"), label="IVA")
    iva10 = n["iva10"] = b.tax_code("IVA 10 %", D("10"), account=vat_10)
    exempt = n["exempt"] = b.tax_code("Exento", D("21"), tax_rate=0)
    iva4 = n["iva4"] = b.tax_code("IVA 4 %", D("4"), account=sales)

    # Opening balances (DateTime.MinValue against Retained earnings)
    n["bank_sb"] = b.bank_starting_balance(bank, D("5000.00"))
    n["loan_sb"] = b.account_starting_balance(loan, D("2000.00"), credit=True)
    old_sale = n["old_sale"] = b.sales_invoice(
        dt.date(2024, 12, 15), lopez, [Line(sales, D("500.00"), tax_code=exempt)], "2024-090"
    )
    n["old_sale_sb"] = b.invoice_starting_balance(old_sale, D("200.00"))
    old_purchase = n["old_purchase"] = b.purchase_invoice(
        dt.date(2024, 12, 20), diaz, [Line(purchases, D("300.00"))], "F-7781"
    )
    n["old_purchase_sb"] = b.purchase_invoice_starting_balance(old_purchase, D("100.00"))

    # §7.3 worked example: 37.25 at 10 % exclusive ⇒ tax 3.725 → 3.73 (half away from zero)
    n["inv_example"] = b.sales_invoice(
        dt.date(2025, 1, 10),
        lopez,
        [Line(sales, D("37.25"), tax_code=iva10, description="Tornillería")],
        "2025-001",
        due_days=30,
    )
    # Two rates on one invoice, quantities, percentage discount
    n["inv_two_rates"] = b.sales_invoice(
        dt.date(2025, 1, 15),
        lopez,
        [
            Line(sales, unit_price=D("100.00"), qty=D("3"), tax_code=iva21, discount_percentage=10),
            Line(services, D("50.00"), tax_code=iva10, description="Montaje"),
            Line(sales, D("8.00"), qty=D("2.5"), tax_code=iva4, discount_percentage=0),
        ],
        "2025-002",
        discount="percentage",
    )
    # Tax-inclusive invoice
    n["inv_inclusive"] = b.sales_invoice(
        dt.date(2025, 2, 1),
        garcia,
        [Line(sales, D("121.00"), tax_code=iva21, description="Taladro")],
        "2025-003",
        inclusive=True,
    )
    # Exact-amount discount
    n["inv_discount_amount"] = b.sales_invoice(
        dt.date(2025, 2, 3),
        garcia,
        [Line(sales, D("200.00"), tax_code=iva21, discount_amount=D("15.00"))],
        "2025-004",
        discount="amount",
    )
    # Rounding to nearest (12.52 → 13.00) and down (45.50 → 45.00)
    n["inv_round_nearest"] = b.sales_invoice(
        dt.date(2025, 2, 10),
        lopez,
        [Line(sales, D("10.35"), tax_code=iva21)],
        "2025-005",
        rounding="nearest",
    )
    n["inv_round_down"] = b.sales_invoice(
        dt.date(2025, 2, 11),
        garcia,
        [Line(sales, D("45.50"), tax_code=exempt)],
        "2025-006",
        rounding="down",
    )
    # A line to a group key: Suspense
    n["inv_group_line"] = b.sales_invoice(
        dt.date(2025, 2, 12),
        garcia,
        [Line(sales, D("20.00")), Line(income, D("5.00"), description="Cuenta mal elegida")],
        "2025-007",
    )

    # Receipts: a partial one, one settling two invoices, one with no customer (inclusive)
    n["receipt_partial"] = b.receipt(
        dt.date(2025, 2, 15),
        bank,
        [Line(AR, D("200.00"), customer=lopez, invoice=n["inv_two_rates"])],
        customer=lopez,
    )
    n["receipt_two"] = b.receipt(
        dt.date(2025, 2, 20),
        bank,
        [
            Line(AR, D("121.00"), invoice=n["inv_inclusive"]),
            Line(AR, D("223.85"), invoice=n["inv_discount_amount"]),
        ],
        customer=garcia,
    )
    n["receipt_counter"] = b.receipt(
        dt.date(2025, 2, 21),
        cash,
        [Line(sales, D("12.10"), tax_code=iva21, description="Venta de mostrador")],
        payer_other="Cliente de mostrador",
    )
    # Old invoice paid off (its balance due was 300.00 after the starting-balance payment)
    n["receipt_old"] = b.receipt(
        dt.date(2025, 1, 5),
        bank,
        [Line(AR, D("300.00"), customer=lopez, invoice=old_sale)],
    )

    # Credit note linked to the worked-example invoice
    n["credit_note"] = b.credit_note(
        dt.date(2025, 1, 20),
        lopez,
        [Line(sales, D("10.00"), tax_code=iva10, description="Devolución")],
        invoice=n["inv_example"],
    )

    # Purchases: §7.3 worked example, a debit note on it, a partial payment, an expense
    n["purchase"] = b.purchase_invoice(
        dt.date(2025, 1, 12),
        diaz,
        [Line(purchases, D("1200.00"), tax_code=iva21)],
        "A-1001",
        due_days=60,
    )
    n["debit_note"] = b.debit_note(
        dt.date(2025, 1, 25),
        diaz,
        [Line(purchases, D("100.00"), tax_code=iva21, description="Material defectuoso")],
        invoice=n["purchase"],
    )
    n["payment_partial"] = b.payment(
        dt.date(2025, 2, 28),
        bank,
        [Line(AP, D("1000.00"), supplier=diaz, invoice=n["purchase"])],
        supplier=diaz,
    )
    n["payment_expense"] = b.payment(
        dt.date(2025, 3, 1),
        bank,
        [Line(supplies, D("50.00"), tax_code=iva21, description="Electricidad")],
        exclusive=True,
        payee_other="Eléctrica del Norte",
    )
    n["payment_old"] = b.payment(
        dt.date(2025, 1, 8), cash, [Line(AP, D("200.00"), supplier=diaz, invoice=old_purchase)]
    )

    # Transfer and journal entries
    n["transfer"] = b.transfer(dt.date(2025, 3, 2), bank, cash, D("300.00"))
    n["journal"] = b.journal_entry(
        dt.date(2025, 3, 3),
        [
            JournalLine(CASH, debit=D("500.00"), bank=bank),
            JournalLine(loan, credit=D("450.00")),
            JournalLine(AR, credit=D("50.00"), customer=garcia),
        ],
        narration="Ampliación del préstamo",
    )
    unknown_account = n["unknown_account"] = b.new_key()
    n["journal_unbalanced"] = b.journal_entry(
        dt.date(2025, 3, 4),
        [
            JournalLine(supplies, debit=D("25.00")),
            JournalLine(loan, credit=D("20.00")),
            JournalLine(unknown_account, debit=D("7.00")),
            JournalLine(TAX_PAYABLE, debit=D("3.00")),
            JournalLine(AR, debit=D("4.00")),  # no customer: Suspense
            JournalLine(AP, credit=D("4.00"), supplier=diaz),
        ],
        narration="Asiento descuadrado",
    )

    # Records that must not post: a template and an unknown class
    b.template(
        CLASSES["Receipt"],
        {
            1: dt.date(2025, 1, 1),
            7: bank,
            11: [{2: sales, 18: D("999.99")}],
        },
    )
    b.template(CLASSES["SalesInvoice"], {3: lopez, 49: [{2: sales, 19: D("1000.00")}]})
    n["unknown_object"] = b.unknown_object(UNKNOWN_CLASS)

    # Attachments, e-mail, history
    n["attachment"] = b.attach(n["inv_example"], "factura-2025-001.pdf", PDF)
    n["attachment_again"] = b.attach(n["inv_two_rates"], "copia.pdf", PDF)  # same content
    n["attachment_txt"] = b.attach(n["purchase"], "albarán.txt", "Albarán nº 77\n".encode())
    n["legacy_attachment"] = b.legacy_attach(n["old_purchase"], "antiguo.txt", b"legacy bytes")
    n["email"] = b.email(
        "Factura 2025-001",
        "Adjuntamos la factura 2025-001.",
        "pedidos@lopez.example;admin@lopez.example",
        sender="Ferretería Ejemplo",
        user="admin",
        when=dt.datetime(2025, 1, 10, 9, 30, tzinfo=dt.UTC),
    )
    b.change(n["inv_example"], "lucia", dt.datetime(2025, 1, 11, 10, 0, tzinfo=dt.UTC))
    return b


def small_spanish(tmp_path: Path | None = None) -> Business:
    """A small Spanish business for a browser journey: two customers, three invoices at 21 %
    IVA, one receipt, one expense and one attachment."""
    b = Business(seed=34)
    n = b.named
    b.business_details("Taller Ruiz", "Calle del Carmen 8\n46001 Valencia")
    b.base_currency("EUR", "Euro")
    income = b.pl_group("Ingresos", 0)
    expenses = b.pl_group("Gastos", 1)
    repairs = n["repairs"] = b.pl_account("Reparaciones", income, "705")
    rent = n["rent"] = b.pl_account("Arrendamientos", expenses, "621")
    bank = n["bank"] = b.bank_account("Caixa", "572")
    iva = n["iva"] = b.tax_code("IVA 21 %", D("21"), label="IVA")
    ana = n["ana"] = b.customer("Ana Martínez", "ana@example.es", "Calle Colón 5\nValencia")
    ebro = n["ebro"] = b.customer("Talleres Ebro S.L.", "admin@ebro.example", code="C-02")
    owner = n["owner"] = b.supplier("Inmobiliaria Turia")
    n["inv1"] = b.sales_invoice(
        dt.date(2025, 4, 2),
        ana,
        [Line(repairs, D("80.00"), tax_code=iva, description="Reparación de persiana")],
        "F-001",
        due_days=15,
    )
    n["inv2"] = b.sales_invoice(
        dt.date(2025, 4, 9),
        ebro,
        [
            Line(repairs, D("45.00"), qty=D("4"), tax_code=iva, description="Horas de taller"),
            Line(repairs, D("19.90"), tax_code=iva, description="Piezas"),
        ],
        "F-002",
        due_days=30,
    )
    n["inv3"] = b.sales_invoice(
        dt.date(2025, 4, 20),
        ana,
        [Line(repairs, D("30.00"), tax_code=iva, description="Cambio de cerradura")],
        "F-003",
    )
    n["receipt"] = b.receipt(
        dt.date(2025, 4, 25),
        bank,
        [Line(AR, D("96.80"), invoice=n["inv1"])],
        customer=ana,
    )
    n["rent_invoice"] = b.purchase_invoice(
        dt.date(2025, 4, 1), owner, [Line(rent, D("600.00"), tax_code=iva)], "ALQ-04"
    )
    n["attachment"] = b.attach(n["inv1"], "presupuesto.pdf", PDF)
    return b


__all__ = ["PDF", "UNKNOWN_CLASS", "every_rule", "small_spanish"]
