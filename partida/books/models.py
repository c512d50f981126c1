"""The books of a company: chart of accounts, contacts, transactions and the general ledger.

Every company-owned row has a UUID key and a direct ``company`` foreign key, so that a company's
rows can be selected, exported and moved between databases with one indexed filter per table.
Amounts are ``Decimal``; a ledger amount is positive for a debit and negative for a credit.
"""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal("0.00")
#: Longest payment terms a company may set: beyond that a due date is no longer a due date.
MAX_PAYMENT_TERMS_DAYS = 365
#: A logo is kept as base64 of a PNG of at most 300 KB.
MAX_LOGO_CHARACTERS = 400_000
PREFIX_VALIDATOR = RegexValidator(
    r"^[A-Za-z]{0,8}$", _("A prefix is up to eight letters, such as F or FV.")
)


class Company(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    base_currency = models.CharField(_("base currency"), max_length=3, default="EUR")
    chart_language = models.CharField(
        _("language of the chart of accounts"),
        max_length=2,
        choices=[("es", _("Spanish")), ("en", _("English"))],
        default="es",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The company's details, as its invoices show them: a Spanish invoice needs the seller's
    # legal name, tax ID and address. All may be empty (a company made before they existed).
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True, default="")
    tax_id = models.CharField(_("tax ID"), max_length=32, blank=True, default="")
    street = models.CharField(_("street address"), max_length=200, blank=True, default="")
    postcode = models.CharField(_("postcode"), max_length=20, blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    province = models.CharField(_("province"), max_length=100, blank=True, default="")
    country = models.CharField(_("country"), max_length=100, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_PAYMENT_TERMS_DAYS)],
    )
    # Sales invoices are numbered "<prefix><year>-<number>" (F2026-0001); credit notes, which
    # Spanish rules want in a series of their own, with their own prefix (R2026-0001).
    invoice_prefix = models.CharField(
        _("invoice number prefix"), max_length=8, default="F", validators=[PREFIX_VALIDATOR]
    )
    credit_note_prefix = models.CharField(
        _("credit note number prefix"), max_length=8, default="R", validators=[PREFIX_VALIDATOR]
    )
    # The company's logo for its invoices and reports: a PNG, base64, made by ``books.logo``
    # from the image the user chose (scaled down, metadata dropped); empty for none.
    logo = models.CharField(
        _("logo"), max_length=MAX_LOGO_CHARACTERS, blank=True, default="", editable=False
    )
    # Nothing dated on or before this day can be added, changed or deleted (a closed period).
    lock_date = models.DateField(_("lock date"), null=True, blank=True)

    class Meta:
        ordering = ["name", "created_at"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name

    @property
    def invoice_name(self) -> str:
        """The name an invoice gives the seller: the legal name, else the company's name."""
        return self.legal_name or self.name

    @property
    def address_lines(self) -> list[str]:
        """The address as it is printed: street, then postcode and city, province, country."""
        town = " ".join(part for part in (self.postcode, self.city) if part)
        lines = [self.street, town, self.province, self.country]
        return [line for line in lines if line]


class CompanyOrigin(models.Model):
    """How this installation's copy of a company came to be: added here, or imported from a
    backup file (named as the person chose it), and when (UTC).

    Not carried in backups: it describes this copy, not the books. A backup of a restored company
    imported elsewhere says there where *that* copy came from. A company older than this record
    has none; it was added on its ``created_at``.
    """

    class How(models.TextChoices):
        CREATED = "created", _("created")
        IMPORTED = "imported", _("imported")

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, primary_key=True, related_name="origin"
    )
    how = models.CharField(max_length=8, choices=How.choices)
    at = models.DateTimeField(default=timezone.now)
    backup_file = models.CharField(max_length=255, blank=True)

    NOT_BOOKS = True  # about this copy, not the books: `partida summary` does not count it

    class Meta:
        verbose_name = _("origin of this copy")
        verbose_name_plural = _("origins of this copy")

    def __str__(self) -> str:
        return f"{self.how} {self.at:%Y-%m-%d} {self.backup_file}".strip()


