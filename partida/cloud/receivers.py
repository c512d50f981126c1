"""New companies and backup jobs belong to the customer who made them."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from partida.backups.models import Job
from partida.books.models import Company
from partida.books.signals import company_created
from partida.cloud.access import current_customer, do_give_company
from partida.cloud.models import Customer


@receiver(company_created)
def give_new_company(sender, company: Company, **kwargs) -> None:
    customer = current_customer()
    if customer is not None:
        do_give_company(company, customer)


@receiver(pre_save, sender=Job)
def record_job_owner(sender, instance: Job, **kwargs) -> None:
    customer = current_customer()
    if instance._state.adding and instance.owner is None and customer is not None:
        instance.owner = customer.pk


@receiver(post_save, sender=Job)
def give_imported_company(sender, instance: Job, **kwargs) -> None:
    """An import that ran in a thread of its own: the job knows whose company it made."""
    if (
        instance.kind == Job.Kind.IMPORT
        and instance.state == Job.State.DONE
        and instance.company_id
        and instance.owner
    ):
        company = Company.objects.filter(pk=instance.company_id).first()
        customer = Customer.objects.filter(pk=instance.owner).first()
        if company is not None and customer is not None:
            do_give_company(company, customer)
