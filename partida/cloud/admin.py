"""The administration screen for staff: customers, their users and subscription dates, who owns
each company, and the automatic backups with their state and the reason of any failure."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partida.cloud.models import CompanyOwner, Customer, CustomerUser


class CustomerUserInline(admin.TabularInline):
    model = CustomerUser
    extra = 1
    autocomplete_fields = ["user"]


class CompanyOwnerInline(admin.TabularInline):
    model = CompanyOwner
    extra = 0
    fields = ["company_id", "company_name"]
    readonly_fields = ["company_name"]

    @admin.display(description=_("company"))
    def company_name(self, owner: CompanyOwner) -> str:
        company = owner.company if owner.pk else None
        return company.name if company is not None else "—"


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "active_until", "subscription", "created_at"]
    search_fields = ["name", "users__user__email"]
    list_filter = ["active_until"]
    inlines = [CustomerUserInline, CompanyOwnerInline]

    @admin.display(description=_("subscription"), boolean=True)
    def subscription(self, customer: Customer) -> bool:
        return not customer.expired


@admin.register(CompanyOwner)
class CompanyOwnerAdmin(admin.ModelAdmin):
    list_display = ["company_id", "company_name", "customer"]
    search_fields = ["company_id", "customer__name"]
    autocomplete_fields = ["customer"]

    @admin.display(description=_("company"))
    def company_name(self, owner: CompanyOwner) -> str:
        company = owner.company
        return company.name if company is not None else _("(deleted)")
