"""Who may see what in the cloud edition: a customer's users see only that customer's companies,
their backup jobs and their stored backups. Everything else is "not found".

``CURRENT_CUSTOMER`` holds the customer a request (set by ``CloudAccessMiddleware``) or a
command (``acting_for``) works for, so that what it creates belongs to that customer.
"""

import contextlib
import contextvars
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import HttpRequest

from partida.books.models import Company
from partida.cloud.models import CompanyOwner, Customer, CustomerUser

CURRENT_CUSTOMER: contextvars.ContextVar[Customer | None] = contextvars.ContextVar(
    "partida_current_customer", default=None
)


@contextlib.contextmanager
def acting_for(customer: Customer | None) -> Iterator[None]:
    """What is created inside belongs to ``customer``."""
    token = CURRENT_CUSTOMER.set(customer)
    try:
        yield
    finally:
        CURRENT_CUSTOMER.reset(token)


def current_customer() -> Customer | None:
    return CURRENT_CUSTOMER.get()


def customer_of(user) -> Customer | None:
    """The customer a signed-in user works for, or None (staff, signed-out visitors)."""
    if user is None or not user.is_authenticated:
        return None
    link = CustomerUser.objects.select_related("customer").filter(user=user).first()
    return link.customer if link else None


def companies_of(customer: Customer | None) -> QuerySet[Company]:
    if customer is None:
        return Company.objects.none()
    owned = CompanyOwner.objects.filter(customer=customer).values("company_id")
    return Company.objects.filter(pk__in=owned)


def visible_companies(request: HttpRequest) -> QuerySet[Company]:
    """The ``PARTIDA_COMPANY_ACCESS`` hook of ``partida.books.access``."""
    customer = getattr(request, "customer", None) or customer_of(getattr(request, "user", None))
    return companies_of(customer).order_by("name", "created_at")


def owns_company(customer: Customer | None, company_id) -> bool:
    return (
        customer is not None
        and CompanyOwner.objects.filter(company_id=company_id, customer=customer).exists()
    )


def owns_job(customer: Customer | None, job_id) -> bool:
    from partida.backups.models import Job

    return customer is not None and Job.objects.filter(pk=job_id, owner=customer.pk).exists()


def stored_backup_for(customer: Customer | None, backup_id):
    """The customer's verified stored backup with this key, or None."""
    if customer is None:
        return None
    from partida.autobackups.models import StoredBackup
    from partida.autobackups.retention import stored_backups

    company_id = (
        StoredBackup.objects.filter(pk=backup_id).values_list("company_id", flat=True).first()
    )
    if company_id is None or not owns_company(customer, company_id):
        return None
    return stored_backups(company_id).filter(pk=backup_id).first()


def do_give_company(company: Company, customer: Customer) -> CompanyOwner:
    """Make ``customer`` the owner of ``company``; a company already owned keeps its owner."""
    owner, _created = CompanyOwner.objects.get_or_create(
        company_id=company.pk, defaults={"customer": customer}
    )
    return owner
