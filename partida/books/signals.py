"""Signals the books send, so that other concerns (history, attachments) can follow changes
without the books importing them.

``record_changed``: sent after a company record is created, updated or deleted, inside the
same database transaction. Arguments: ``company`` (Company), ``action`` ("create", "update",
"delete"), ``kind`` (record kind, see ``partida.books.kinds``), ``record_id`` (UUID),
``before`` and ``after`` (JSON-ready dicts, or None).

``company_deleted``: sent after a company and all its rows are deleted, inside the same
transaction. Argument: ``company_id``. Listeners clean up what the database cannot, such as
stored files no other company uses.
"""

from django.dispatch import Signal

record_changed = Signal()
company_deleted = Signal()
