"""The default chart of accounts a new company starts with, in Spanish or English."""

from partida.books.models import AccountKind, AccountRole

# (code, kind, role, Spanish name, English name)
DEFAULT_CHART = [
    ("1000", AccountKind.ASSET, AccountRole.NONE, "Inmovilizado", "Fixed assets"),
    ("1200", AccountKind.ASSET, AccountRole.RECEIVABLE, "Clientes", "Accounts receivable"),
    ("1300", AccountKind.ASSET, AccountRole.NONE, "Existencias", "Inventory"),
    ("2000", AccountKind.LIABILITY, AccountRole.PAYABLE, "Proveedores", "Accounts payable"),
    (
        "2100",
        AccountKind.LIABILITY,
        AccountRole.NONE,
        "Hacienda Pública acreedora",
        "Taxes payable",
    ),
    ("2200", AccountKind.LIABILITY, AccountRole.NONE, "Préstamos", "Loans"),
    ("3000", AccountKind.EQUITY, AccountRole.NONE, "Capital social", "Owner's capital"),
    (
        "3100",
        AccountKind.EQUITY,
        AccountRole.RETAINED_EARNINGS,
        "Resultados de ejercicios anteriores",
        "Retained earnings",
    ),
    ("4000", AccountKind.INCOME, AccountRole.NONE, "Ventas", "Sales"),
    ("4100", AccountKind.INCOME, AccountRole.NONE, "Prestación de servicios", "Services"),
    ("4900", AccountKind.INCOME, AccountRole.NONE, "Otros ingresos", "Other income"),
    ("5000", AccountKind.EXPENSE, AccountRole.NONE, "Compras", "Purchases"),
    ("5100", AccountKind.EXPENSE, AccountRole.NONE, "Sueldos y salarios", "Wages and salaries"),
    ("5200", AccountKind.EXPENSE, AccountRole.NONE, "Arrendamientos", "Rent"),
    ("5300", AccountKind.EXPENSE, AccountRole.NONE, "Suministros", "Utilities"),
    ("5400", AccountKind.EXPENSE, AccountRole.NONE, "Servicios bancarios", "Bank charges"),
    ("5500", AccountKind.EXPENSE, AccountRole.NONE, "Material de oficina", "Office supplies"),
    ("5900", AccountKind.EXPENSE, AccountRole.NONE, "Otros gastos", "Other expenses"),
]

BANK_ACCOUNTS_CODE_START = 1700  # each bank or cash account gets the next free code from here
