"""Changes to a company's mail server settings."""

from django.db import transaction

from partida.books.models import Company
from partida.mail.models import SmtpSettings


@transaction.atomic
def do_save_smtp_settings(company: Company, smtp: SmtpSettings) -> SmtpSettings:
    smtp.company = company
    smtp.full_clean()
    smtp.save()
    return smtp


@transaction.atomic
def do_delete_smtp_settings(company: Company) -> None:
    SmtpSettings.objects.filter(company=company).delete()
