"""Run by test_consistency.py in its own process, on a real data folder or PostgreSQL database.

Makes a demo company, then backs it up; as soon as the backup has started writing, another
thread (with its own database connection) records a journal entry and must finish at once.
Prints a JSON report: whether the writer finished during the backup, the backup's row counts,
and the database's counts afterwards.
"""

import json
import sys
import threading
import time
from decimal import Decimal

import django

django.setup()

from partida.backups.export import backup_to_file, parts_from  # noqa: E402
from partida.books import actions  # noqa: E402
from partida.books import models as m  # noqa: E402
from partida.demo.generate import do_create_demo_company  # noqa: E402


def write_entry(company, report):
    started = time.monotonic()
    bank = m.BankAccount.objects.filter(company=company).first()
    capital = m.Account.objects.get(company=company, code="100")
    actions.do_save_transaction(
        company,
        m.JournalEntry(description="written during the backup"),
        [
            m.JournalEntryLine(account=bank.account, debit=Decimal("10.00")),
            m.JournalEntryLine(account=capital, credit=Decimal("10.00")),
        ],
    )
    report["writer_seconds"] = time.monotonic() - started
    django.db.connection.close()


def main(path):
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    company = do_create_demo_company("Concurrente S.L.", "small", 3)
    report = {"writer_finished_during_backup": False}
    writer = None
    backup_running = [True]

    def on_progress(progress):
        nonlocal writer
        if writer is None:
            writer = threading.Thread(target=write_entry, args=(company, report))
            writer.start()
            writer.join(timeout=15)
            report["writer_finished_during_backup"] = not writer.is_alive() and backup_running[0]

    manifest = backup_to_file(company, path, parts_from(), progress=on_progress)
    backup_running[0] = False
    report["backup_journal_entries"] = manifest.tables["journal_entries"]
    report["backup_ledger_entries"] = manifest.tables["ledger_entries"]
    report["database_journal_entries"] = m.JournalEntry.objects.filter(company=company).count()
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
