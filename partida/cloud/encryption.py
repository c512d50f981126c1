"""A customer's passphrase for the automatic backups of their companies (``BackupPassphrase``).

``passphrase_for_company`` is the ``PARTIDA_AUTOMATIC_BACKUP_PASSPHRASE`` hook of
``partida.autobackups``: the passphrase a company's backups are encrypted with, or None.
"""

from django.utils import timezone

from partida.cloud.models import BackupPassphrase, CompanyOwner, Customer


def do_set_backup_passphrase(customer: Customer, passphrase: str) -> BackupPassphrase:
    """From now on, the customer's automatic backups are encrypted with ``passphrase``; those
    made before keep the passphrase (or none) they were made with."""
    saved, _ = BackupPassphrase.objects.update_or_create(
        customer=customer, defaults={"passphrase": passphrase, "changed_at": timezone.now()}
    )
    return saved


def do_remove_backup_passphrase(customer: Customer) -> None:
    BackupPassphrase.objects.filter(customer=customer).delete()


def encrypts_backups(customer: Customer) -> bool:
    return BackupPassphrase.objects.filter(customer=customer).exists()


def passphrase_for_company(company_id) -> str | None:
    owner = CompanyOwner.objects.filter(company_id=company_id).only("customer_id").first()
    if owner is None:
        return None
    saved = BackupPassphrase.objects.filter(customer_id=owner.customer_id).first()
    return saved.passphrase if saved is not None and saved.passphrase else None
