from django.dispatch import receiver

from partida.books.signals import record_changed
from partida.history.actor import current_actor
from partida.history.models import HistoryEntry


@receiver(record_changed, dispatch_uid="history.record_change")
def record_change(sender, company, action, kind, record_id, before, after, **kwargs):
    if record_id is None:
        # Django clears the pk of a deleted instance; the snapshots still name the record.
        record_id = (before or after or {}).get("id")
    actor = current_actor()
    HistoryEntry.objects.create(
        company=company,
        user_name=actor.name,
        user_email=actor.email,
        action=action,
        record_kind=kind,
        record_id=record_id,
        before=before,
        after=after,
    )
