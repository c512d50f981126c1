"""The default chart of accounts and tax codes a new company starts with, by its language.

The Spanish chart follows the Plan General de Contabilidad de PYMES (groups 1 to 7, with the
three-digit accounts a small business uses); the English chart is a comparable small-business
chart. Bank and cash accounts are added to the chart as they are created (see
``bank_account_code_start``).
"""

from decimal import Decimal

from partida.books.models import AccountKind, AccountRole, TaxKind

A, L, E, IN, X = (
    AccountKind.ASSET,
    AccountKind.LIABILITY,
    AccountKind.EQUITY,
    AccountKind.INCOME,
    AccountKind.EXPENSE,
)
R = AccountRole

# (code, kind, role, name)
SPANISH_CHART = [
    ("100", E, R.NONE, "Capital social"),
    ("112", E, R.NONE, "Reserva legal"),
    ("113", E, R.NONE, "Reservas voluntarias"),
    ("120", E, R.NONE, "Remanente"),
    ("129", E, R.RETAINED_EARNINGS, "Resultado del ejercicio"),
    ("170", L, R.NONE, "Deudas a largo plazo con entidades de crédito"),
    ("213", A, R.NONE, "Maquinaria"),
    ("216", A, R.NONE, "Mobiliario"),
    ("217", A, R.NONE, "Equipos para procesos de información"),
    ("281", A, R.NONE, "Amortización acumulada del inmovilizado material"),
    ("300", A, R.NONE, "Mercaderías"),
    ("400", L, R.PAYABLE, "Proveedores"),
    ("410", L, R.NONE, "Acreedores por prestaciones de servicios"),
    ("430", A, R.RECEIVABLE, "Clientes"),
    ("465", L, R.NONE, "Remuneraciones pendientes de pago"),
    ("472", A, R.NONE, "Hacienda Pública, IVA soportado"),
    ("473", A, R.NONE, "Hacienda Pública, retenciones y pagos a cuenta"),
    ("4750", L, R.NONE, "Hacienda Pública, acreedora por IVA"),
    ("4751", L, R.NONE, "Hacienda Pública, acreedora por retenciones practicadas"),
    ("476", L, R.NONE, "Organismos de la Seguridad Social, acreedores"),
    ("477", L, R.NONE, "Hacienda Pública, IVA repercutido"),
    ("520", L, R.NONE, "Deudas a corto plazo con entidades de crédito"),
    ("600", X, R.NONE, "Compras de mercaderías"),
    ("621", X, R.NONE, "Arrendamientos y cánones"),
    ("622", X, R.NONE, "Reparaciones y conservación"),
    ("623", X, R.NONE, "Servicios de profesionales independientes"),
    ("624", X, R.NONE, "Transportes"),
    ("625", X, R.NONE, "Primas de seguros"),
    ("626", X, R.NONE, "Servicios bancarios y similares"),
    ("627", X, R.NONE, "Publicidad, propaganda y relaciones públicas"),
    ("628", X, R.NONE, "Suministros"),
    ("629", X, R.NONE, "Otros servicios"),
    ("631", X, R.NONE, "Otros tributos"),
    ("640", X, R.NONE, "Sueldos y salarios"),
    ("642", X, R.NONE, "Seguridad Social a cargo de la empresa"),
    ("662", X, R.NONE, "Intereses de deudas"),
    ("681", X, R.NONE, "Amortización del inmovilizado material"),
    ("700", IN, R.NONE, "Ventas de mercaderías"),
    ("705", IN, R.NONE, "Prestaciones de servicios"),
    ("759", IN, R.NONE, "Ingresos por servicios diversos"),
    ("769", IN, R.NONE, "Otros ingresos financieros"),
]

ENGLISH_CHART = [
    ("1000", A, R.NONE, "Fixed assets"),
    ("1200", A, R.RECEIVABLE, "Accounts receivable"),
    ("1300", A, R.NONE, "Inventory"),
    ("1400", A, R.NONE, "VAT receivable"),
    ("1410", A, R.NONE, "Tax withheld by customers"),
    ("2000", L, R.PAYABLE, "Accounts payable"),
    ("2100", L, R.NONE, "VAT payable"),
    ("2110", L, R.NONE, "Tax withheld from suppliers"),
    ("2200", L, R.NONE, "Loans"),
    ("3000", E, R.NONE, "Owner's capital"),
    ("3100", E, R.RETAINED_EARNINGS, "Retained earnings"),
    ("4000", IN, R.NONE, "Sales"),
    ("4100", IN, R.NONE, "Services"),
    ("4900", IN, R.NONE, "Other income"),
    ("5000", X, R.NONE, "Purchases"),
    ("5100", X, R.NONE, "Wages and salaries"),
    ("5200", X, R.NONE, "Rent"),
    ("5300", X, R.NONE, "Utilities"),
    ("5400", X, R.NONE, "Bank charges"),
    ("5500", X, R.NONE, "Office supplies"),
    ("5600", X, R.NONE, "Professional fees"),
    ("5900", X, R.NONE, "Other expenses"),
]

CHARTS = {"es": SPANISH_CHART, "en": ENGLISH_CHART}

# (name, rate, kind, code of the account on sales, code of the account on purchases)
V, W = TaxKind.VAT, TaxKind.WITHHOLDING
SPANISH_TAX_CODES = [
    ("IVA 21 %", Decimal("21"), V, "477", "472"),
    ("IVA 10 %", Decimal("10"), V, "477", "472"),
    ("IVA 4 %", Decimal("4"), V, "477", "472"),
    ("IVA 0 % (exento)", Decimal("0"), V, "477", "472"),
    ("IRPF −15 %", Decimal("-15"), W, "473", "4751"),
]
ENGLISH_TAX_CODES = [
    ("VAT 21%", Decimal("21"), V, "2100", "1400"),
    ("VAT 10%", Decimal("10"), V, "2100", "1400"),
    ("VAT 4%", Decimal("4"), V, "2100", "1400"),
    ("VAT 0% (exempt)", Decimal("0"), V, "2100", "1400"),
    ("Withholding −15%", Decimal("-15"), W, "1410", "2110"),
]
TAX_CODES = {"es": SPANISH_TAX_CODES, "en": ENGLISH_TAX_CODES}


def default_chart(language: str) -> list[tuple[str, str, str, str]]:
    return CHARTS.get(language, SPANISH_CHART)


def default_tax_codes(language: str) -> list[tuple[str, Decimal, str, str, str]]:
    return TAX_CODES.get(language, SPANISH_TAX_CODES)


def bank_account_code_start(language: str, kind: str) -> int:
    """Where the codes of new bank and cash accounts start: in the PGC banks are 572x and cash
    570x; in the English chart both follow 1700."""
    if language == "es":
        return 5700 if kind == "cash" else 5720
    return 1700