class CompanyOwned(models.Model):
    """Base of every row that belongs to one company and travels with its backup."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class AccountRole(models.TextChoices):
    """Accounts the program posts to by itself."""

    NONE = "", _("None")
    RECEIVABLE = "receivable", _("Accounts receivable")
    PAYABLE = "payable", _("Accounts payable")
    BANK = "bank", _("Bank or cash account")
    RETAINED_EARNINGS = "retained_earnings", _("Retained earnings")


class Account(CompanyOwned):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    role = models.CharField(
        _("role"), max_length=20, choices=AccountRole.choices, blank=True, default=""
    )
    # An archived account keeps its movements and reports but is no longer offered for new
    # lines: an account with history cannot be deleted, and a chart should not only grow.
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["code", "name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="account_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class InvoiceCounter(CompanyOwned):
    """The last number given in one series of invoice numbers (such as F2026), so that a
    number is never given twice, even after the invoice that had it is gone."""

    series = models.CharField(max_length=20)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number series")
        verbose_name_plural = _("invoice number series")
        constraints = [
            models.UniqueConstraint(fields=["company", "series"], name="invoice_series_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.last_number}"


class TaxKind(models.TextChoices):
    VAT = "vat", _("VAT")
    WITHHOLDING = "withholding", _("Withholding")


class TaxCode(CompanyOwned):
    """A tax a line can carry: its rate, and the accounts its amount posts to on the sales side
    (receipts and sales invoices) and on the purchase side (payments and purchase invoices).

    A withholding (IRPF) has a negative rate: it lowers what the invoice's party is owed.
    """

    name = models.CharField(_("name"), max_length=100)
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TaxKind.choices, default=TaxKind.VAT)
    sales_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account on sales"),
    )
    purchase_account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account on purchases"),
    )
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["kind", "-rate", "name"]
        verbose_name = _("tax code")
        verbose_name_plural = _("tax codes")

    def __str__(self) -> str:
        return self.name


class BankAccount(CompanyOwned):
    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        CASH = "cash", _("Cash")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.BANK)
    number = models.CharField(_("account number"), max_length=64, blank=True)
    account = models.OneToOneField(
        Account, on_delete=models.PROTECT, related_name="bank_account", editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("bank or cash account")
        verbose_name_plural = _("bank and cash accounts")

    def __str__(self) -> str:
        return self.name


class Contact(CompanyOwned):
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    tax_id = models.CharField(_("tax ID"), max_length=32, blank=True)
    address = models.TextField(_("address"), blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(Contact):
    class Meta(Contact.Meta):
        verbose_name = _("customer")
        verbose_name_plural = _("customers")


class Supplier(Contact):
    class Meta(Contact.Meta):
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")


class Transaction(CompanyOwned):
    """What every kind of transaction shares; each posts balanced lines to the ledger."""

    date = models.DateField(_("date"), default=timezone.localdate)
    description = models.CharField(_("description"), max_length=500, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)

    class Meta:
        abstract = True
        ordering = ["-date", "reference"]

    def __str__(self) -> str:
        label = self.reference or self.description or str(self.pk)[:8]
        return f"{self._meta.verbose_name} {label} ({self.date})"


class TaxedTransaction(Transaction):
    """A transaction whose lines may carry tax codes."""

    amounts_include_tax = models.BooleanField(_("amounts include tax"), default=False)

    class Meta(Transaction.Meta):
        abstract = True


class Receipt(TaxedTransaction):
    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, verbose_name=_("received in")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("payer"),
    )

    class Meta(TaxedTransaction.Meta):
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        indexes = [models.Index(fields=["company", "date"])]


class Payment(TaxedTransaction):
    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, verbose_name=_("paid from")
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("payee"),
    )

    class Meta(TaxedTransaction.Meta):
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["company", "date"])]


class WithheldInvoice(TaxedTransaction):
    """An invoice from which the payer withholds a tax on the whole base (IRPF on a
    professional's invoice): the withholding lowers what the invoice's party is owed."""

    withholding = models.ForeignKey(
        TaxCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withholding"),
    )
    # The sum of the lines' bases times the withholding's rate, rounded to the cent half away
    # from zero, worked out when the invoice is saved; negative for a negative rate.
    withholding_amount = models.DecimalField(_("amount withheld"), default=ZERO, **MONEY)

    class Meta(TaxedTransaction.Meta):
        abstract = True


class SalesInvoice(WithheldInvoice):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, verbose_name=_("customer"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Given when the invoice is issued, from the company's series; empty while it is a draft
    # (and for an invoice from before numbering, format version 2 or older).
    number = models.CharField(_("number"), max_length=32, blank=True, default="")
    # A draft posts nothing and has no number until it is issued.
    draft = models.BooleanField(_("draft"), default=False)
    # A credit note (factura rectificativa) names the invoice it corrects; its lines are typed
    # as positive amounts and post with the opposite sign.
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("corrects invoice"),
    )

    class Meta(WithheldInvoice.Meta):
        verbose_name = _("sales invoice")
        verbose_name_plural = _("sales invoices")
        indexes = [models.Index(fields=["company", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"],
                condition=~models.Q(number=""),
                name="sales_invoice_number_unique",
            )
        ]


class PurchaseInvoice(WithheldInvoice):
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, verbose_name=_("supplier"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # A supplier's credit note names the purchase invoice it corrects, as for sales.
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("corrects invoice"),
    )

    class Meta(WithheldInvoice.Meta):
        verbose_name = _("purchase invoice")
        verbose_name_plural = _("purchase invoices")
        indexes = [models.Index(fields=["company", "date"])]


class JournalEntry(Transaction):
    # The entry that closes a year: it moves the year's income and expenses to the results
    # account, and the profit and loss of that year leaves it out.
    closes_year = models.BooleanField(_("closes the year"), default=False)

    class Meta(Transaction.Meta):
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        indexes = [models.Index(fields=["company", "date"])]


class Line(CompanyOwned):
    """One line of a receipt, payment or invoice: an account, an amount and maybe a tax.

    ``amount`` is the line's total as typed (with or without the tax, as the document says);
    ``tax_amount`` is the tax worked out from it when it was saved (see ``posting.line_tax``).
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, verbose_name=_("account"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    tax_code = models.ForeignKey(
        TaxCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tax"),
    )
    tax_amount = models.DecimalField(_("tax amount"), default=ZERO, **MONEY)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"


class ReceiptLine(Line):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    # The invoice this line pays (then its account is the receivable account).
    invoice = models.ForeignKey(
        "SalesInvoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="receipt_lines",
        verbose_name=_("invoice paid"),
    )

    class Meta(Line.Meta):
        verbose_name = _("receipt line")
        verbose_name_plural = _("receipt lines")


class PaymentLine(Line):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(
        "PurchaseInvoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_lines",
        verbose_name=_("invoice paid"),
    )

    class Meta(Line.Meta):
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")


class InvoiceLine(Line):
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4, default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=4)

    class Meta(Line.Meta):
        abstract = True


class SalesInvoiceLine(InvoiceLine):
    invoice = models.ForeignKey(SalesInvoice, on_delete=models.CASCADE, related_name="lines")

    class Meta(Line.Meta):
        verbose_name = _("sales invoice line")
        verbose_name_plural = _("sales invoice lines")


class PurchaseInvoiceLine(InvoiceLine):
    invoice = models.ForeignKey(PurchaseInvoice, on_delete=models.CASCADE, related_name="lines")

    class Meta(Line.Meta):
        verbose_name = _("purchase invoice line")
        verbose_name_plural = _("purchase invoice lines")


class JournalEntryLine(CompanyOwned):
    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, verbose_name=_("account"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    debit = models.DecimalField(_("debit"), default=ZERO, **MONEY)
    credit = models.DecimalField(_("credit"), default=ZERO, **MONEY)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("journal entry line")
        verbose_name_plural = _("journal entry lines")

    def __str__(self) -> str:
        return f"{self.account_id} {self.debit} / {self.credit}"


class LedgerEntry(CompanyOwned):
    """One posting to the general ledger. Positive amounts are debits, negative are credits.

    ``source_kind`` and ``source_id`` name the transaction that made it (``receipt``,
    ``payment``, ``sales_invoice``, ``purchase_invoice``, ``journal_entry``).
    """

    date = models.DateField()
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="ledger_entries")
    amount = models.DecimalField(**MONEY)
    source_kind = models.CharField(max_length=20)
    source_id = models.UUIDField()

    class Meta:
        ordering = ["date", "source_kind", "source_id", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("general ledger")
        indexes = [
            models.Index(fields=["company", "date"]),
            models.Index(fields=["source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.account_id} {self.amount}"


class AccountDay(CompanyOwned):
    """What one account moved on one day, in whole cents: the Summary sums these, not the ledger.

    Derived from the ledger and kept in step by every posting, so that the Summary of a company
    with a million ledger entries costs about what a new company's does. Cents are integers so
    the sums are exact on every engine. Not carried in backups: an import rebuilds it.
    """

    DERIVED = True  # not data of its own: `partida summary` does not count it

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    cents = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="account_day_unique")
        ]
        indexes = [models.Index(fields=["company", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.account_id} {self.cents}"
