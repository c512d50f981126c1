from django import template

from partida.autobackups.desktop import is_desktop
from partida.autobackups.notice import backup_notice

register = template.Library()


@register.simple_tag
def desktop_edition() -> bool:
    return is_desktop()


@register.simple_tag
def company_backup_notice(company):
    """The Summary's notice about the company's backups, or None."""
    return backup_notice(company)
