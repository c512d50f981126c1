"""Several processes against one PostgreSQL database and one object store: each backup is made
exactly once, and a worker killed in the middle of a backup leaves nothing visible behind."""

import datetime
import os
import signal
import subprocess
import time

from django_tasks_db.models import DBTaskResult

from partida.autobackups.models import StoredBackup
from partida.autobackups.retention import stored_backups
from partida.books.actions import do_create_company

from .conftest import partida_command

COMPANIES = 6


def run_together(commands: list[list[str]], env: dict, timeout: float = 300) -> list:
    """Start the processes at once; wait for all of them; their completed results."""
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for command in commands
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        results.append((process.returncode, out, err))
    return results


def assert_each_backed_up_once(companies, store) -> None:
    for company in companies:
        rows = list(StoredBackup.objects.filter(company_id=company.pk))
        assert len(rows) == 1, f"{company.name}: {len(rows)} backups"
        (backup,) = rows
        assert backup.verified, backup.error
        assert backup.attempts == 1  # claimed once, by one process
        assert store.keys(f"backups/{company.pk}/") == [backup.storage_key]
    assert len(store.keys("backups/")) == len(companies)


def test_two_workers_back_up_every_company_exactly_once(store, partida_env):
    companies = [do_create_company(f"Empresa {n:02d}", "EUR", "es") for n in range(COMPANIES)]
    results = run_together([partida_command("worker", "--batch")] * 2, partida_env)
    for status, out, err in results:
        assert status == 0, err
        assert "Worker stopped after" in out
    assert_each_backed_up_once(companies, store)
    # Each queued job ran once, in one of the workers.
    tasks = list(DBTaskResult.objects.all())
    assert len(tasks) == COMPANIES
    assert all(task.status == "SUCCESSFUL" and len(task.worker_ids) == 1 for task in tasks)


def test_two_run_due_commands_at_once_back_up_every_company_exactly_once(store, partida_env):
    companies = [do_create_company(f"Sociedad {n:02d}", "EUR", "es") for n in range(COMPANIES)]
    results = run_together([partida_command("backups", "run-due")] * 2, partida_env)
    lines = []
    for status, out, err in results:
        assert status == 0, err
        lines += out.splitlines()
    verified = [line for line in lines if ": verified, " in line]
    assert len(verified) == COMPANIES  # each reported once, by whichever made it
    assert_each_backed_up_once(companies, store)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def test_a_killed_worker_leaves_no_backup_behind_and_the_backup_runs_again(
    store, partida_env, settings
):
    company = do_create_company("Interrumpida S.L.", "EUR", "es")
    env = {
        **partida_env,
        # Test only: the worker waits between the upload and the read-back, so that it can be
        # killed with its object in the store and its backup not yet verified.
        "PARTIDA_TEST_ONLY_BACKUP_PAUSE_SECONDS": "120",
    }
    worker = subprocess.Popen(
        partida_command("worker", "--interval", "0.2"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        backup = wait_for(
            lambda: StoredBackup.objects.filter(
                company_id=company.pk, state=StoredBackup.State.RUNNING
            ).first(),
            120,
            "the worker to start the backup",
        )
        wait_for(lambda: store.keys(backup.storage_key), 120, "the upload")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    partial_key = backup.storage_key

    # Nothing visible: the backup is not verified, though its bytes are in the store.
    assert list(stored_backups(company.pk)) == []
    backup.refresh_from_db()
    assert backup.state == StoredBackup.State.RUNNING
    assert store.keys(f"backups/{company.pk}/") == [partial_key]

    # Within the lease, nobody takes it over (the worker might only be slow).
    env = {**partida_env, "PARTIDA_BACKUP_LEASE_SECONDS": "600"}
    status = subprocess.run(
        partida_command("backups", "run-due"), env=env, capture_output=True, text=True
    )
    assert status.returncode == 0, status.stderr
    assert status.stdout == "No backup is due.\n"

    # Once the lease has run out, the next run takes it over and completes it.
    time.sleep(2)
    env = {**partida_env, "PARTIDA_BACKUP_LEASE_SECONDS": "1.5"}
    status = subprocess.run(
        partida_command("backups", "run-due"), env=env, capture_output=True, text=True
    )
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith("Interrumpida S.L.: verified, ")

    backup.refresh_from_db()
    assert backup.verified and backup.attempts == 2
    assert list(stored_backups(company.pk)) == [backup]
    # The partial object is gone; only the verified one is there.
    assert store.keys(f"backups/{company.pk}/") == [backup.storage_key]
    assert backup.storage_key != partial_key


def test_a_running_worker_backs_up_again_each_time_the_interval_passes(store, partida_env):
    company = do_create_company("Periódica S.L.", "EUR", "es")
    env = {
        **partida_env,
        "PARTIDA_WORKER_SCHEDULE_SECONDS": "0.5",
        "PARTIDA_BACKUP_EVERY_HOURS": str(3 / 3600),  # every 3 seconds
    }
    worker = subprocess.Popen(
        partida_command("worker", "--interval", "0.2"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Retention keeps one backup a day, so the first may be gone once the second is made:
        # follow the newest verified backup instead of counting them.
        older = wait_for(lambda: stored_backups(company.pk).first(), 120, "a scheduled backup")
        newer = wait_for(
            lambda: (newest := stored_backups(company.pk).first()) != older and newest,
            120,
            "a second scheduled backup",
        )
    finally:
        worker.terminate()  # SIGTERM: it stops after the job in hand
        worker.wait(60)
    backups = [newer, older]
    assert newer.created_at - older.created_at >= datetime.timedelta(seconds=3)
    assert all(b.trigger == StoredBackup.Trigger.SCHEDULE for b in backups)
