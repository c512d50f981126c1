"""The classes of a Manager.io business that Partida brings across, field by field (reference §5).

Each class is a table ``field number -> (name, kind)``; ``decode`` turns one protobuf record into
a ``Record`` holding every named field, absent ones at their default (§3.1). Fields not named here
are skipped, as Manager skips them; a field named here with the wrong wire type is refused.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from partida.managerio import protobuf as pb
from partida.managerio.content_types import CLASS_GUIDS
from partida.managerio.errors import HostileRecord

EMPTY_GUID = uuid.UUID(int=0)

# Kinds of field: the defaults of absent ones, and how a present one is read.
TEXT, BOOL, INT, GUID, DECIMAL, OPTIONAL_DECIMAL, DATE, BYTES, GUIDS = (
    "text",
    "bool",
    "int",
    "guid",
    "decimal",
    "decimal?",
    "date",
    "bytes",
    "guids",
)
DEFAULTS: dict[str, Any] = {
    TEXT: "",
    BOOL: False,
    INT: 0,
    GUID: None,
    DECIMAL: Decimal(0),
    OPTIONAL_DECIMAL: None,
    DATE: None,
    BYTES: b"",
}


class Record:
    """One decoded object: ``key`` (its row's key, or None for a line) and its named fields."""

    __slots__ = ("key", "kind", "fields")

    def __init__(self, key: uuid.UUID | None, kind: str, fields: dict[str, Any]) -> None:
        self.key, self.kind, self.fields = key, kind, fields

    def __getattr__(self, name: str) -> Any:
        try:
            return self.fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"<{self.kind} {self.key} {self.fields}>"


def signed_int(value: int) -> int:
    """A .NET ``int``/``long`` written as a varint: negative ones are ten-byte two's complement."""
    return value - (1 << 64) if value >= 1 << 63 else value


def guid_or_none(value: Any) -> uuid.UUID | None:
    guid = pb.bcl_guid(value)
    return None if guid == EMPTY_GUID else guid


def read_value(kind: str, value: Any, where: str) -> Any:
    if kind == TEXT:
        return pb.text(value)
    if kind in (BOOL, INT):
        if not isinstance(value, int):
            raise HostileRecord(f"{where}: text where a number belongs")
        return bool(value) if kind == BOOL else signed_int(value)
    if kind in (GUID, GUIDS):
        return guid_or_none(value)
    if kind in (DECIMAL, OPTIONAL_DECIMAL):
        return pb.bcl_decimal(value)
    if kind == DATE:
        return pb.bcl_datetime(value)
    if kind == BYTES:
        if not isinstance(value, bytes):
            raise HostileRecord(f"{where}: a number where bytes belong")
        return value
    raise AssertionError(kind)


def decode(kind: str, content: bytes | None, key: uuid.UUID | None = None) -> Record:
    """The record of class ``kind`` that ``content`` encodes (empty content: all defaults)."""
    table = CLASSES[kind]
    message = pb.fields(content or b"")
    values: dict[str, Any] = {}
    for number, (name, field_kind) in table.items():
        found = message.get(number)
        if isinstance(field_kind, str) and field_kind != GUIDS:
            values[name] = (
                read_value(field_kind, found[-1], f"{kind}.{name}")
                if found
                else DEFAULTS[field_kind]
            )
        elif field_kind == GUIDS:
            values[name] = [read_value(GUIDS, value, f"{kind}.{name}") for value in found or ()]
        else:  # a repeated sub-record: the lines of a document
            values[name] = [decode(field_kind[0], sub_record(value, kind)) for value in found or ()]
    unsupported = UNSUPPORTED_LINE_FIELDS.get(kind)
    if unsupported is not None:
        values["unsupported"] = [
            name
            for number, name in unsupported.items()
            if any(guid_or_none(value) for value in message.get(number, ()))
        ]
    return Record(key, kind, values)


def sub_record(value: Any, kind: str) -> bytes:
    if not isinstance(value, bytes):
        raise HostileRecord(f"{kind}: a number where a line belongs")
    return value


SALES_LINE = {
    1: ("item", GUID),
    2: ("account", GUID),
    17: ("description", TEXT),
    18: ("qty", OPTIONAL_DECIMAL),
    19: ("unit_price", DECIMAL),
    20: ("currency_amount", DECIMAL),
    21: ("tax_code", GUID),
    23: ("discount_percentage", DECIMAL),
    24: ("discount_amount", DECIMAL),
}
# Sub-ledger fields a line may point at that Partida does not hold: any of them set refuses.
SALES_LINE_UNSUPPORTED = {9: "capital_account", 10: "sub_account", 13: "special_account"}
SALES_LINE_UNSUPPORTED |= {14: "fixed_asset", 15: "intangible_asset"}
PURCHASE_LINE = SALES_LINE | {19: ("unit_price", DECIMAL)}
PURCHASE_LINE_UNSUPPORTED = SALES_LINE_UNSUPPORTED | {
    5: "billable_expense_customer",
    11: "employee",
}

MONEY_LINE = {
    1: ("item", GUID),
    2: ("account", GUID),
    3: ("customer", GUID),
    4: ("sales_invoice", GUID),
    7: ("supplier", GUID),
    8: ("purchase_invoice", GUID),
    15: ("description", TEXT),
    17: ("qty", OPTIONAL_DECIMAL),
    18: ("amount", DECIMAL),
    19: ("currency_amount", DECIMAL),
    20: ("tax_code", GUID),
    27: ("discount_percentage", DECIMAL),
    28: ("discount_amount", DECIMAL),
}
MONEY_LINE_UNSUPPORTED = {5: "billable_expense_customer", 9: "employee", 10: "capital_account"}
MONEY_LINE_UNSUPPORTED |= {11: "sub_account", 12: "special_account", 13: "fixed_asset"}
MONEY_LINE_UNSUPPORTED |= {14: "intangible_asset", 22: "expense_claims_payer", 26: "investment"}
MONEY_LINE_UNSUPPORTED |= {23: "withholding_tax_payable_supplier"}

JOURNAL_LINE = {
    1: ("account", GUID),
    2: ("customer", GUID),
    3: ("supplier", GUID),
    5: ("sales_invoice", GUID),
    6: ("purchase_invoice", GUID),
    12: ("description", TEXT),
    13: ("debit", DECIMAL),
    14: ("credit", DECIMAL),
    15: ("tax_code", GUID),
    20: ("currency_amount", DECIMAL),
    29: ("bank", GUID),
    30: ("item", GUID),
}
JOURNAL_LINE_UNSUPPORTED = {4: "employee", 8: "special_account", 9: "fixed_asset"}
JOURNAL_LINE_UNSUPPORTED |= {10: "intangible_asset", 11: "capital_account", 17: "sub_account"}
JOURNAL_LINE_UNSUPPORTED |= {18: "expense_claim_payer", 24: "withholding_tax_payable_supplier"}
JOURNAL_LINE_UNSUPPORTED |= {26: "investment"}

NAMED_ACCOUNT = {1: ("name", TEXT), 3: ("group", GUID), 11: ("position", INT), 12: ("code", TEXT)}

CLASSES: dict[str, dict[int, tuple[str, Any]]] = {
    "Schema": {1: ("version", INT)},
    "BusinessDetails": {1: ("name", TEXT), 2: ("address", TEXT), 6: ("country", TEXT)},
    "BaseCurrency": {
        2: ("name", TEXT),
        3: ("code", TEXT),
        5: ("decimal_places", INT),
    },
    "ForeignCurrency": {1: ("name", TEXT), 2: ("code", TEXT)},
    "BalanceSheetGroup": {1: ("name", TEXT), 3: ("group", GUID), 4: ("position", INT)},
    "ProfitAndLossStatementGroup": {
        1: ("name", TEXT),
        3: ("group", GUID),
        5: ("position", INT),
        6: ("type", INT),
    },
    "BalanceSheetAccount": {
        1: ("name", TEXT),
        3: ("group", GUID),
        16: ("position", INT),
        17: ("code", TEXT),
        19: ("inactive", BOOL),
    },
    "ProfitAndLossStatementAccount": {
        1: ("name", TEXT),
        3: ("group", GUID),
        10: ("position", INT),
        11: ("code", TEXT),
        12: ("inactive", BOOL),
    },
    "BalanceSheetAccountsReceivableAccount": NAMED_ACCOUNT,
    "BalanceSheetAccountsPayableAccount": NAMED_ACCOUNT,
    "BalanceSheetCashAtBankAccount": NAMED_ACCOUNT,
    "BalanceSheetTaxPayableAccount": NAMED_ACCOUNT,
    "BalanceSheetRetainedEarningsAccount": NAMED_ACCOUNT,
    "BalanceSheetInterAccountTransfers": NAMED_ACCOUNT,
    "BalanceSheetSuspenseAccount": {},
    "ProfitAndLossStatementAccountRoundingExpense": {
        1: ("name", TEXT),
        3: ("group", GUID),
        10: ("position", INT),
        11: ("code", TEXT),
    },
    "ControlAccountForCustomers": {1: ("name", TEXT), 17: ("code", TEXT)},
    "ControlAccountForSuppliers": {1: ("name", TEXT), 17: ("code", TEXT)},
    "ControlAccountForBankAccounts": {1: ("name", TEXT), 17: ("code", TEXT)},
    "BankOrCashAccount": {
        1: ("name", TEXT),
        3: ("currency", GUID),
        10: ("inactive", BOOL),
        12: ("control_account", GUID),
        13: ("code", TEXT),
        18: ("can_have_pending", BOOL),
        21: ("iban", TEXT),
    },
    "Customer": {
        1: ("name", TEXT),
        2: ("billing_address", TEXT),
        3: ("email", TEXT),
        13: ("code", TEXT),
        14: ("currency", GUID),
        15: ("inactive", BOOL),
        19: ("control_account", GUID),
    },
    "Supplier": {
        1: ("name", TEXT),
        2: ("email", TEXT),
        7: ("address", TEXT),
        10: ("code", TEXT),
        11: ("currency", GUID),
        12: ("inactive", BOOL),
        16: ("control_account", GUID),
    },
    "TaxCode": {
        1: ("name", TEXT),
        2: ("components", ("TaxCode.Component",)),
        4: ("rate", DECIMAL),
        5: ("tax_rate", INT),
        6: ("type", INT),
        7: ("account", GUID),
        10: ("inactive", BOOL),
        11: ("reverse_charged", BOOL),
        21: ("label", TEXT),
    },
    "TaxCode.Component": {1: ("name", TEXT), 2: ("rate", DECIMAL), 4: ("account", GUID)},
    "SalesInvoice": {
        1: ("date", DATE),
        2: ("reference", TEXT),
        3: ("customer", GUID),
        6: ("due_date", DATE),
        8: ("amounts_include_tax", BOOL),
        12: ("description", TEXT),
        20: ("rounding_method", INT),
        22: ("due_days", INT),
        28: ("withholding_tax", BOOL),
        29: ("rounding", BOOL),
        31: ("discount", BOOL),
        32: ("discount_type", INT),
        35: ("early_payment_discount", BOOL),
        41: ("late_payment_fees", BOOL),
        49: ("lines", ("SalesInvoice.Line",)),
        54: ("due_date_type", INT),
        64: ("exchange_rate", DECIMAL),
    },
    "SalesInvoice.Line": SALES_LINE,
    "CreditNote": {
        1: ("date", DATE),
        2: ("reference", TEXT),
        3: ("customer", GUID),
        6: ("amounts_include_tax", BOOL),
        8: ("sales_invoice", GUID),
        9: ("description", TEXT),
        13: ("withholding_tax", BOOL),
        15: ("discount", BOOL),
        16: ("discount_type", INT),
        22: ("lines", ("CreditNote.Line",)),
        30: ("exchange_rate", DECIMAL),
    },
    "CreditNote.Line": SALES_LINE,
    "PurchaseInvoice": {
        1: ("date", DATE),
        2: ("reference", TEXT),
        3: ("supplier", GUID),
        5: ("due_date", DATE),
        7: ("amounts_include_tax", BOOL),
        9: ("description", TEXT),
        14: ("discount", BOOL),
        15: ("discount_type", INT),
        19: ("due_days", INT),
        23: ("lines", ("PurchaseInvoice.Line",)),
        24: ("withholding_tax", BOOL),
        31: ("due_date_type", INT),
        61: ("exchange_rate", DECIMAL),
        68: ("landed_cost_lines", ("PurchaseInvoice.LandedCostLine",)),
    },
    "PurchaseInvoice.Line": PURCHASE_LINE,
    "PurchaseInvoice.LandedCostLine": {2: ("amount", DECIMAL)},
    "DebitNote": {
        1: ("date", DATE),
        2: ("reference", TEXT),
        3: ("supplier", GUID),
        5: ("amounts_include_tax", BOOL),
        6: ("purchase_invoice", GUID),
        7: ("description", TEXT),
        10: ("discount", BOOL),
        11: ("discount_type", INT),
        16: ("lines", ("DebitNote.Line",)),
        22: ("exchange_rate", DECIMAL),
    },
    "DebitNote.Line": PURCHASE_LINE,
    "Receipt": {
        1: ("date", DATE),
        2: ("reference", TEXT),
        3: ("party_type", INT),
        4: ("customer", GUID),
        5: ("supplier", GUID),
        6: ("contact", TEXT),
        7: ("bank", GUID),
        10: ("description", TEXT),
        11: ("lines", ("Receipt.Line",)),
        31: ("amounts_are_tax_exclusive", BOOL),
        32: ("quantity_column", BOOL),
        33: ("unit_price_column", BOOL),
        34: ("fixed_total", BOOL),
        35: ("fixed_total_amount", DECIMAL),
        38: ("discount", BOOL),
        39: ("discount_type", INT),
        45: ("exchange_rate", DECIMAL),
    },
    "Receipt.Line": MONEY_LINE | {25: ("unit_price", DECIMAL), 38: ("transfer_account", GUID)},
    "Payment": {
        1: ("date", DATE),
        2: ("reference", TEXT),
        3: ("party_type", INT),
        4: ("customer", GUID),
        5: ("supplier", GUID),
        6: ("contact", TEXT),
        7: ("bank", GUID),
        10: ("description", TEXT),
        11: ("lines", ("Payment.Line",)),
        32: ("amounts_are_tax_exclusive", BOOL),
        33: ("quantity_column", BOOL),
        34: ("unit_price_column", BOOL),
        35: ("fixed_total", BOOL),
        36: ("fixed_total_amount", DECIMAL),
        39: ("discount", BOOL),
        40: ("discount_type", INT),
        46: ("exchange_rate", DECIMAL),
    },
    "Payment.Line": MONEY_LINE | {25: ("unit_price", DECIMAL), 39: ("transfer_account", GUID)},
    "InterAccountTransfer": {
        1: ("date", DATE),
        2: ("paid_from", GUID),
        3: ("received_in", GUID),
        5: ("description", TEXT),
        6: ("reference", TEXT),
        8: ("credit_amount", DECIMAL),
        9: ("debit_amount", DECIMAL),
    },
    "JournalEntry": {
        1: ("date", DATE),
        2: ("reference", TEXT),
        3: ("narration", TEXT),
        8: ("currency", GUID),
        14: ("lines", ("JournalEntry.Line",)),
    },
    "JournalEntry.Line": JOURNAL_LINE,
    "BankOrCashAccountStartingBalance": {1: ("bank", GUID), 2: ("amount", DECIMAL)},
    "SalesInvoiceStartingBalance": {1: ("invoice", GUID), 2: ("amount", DECIMAL)},
    "PurchaseInvoiceStartingBalance": {1: ("invoice", GUID), 2: ("amount", DECIMAL)},
    "BalanceSheetAccountStartingBalance": {
        1: ("account", GUID),
        2: ("debit_credit", INT),
        3: ("amount", DECIMAL),
    },
    "Attachment": {
        1: ("date", DATE),
        2: ("name", TEXT),
        4: ("size", INT),
        6: ("object", GUID),
        12: ("sha256", BYTES),
    },
}

# Sub-ledger fields per line class whose use Partida cannot hold.
UNSUPPORTED_LINE_FIELDS = {
    "SalesInvoice.Line": SALES_LINE_UNSUPPORTED,
    "CreditNote.Line": SALES_LINE_UNSUPPORTED,
    "PurchaseInvoice.Line": PURCHASE_LINE_UNSUPPORTED,
    "DebitNote.Line": PURCHASE_LINE_UNSUPPORTED,
    "Receipt.Line": MONEY_LINE_UNSUPPORTED,
    "Payment.Line": MONEY_LINE_UNSUPPORTED,
    "JournalEntry.Line": JOURNAL_LINE_UNSUPPORTED,
}

#: Content types of the classes decoded, by GUID (lines have none: they live inside documents).
DECODED = {
    uuid.UUID(CLASS_GUIDS[name]): name
    for name in CLASSES
    if "." not in name and name in CLASS_GUIDS
}
