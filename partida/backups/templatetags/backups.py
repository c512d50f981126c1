from django import template

from partida.backups.export import default_backup_name
from partida.backups.forms import BackupForm

register = template.Library()


@register.simple_tag
def backup_form(company) -> BackupForm:
    """The Backup dialog's form: today's suggested name, every part ticked."""
    return BackupForm(initial={"file_name": default_backup_name(company.name)})
