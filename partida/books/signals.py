"""Signals the books send, so that other concerns (history, attachments) can follow changes
without the books importing them.

``record_changed``: sent after a company record is created, updated or deleted, inside the
same database transaction. Arguments: ``company`` (Company), ``action`` ("create", "update",
"delete"), ``kind`` (record kind, see ``partida.books.kinds``), ``record_id`` (UUID),
``before`` and ``after`` (JSON-ready dicts, or None).

``company_deleted``: sent after a company and all its rows are deleted, inside the same
transaction. Argument: ``company_id``. Listeners clean up what the database cannot, such as
stored files no other company uses.

``attachments_submitted``: sent by the transaction screens after a transaction is saved with
files chosen in its "Attachments" field, inside the same database transaction as the save, so
that a listener that raises (a ValidationError, to refuse a file with a message) undoes the
whole save. Arguments: ``company`` (Company), ``kind`` (a transaction kind, see
``partida.books.kinds``), ``record_id`` (UUID of the saved transaction) and ``files`` (a list
of Django ``UploadedFile``, each already checked against ``PARTIDA_MAX_ATTACHMENT_BYTES``)
and ``held`` (the tokens of files held from an earlier submission of the form, see
``hold_attachments``). Sent only when at least one file was chosen or held. The attachments
app listens and stores them; the books never import it.

``hold_attachments``: sent by the transaction screens when a form with files comes back with
an error, since a browser never fills a file input again. Arguments: ``company``, ``files``
(the files just chosen that pass their own checks) and ``held`` (tokens of files held before
that the person still wants). A listener keeps them until the form is saved and returns a
list of dicts, one a file: ``token`` (for the form's hidden field), ``filename`` and ``size``.

``company_created``: sent once a new company exists: made by Add company, by Import company
(after the import has committed) or by the demo generator. Argument: ``company``. The cloud
edition listens to give the company to the customer who made it.
"""

from django.dispatch import Signal

record_changed = Signal()
company_deleted = Signal()
attachments_submitted = Signal()
hold_attachments = Signal()
company_created = Signal()
