from django import template

from partida.attachments.actions import attachments_for as _attachments_for

register = template.Library()


@register.simple_tag
def attachments_for(company, kind, record_id):
    """``{% attachments_for company kind record.pk as files %}``: a record's attachments."""
    if company is None or not kind or record_id is None:
        return []
    return _attachments_for(company, kind, record_id)
