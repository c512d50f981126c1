"""The forms of the bookkeeping screens: companies, records, transaction lines, attachments."""

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import inlineformset_factory
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partida.books import models as m
from partida.books.currencies import ISO_4217
from partida.books.invoices import PURCHASES, SALES, invoice_balances
from partida.books.logo import logo_from_upload
from partida.books.numbers import (
    example_number,
    format_day,
    format_money,
    format_number,
    parse_number,
)


def check_currency_code(value: str) -> str:
    """The code in capitals, or a ValidationError that says what to type instead."""
    code = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or code not in ISO_4217:
        raise ValidationError(
            _(
                "“%(code)s” is not an ISO 4217 currency code. Enter three letters, "
                "such as EUR, USD or GBP."
            ),
            code="currency",
            params={"code": value},
        )
    return code


class CompanyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    base_currency = forms.CharField(
        label=gettext_lazy("Base currency"),
        max_length=3,
        initial="EUR",
        help_text=gettext_lazy("The three-letter ISO code of the currency the books are kept in."),
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )
    chart_language = forms.ChoiceField(
        label=gettext_lazy("Language of the chart of accounts"),
        choices=[("es", gettext_lazy("Spanish")), ("en", gettext_lazy("English"))],
        initial="es",
        help_text=gettext_lazy("The default accounts are named in this language."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Enter a name for the company."), code="required")
        return name

    def clean_base_currency(self) -> str:
        return check_currency_code(self.cleaned_data["base_currency"])


class CompanyDetailsForm(forms.ModelForm):
    """The company's name and the details its invoices show (all but the name may be empty)."""

    class Meta:
        model = m.Company
        fields = [
            "name",
            "legal_name",
            "tax_id",
            "street",
            "postcode",
            "city",
            "province",
            "country",
            "email",
            "phone",
            "payment_terms_days",
            "invoice_prefix",
            "credit_note_prefix",
            "lock_date",
        ]
        labels = {
            "name": gettext_lazy("Name"),
            "legal_name": gettext_lazy("Legal name"),
            "tax_id": gettext_lazy("Tax ID (NIF)"),
            "street": gettext_lazy("Street address"),
            "postcode": gettext_lazy("Postcode"),
            "city": gettext_lazy("City"),
            "province": gettext_lazy("Province"),
            "country": gettext_lazy("Country"),
            "email": gettext_lazy("Email"),
            "phone": gettext_lazy("Phone"),
            "payment_terms_days": gettext_lazy("Payment terms (days)"),
            "invoice_prefix": gettext_lazy("Invoice number prefix"),
            "credit_note_prefix": gettext_lazy("Credit note number prefix"),
            "lock_date": gettext_lazy("Lock date"),
        }
        help_texts = {
            "name": gettext_lazy("The name you know the company by in Partida."),
            "legal_name": gettext_lazy(
                "The registered name, such as “Ferretería Núñez, S.L.”, as your invoices "
                "show it. Leave it empty to use the name above."
            ),
            "tax_id": gettext_lazy(
                "The NIF of the company or of the self-employed person, such as B12345674. "
                "Your invoices show it: a Spanish invoice needs it."
            ),
            "street": gettext_lazy("Street, number, floor and door. Your invoices show it."),
            "payment_terms_days": gettext_lazy(
                "How many days after its date a sales invoice falls due, such as 30. A new "
                "sales invoice saved without a due date gets one from this. Leave it empty "
                "for no default."
            ),
            "invoice_prefix": gettext_lazy(
                "Up to eight letters before the year and number of each sales invoice: with F "
                "the first invoice of 2026 is F2026-0001."
            ),
            "credit_note_prefix": gettext_lazy(
                "Credit notes are numbered in a series of their own: with R the first one of "
                "2026 is R2026-0001."
            ),
            "lock_date": gettext_lazy(
                "Nothing dated on or before this day can be added, changed or deleted: the "
                "books of that period are closed. Closing a year moves it to the year's last "
                "day; move it back, or leave it empty, to change a closed period."
            ),
        }
        widgets = {
            "postcode": forms.TextInput(attrs={"size": 8, "autocomplete": "postal-code"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "payment_terms_days": forms.NumberInput(attrs={"size": 4, "min": 0, "max": 365}),
            "invoice_prefix": forms.TextInput(attrs={"size": 8, "autocapitalize": "characters"}),
            "credit_note_prefix": forms.TextInput(
                attrs={"size": 8, "autocapitalize": "characters"}
            ),
            "lock_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    logo_file = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy(
            "A PNG, JPEG, GIF or WebP image of up to 5 MB. Your invoices show it at the top; "
            "it is kept with the books and travels in every backup."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, a prefix keeps what it was (a form sent without it changes nothing).
        for name in ("invoice_prefix", "credit_note_prefix"):
            self.fields[name].required = False

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Enter a name for the company."), code="required")
        return name

    def clean_invoice_prefix(self) -> str:
        return self.cleaned_data["invoice_prefix"].strip() or self.instance.invoice_prefix

    def clean_credit_note_prefix(self) -> str:
        return self.cleaned_data["credit_note_prefix"].strip() or self.instance.credit_note_prefix

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        return logo_from_upload(upload) if upload else None

    def details(self) -> dict:
        """The cleaned values, with surrounding spaces removed from the texts; the logo only
        when one was chosen or removed."""
        details = {
            name: value.strip() if isinstance(value, str) else value
            for name, value in self.cleaned_data.items()
            if name not in ("logo_file", "remove_logo")
        }
        if self.cleaned_data.get("logo_file"):
            details["logo"] = self.cleaned_data["logo_file"]
        elif self.cleaned_data.get("remove_logo"):
            details["logo"] = ""
        return details


# --- Attachments -----------------------------------------------------------------------------


def human_size(size: int) -> str:
    """A file size for people: "31.2 MB", "25 MB", "800 KB", "120 bytes" (localized)."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            places = 0 if value == int(value) else 1
            return f"{number_format(round(value, places), places)} {unit}"
    return _("%(size)s bytes") % {"size": size}


def check_attachment_size(uploaded) -> None:
    limit = settings.PARTIDA_MAX_ATTACHMENT_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _(
                "“%(name)s” is %(size)s; files up to %(limit)s can be attached. "
                "Choose a smaller file."
            ),
            code="too_large",
            params={
                "name": uploaded.name,
                "size": human_size(uploaded.size),
                "limit": human_size(limit),
            },
        )


def acceptable_files(files) -> list:
    """The files among these that can be attached (not over the size limit)."""
    acceptable = []
    for uploaded in files:
        try:
            check_attachment_size(uploaded)
        except ValidationError:
            continue
        acceptable.append(uploaded)
    return acceptable


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files; each one is checked against the attachment size limit."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors = []
        cleaned = []
        for uploaded in files:
            cleaned.append(super().clean(uploaded, initial))
            try:
                check_attachment_size(uploaded)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return cleaned


# --- Records ---------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CompanyRecordForm(forms.ModelForm):
    """A record form whose choices of other records are limited to the same company."""

    def __init__(self, *args, company: m.Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "company_id"):
                field.queryset = queryset.filter(company=company)
            if isinstance(field.widget, forms.DateInput):
                field.widget = DateInput()


class AccountForm(CompanyRecordForm):
    class Meta:
        model = m.Account
        fields = ["code", "name", "kind", "role"]
        help_texts = {
            "role": gettext_lazy(
                "Only for the accounts the program posts to by itself; most accounts have none."
            ),
        }

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        taken = m.Account.objects.filter(company=self.company, code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("An account with code %(code)s already exists. Choose another code."),
                code="unique",
                params={"code": code},
            )
        return code

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        if role:
            taken = m.Account.objects.filter(company=self.company, role=role)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if role != m.AccountRole.BANK and taken.exists():
                raise ValidationError(
                    _(
                        "Another account already has the role “%(role)s”. "
                        "Leave the role empty, or change that account first."
                    ),
                    code="unique_role",
                    params={"role": m.AccountRole(role).label},
                )
        return role


class TaxCodeForm(CompanyRecordForm):
    class Meta:
        model = m.TaxCode
        fields = ["name", "rate", "kind", "sales_account", "purchase_account"]
        help_texts = {
            "rate": gettext_lazy(
                "A percentage, such as 21. A withholding (IRPF) is negative, such as −15. Each "
                "line's tax is its amount times the rate, rounded to the cent (half a cent up)."
            ),
            "sales_account": gettext_lazy(
                "Where the tax of receipts and sales invoices goes: for the VAT charged to "
                "customers, 477 in the Spanish chart."
            ),
            "purchase_account": gettext_lazy(
                "Where the tax of payments and purchase invoices goes: for the VAT paid to "
                "suppliers, 472 in the Spanish chart."
            ),
            "kind": gettext_lazy(
                "VAT (IVA) is added to what the invoice's party pays; a withholding (IRPF) is "
                "kept back from it and paid to the tax office."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rate"] = as_amount_field(self.fields["rate"])
        self.fields["rate"].widget.places = None
        if self.is_bound and "rate" in self.data:
            # The help text and the default taxes write "−15" with a true minus sign, which
            # people copy: read it as the minus a keyboard types.
            self.data = self.data.copy()
            self.data["rate"] = self.data["rate"].replace("\u2212", "-")
        for name in ("sales_account", "purchase_account"):
            # Archived accounts are not offered; the one the tax has already stays, so that
            # the tax can still be saved.
            current = getattr(self.instance, f"{name}_id", None)
            field = self.fields[name]
            offered = field.queryset.filter(archived=False) | field.queryset.filter(pk=current)
            field.queryset = offered.order_by("code")


class BankAccountForm(CompanyRecordForm):
    class Meta:
        model = m.BankAccount
        fields = ["name", "kind", "number"]


class CustomerForm(CompanyRecordForm):
    class Meta:
        model = m.Customer
        fields = ["name", "email", "tax_id", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class SupplierForm(CustomerForm):
    class Meta(CustomerForm.Meta):
        model = m.Supplier


class TransactionForm(CompanyRecordForm):
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments"),
        help_text=gettext_lazy("Scans, receipts or other documents. You can choose several."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "check-input")


AMOUNTS_INCLUDE_TAX_HELP = gettext_lazy(
    "Each line's tax is worked out on the line and rounded to the cent, half a cent up. Without "
    "this, a line's amount is its base and its tax is amount × rate / 100. With tax included, "
    "the tax is amount × rate / (100 + rate) and the base is the amount less its tax."
)
TAXED_FIELDS_HELP = {"amounts_include_tax": AMOUNTS_INCLUDE_TAX_HELP}


class ReceiptForm(TransactionForm):
    class Meta:
        model = m.Receipt
        fields = [
            "date",
            "reference",
            "bank_account",
            "customer",
            "description",
            "amounts_include_tax",
        ]
        help_texts = TAXED_FIELDS_HELP


class PaymentForm(TransactionForm):
    class Meta:
        model = m.Payment
        fields = [
            "date",
            "reference",
            "bank_account",
            "supplier",
            "description",
            "amounts_include_tax",
        ]
        help_texts = TAXED_FIELDS_HELP


class InvoiceForm(TransactionForm):
    """What sales and purchase invoices share: a withholding on the whole base (IRPF), and a
    credit note names the invoice it corrects, which is chosen by the button that opens it (a
    hidden field), and never changes after."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        withholding = self.fields["withholding"]
        current = self.instance.withholding_id
        withholding.queryset = withholding.queryset.filter(kind=m.TaxKind.WITHHOLDING).filter(
            Q(archived=False) | Q(pk=current)
        )
        withholding.empty_label = _("No withholding")
        withholding.widget = DataSelect(
            option_data={str(tax.pk): {"data-rate": str(tax.rate)} for tax in withholding.queryset}
        )
        withholding.widget.choices = withholding.choices
        corrects = self.fields["corrects"]
        corrects.widget = forms.HiddenInput()
        corrects.queryset = corrects.queryset.filter(corrects__isnull=True)
        if not self.instance._state.adding:
            corrects.disabled = True

    @property
    def corrected_invoice(self):
        """The invoice this form's credit note corrects, if it is one."""
        if self.instance.corrects_id:
            return self.instance.corrects
        value = self["corrects"].value()
        if not value:
            return None
        try:
            return self.fields["corrects"].queryset.filter(pk=value).first()
        except (ValueError, ValidationError):
            return None


class SalesInvoiceForm(InvoiceForm):
    class Meta:
        model = m.SalesInvoice
        fields = [
            "date",
            "due_date",
            "reference",
            "customer",
            "description",
            "amounts_include_tax",
            "withholding",
            "draft",
            "corrects",
        ]
        labels = {"draft": gettext_lazy("Save as draft")}
        help_texts = {
            **TAXED_FIELDS_HELP,
            "withholding": gettext_lazy(
                "A tax the customer keeps back from the invoice's whole base and pays to the "
                "tax office, such as a professional's IRPF (−15 %)."
            ),
            "reference": gettext_lazy(
                "Your own reference, such as the customer's order. The invoice number is "
                "given on saving."
            ),
            "draft": gettext_lazy(
                "A draft has no number and posts nothing to the books until you issue it."
            ),
        }

    def __init__(self, *args, company: m.Company, **kwargs):
        super().__init__(*args, company=company, **kwargs)
        self.fields["corrects"].queryset = self.fields["corrects"].queryset.filter(draft=False)
        if not self.instance._state.adding:
            del self.fields["draft"]  # a draft is issued with its own button
        days = company.payment_terms_days
        if days is not None and self.instance._state.adding:
            # Filled in on saving (see ``actions.default_due_date``), so that it follows the
            # invoice's date whatever date is chosen.
            self.fields["due_date"].help_text = ngettext(
                "Leave it empty for %(days)s day after the invoice's date (the company's "
                "payment terms).",
                "Leave it empty for %(days)s days after the invoice's date (the company's "
                "payment terms).",
                days,
            ) % {"days": days}


class PurchaseInvoiceForm(InvoiceForm):
    class Meta:
        model = m.PurchaseInvoice
        fields = [
            "date",
            "due_date",
            "reference",
            "supplier",
            "description",
            "amounts_include_tax",
            "withholding",
            "corrects",
        ]
        help_texts = {
            **TAXED_FIELDS_HELP,
            "withholding": gettext_lazy(
                "A tax you keep back from the invoice's whole base and pay to the tax office, "
                "such as a professional's IRPF (−15 %)."
            ),
            "reference": gettext_lazy("The supplier's number of the invoice."),
        }


class JournalEntryForm(TransactionForm):
    class Meta:
        model = m.JournalEntry
        fields = ["date", "reference", "description"]


RECORD_FORMS: dict[str, type[CompanyRecordForm]] = {
    "account": AccountForm,
    "tax_code": TaxCodeForm,
    "bank_account": BankAccountForm,
    "customer": CustomerForm,
    "supplier": SupplierForm,
    "receipt": ReceiptForm,
    "payment": PaymentForm,
    "sales_invoice": SalesInvoiceForm,
    "purchase_invoice": PurchaseInvoiceForm,
    "journal_entry": JournalEntryForm,
}


# --- Transaction lines -----------------------------------------------------------------------

K = m.AccountKind
ROLES_POSTED_BY_PROGRAM = (m.AccountRole.RECEIVABLE, m.AccountRole.PAYABLE)

# Which kinds of account a line may use, the most likely first.
LINE_ACCOUNT_KINDS: dict[str, tuple[str, ...]] = {
    "receipt": (K.INCOME, K.ASSET, K.LIABILITY, K.EQUITY, K.EXPENSE),
    "payment": (K.EXPENSE, K.LIABILITY, K.ASSET, K.EQUITY, K.INCOME),
    "sales_invoice": (K.INCOME, K.LIABILITY),
    "purchase_invoice": (K.EXPENSE, K.ASSET, K.LIABILITY),
    "journal_entry": (K.ASSET, K.LIABILITY, K.EQUITY, K.INCOME, K.EXPENSE),
}
#: The kinds whose lines carry a tax code; receipts and payments may also pay an invoice.
TAXED_KINDS = ("receipt", "payment", "sales_invoice", "purchase_invoice")
SALES_SIDE_KINDS = ("receipt", "sales_invoice")
PAYING_KINDS = {"receipt": SALES, "payment": PURCHASES}


def line_accounts(company: m.Company, kind: str, keep=()):
    """The accounts a line of this kind of transaction may use: archived ones are not offered,
    but those in ``keep`` (the accounts the record's lines use already) stay."""
    accounts = m.Account.objects.filter(company=company, kind__in=LINE_ACCOUNT_KINDS[kind])
    if kind in ("sales_invoice", "purchase_invoice"):
        accounts = accounts.exclude(role__in=ROLES_POSTED_BY_PROGRAM).exclude(
            role=m.AccountRole.BANK
        )
    return accounts.filter(Q(archived=False) | Q(pk__in=keep)).order_by("code")


def line_taxes(company: m.Company, kind: str, keep=()):
    """The tax codes a line may carry: the company's that are not archived and post on this
    side of the books (or post nothing, at 0 %), and those the record's lines use already."""
    account = "sales_account" if kind in SALES_SIDE_KINDS else "purchase_account"
    offered = Q(archived=False) & (Q(**{f"{account}__isnull": False}) | Q(rate=0))
    return m.TaxCode.objects.filter(company=company).filter(offered | Q(pk__in=keep))


def grouped_account_choices(accounts, kind: str) -> list:
    """Select choices grouped by kind of account, in the order most likely for ``kind``."""
    by_kind: dict[str, list] = {}
    for account in accounts:
        by_kind.setdefault(account.kind, []).append((str(account.pk), str(account)))
    choices: list = [("", "---------")]
    for account_kind in LINE_ACCOUNT_KINDS[kind]:
        if by_kind.get(account_kind):
            choices.append((K(account_kind).label, by_kind[account_kind]))
    return choices


def invoice_label(invoice) -> str:
    """How an invoice is named on the screens: its number, else its reference, else its date."""
    number = getattr(invoice, "number", "")
    return number or invoice.reference or format_day(invoice.date)


def payable_invoices(kind: str, company: m.Company, record) -> tuple[list, dict]:
    """The invoices a receipt's (or payment's) line can pay, as select choices with what each
    option's script needs (its party, what is due): ``invoices.open_invoices`` of every
    customer (or supplier), the script showing those of the one chosen, plus the invoices this
    record pays already, each with what was due before this record paid it."""
    side = PAYING_KINDS[kind]
    issued = side.invoice.objects.filter(company=company, corrects__isnull=True)
    if side is SALES:
        issued = issued.filter(draft=False)
    own: dict = {}
    if not record._state.adding:
        for invoice_id, amount in record.lines.exclude(invoice=None).values_list(
            "invoice_id", "amount"
        ):
            own[invoice_id] = own.get(invoice_id, m.ZERO) + amount
    balances = invoice_balances(side, issued)
    choices: list = [("", "---------")]
    data: dict = {}
    order = ("date", "number") if side is SALES else ("date", "reference")
    for invoice in issued.select_related(side.party).order_by(*order):
        due = balances[invoice.pk].due + own.get(invoice.pk, m.ZERO)
        if due <= 0 and invoice.pk not in own:
            continue
        key = str(invoice.pk)
        label = _("%(invoice)s · %(party)s · due %(due)s") % {
            "invoice": invoice_label(invoice),
            "party": getattr(invoice, side.party).name,
            "due": format_money(due, company.base_currency),
        }
        choices.append((key, label))
        data[key] = {"data-party": str(getattr(invoice, f"{side.party}_id")), "data-due": str(due)}
    return choices, data


class DataSelect(forms.Select):
    """A select whose options carry data attributes: a tax code's rate (the page works out
    each line's tax as saving does), an invoice's party and what is due on it."""

    def __init__(self, attrs=None, choices=(), option_data=None):
        super().__init__(attrs, choices)
        self.option_data = option_data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


@dataclass
class LineChoices:
    """What every line of one form offers, worked out once for all its rows."""

    accounts: object
    account_choices: list
    taxes: object = None
    tax_choices: list = dataclass_field(default_factory=list)
    tax_data: dict = dataclass_field(default_factory=dict)
    invoices: object = None
    invoice_choices: list = dataclass_field(default_factory=list)
    invoice_data: dict = dataclass_field(default_factory=dict)
    counter_account: m.Account | None = None  # receivable or payable: what pays an invoice


class AmountInput(forms.TextInput):
    """A number shown as the person's language writes it: amounts with their two decimals,
    quantities and prices with the decimals they have ("6", "1.336,35")."""

    def __init__(self, places: int | None, at_least: int = 0) -> None:
        super().__init__(attrs={"inputmode": "decimal", "class": "amount", "size": 10})
        self.places = places
        self.at_least = at_least

    def format_value(self, value):
        if isinstance(value, Decimal):
            return format_number(value, self.places, at_least=self.at_least)
        return super().format_value(value)


class AmountField(forms.DecimalField):
    """A number typed as people write it in their language, read by Babel (``numbers``)."""

    def __init__(self, *, places_shown: int | None = 2, at_least: int = 0, **kwargs) -> None:
        kwargs.setdefault("widget", AmountInput(places_shown, at_least))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_number(str(value))
        except ValueError:
            raise ValidationError(
                _("“%(text)s” is not a number as you write one here: write it like %(example)s."),
                code="invalid",
                params={"text": value, "example": example_number()},
            ) from None

    def widget_attrs(self, widget):
        return {}  # a text input: the number input's step, min and max attributes do not apply


def as_amount_field(field: forms.DecimalField, is_price: bool = False) -> AmountField:
    """Amounts show their two decimals; quantities those they have; prices those they have but
    at least the cents."""
    places = 2 if field.decimal_places == 2 else None
    return AmountField(
        at_least=2 if is_price else 0,
        max_digits=field.max_digits,
        decimal_places=field.decimal_places,
        required=field.required,
        label=field.label,
        help_text=field.help_text,
        places_shown=places,
    )


NO_TAX_ON_A_PAID_INVOICE = gettext_lazy(
    "A line that pays an invoice carries no tax: the invoice has it already."
)


class LineForm(forms.ModelForm):
    #: A receipt's or payment's line may pay an invoice (an invoice line's "invoice" is the
    #: invoice it belongs to).
    pays_invoices = False

    def __init__(self, *args, choices: LineChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        account = self.fields["account"]
        account.queryset = choices.accounts
        account.widget.choices = choices.account_choices
        self.fields["description"].widget.attrs["size"] = 24
        for name, field in list(self.fields.items()):
            if isinstance(field, forms.DecimalField):
                self.fields[name] = as_amount_field(field, is_price=name == "unit_price")
        if "tax_code" in self.fields:
            tax = self.fields["tax_code"]
            tax.queryset = choices.taxes
            tax.widget = DataSelect(option_data=choices.tax_data)
            tax.widget.choices = choices.tax_choices
        if self.pays_invoices:
            invoice = self.fields["invoice"]
            invoice.queryset = choices.invoices
            invoice.widget = DataSelect(option_data=choices.invoice_data)
            invoice.widget.choices = choices.invoice_choices
            # A line that pays an invoice posts to receivable (or payable) by itself.
            account.required = False

    def clean(self):
        cleaned = super().clean()
        if not self.pays_invoices:
            return cleaned
        if cleaned.get("invoice") is not None:
            if cleaned.get("tax_code") is not None:
                self.add_error("tax_code", ValidationError(NO_TAX_ON_A_PAID_INVOICE))
            cleaned["account"] = self.choices.counter_account
        elif cleaned.get("account") is None and "account" not in self.errors:
            self.add_error(
                "account", ValidationError(self.fields["account"].error_messages["required"])
            )
        return cleaned


class AmountLineForm(LineForm):
    pays_invoices = True

    class Meta:
        fields = ["account", "invoice", "description", "amount", "tax_code"]


class InvoiceLineForm(LineForm):
    class Meta:
        fields = ["account", "description", "quantity", "unit_price", "tax_code"]

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise ValidationError(_("Enter a quantity above zero."), code="quantity")
        return quantity


class JournalLineForm(LineForm):
    class Meta:
        fields = ["account", "description", "debit", "credit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("debit", "credit"):  # one of the two is left empty
            self.fields[name].required = False
            self.fields[name].initial = None
            if self.initial.get(name) == 0:
                self.initial[name] = None

    def clean(self):
        cleaned = super().clean()
        debit = cleaned["debit"] = cleaned.get("debit") or m.ZERO
        credit = cleaned["credit"] = cleaned.get("credit") or m.ZERO
        if debit < 0 or credit < 0:
            raise ValidationError(
                _("Debits and credits are amounts above zero; put a refund on the other side."),
                code="negative",
            )
        if debit and credit:
            raise ValidationError(
                _("A journal entry line has either a debit or a credit, not both."),
                code="debit_and_credit",
            )
        return cleaned


class LineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.filled_forms():
            raise ValidationError(_("Add at least one line with an amount."), code="no_lines")

    def filled_forms(self) -> list[forms.ModelForm]:
        """The rows to keep: empty extra rows have no cleaned data; deleted rows are left out."""
        return [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("account")
        ]

    def lines(self) -> list:
        return [form.instance for form in self.filled_forms()]


LINE_MODELS = {
    "receipt": (m.Receipt, m.ReceiptLine, AmountLineForm),
    "payment": (m.Payment, m.PaymentLine, AmountLineForm),
    "sales_invoice": (m.SalesInvoice, m.SalesInvoiceLine, InvoiceLineForm),
    "purchase_invoice": (m.PurchaseInvoice, m.PurchaseInvoiceLine, InvoiceLineForm),
    "journal_entry": (m.JournalEntry, m.JournalEntryLine, JournalLineForm),
}


def line_choices(kind: str, company: m.Company, record) -> LineChoices:
    """What the lines of this record offer: accounts, taxes and, to pay, invoices."""
    used = record.lines.all() if not record._state.adding else None
    keep_accounts = () if used is None else used.values("account_id")
    accounts = line_accounts(company, kind, keep_accounts)
    choices = LineChoices(accounts, grouped_account_choices(accounts, kind))
    if kind not in TAXED_KINDS:
        return choices
    keep_taxes = () if used is None else used.exclude(tax_code=None).values("tax_code_id")
    taxes = line_taxes(company, kind, keep_taxes)
    choices.taxes = taxes
    choices.tax_choices = [("", _("No tax"))] + [(str(tax.pk), str(tax)) for tax in taxes]
    choices.tax_data = {str(tax.pk): {"data-rate": str(tax.rate)} for tax in taxes}
    if kind in PAYING_KINDS:
        side = PAYING_KINDS[kind]
        choices.invoices = side.invoice.objects.filter(company=company, corrects__isnull=True)
        choices.invoice_choices, choices.invoice_data = payable_invoices(kind, company, record)
        role = m.AccountRole.RECEIVABLE if side is SALES else m.AccountRole.PAYABLE
        choices.counter_account = m.Account.objects.filter(company=company, role=role).first()
    return choices


def line_formset(kind: str, company: m.Company, record, data=None, initial=None):
    """The lines of a transaction, with a few empty rows to fill in; ``initial`` fills the
    first new rows (a receipt for an invoice, a credit note's lines)."""
    parent, line_model, form = LINE_MODELS[kind]
    extra = 3 if record._state.adding else 1
    if initial:
        extra = len(initial) + 1
    formset_class = inlineformset_factory(
        parent,
        line_model,
        form=form,
        formset=LineFormSet,
        fields=list(form.Meta.fields),  # the factory appends to the list it is given
        extra=extra,
        can_delete=True,
    )
    return formset_class(
        data,
        instance=record,
        prefix="lines",
        initial=initial,
        form_kwargs={"choices": line_choices(kind, company, record)},
    )
