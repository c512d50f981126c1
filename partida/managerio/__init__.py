"""Reading Manager.io business files (``.manager``, ``.manager.tar``), the program many of
Partida's users come from, and re-creating their general ledger by Manager's posting rules.

Like ``partida.archive``, this package imports nothing from Django: it decodes an untrusted
file into plain records (``reader``), and derives Manager's ledger from them (``ledger``). The
mapping into Partida's books lives beside the importer, in ``partida.backups``.
"""
