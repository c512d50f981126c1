"""The Backup dialog and Import company in the cloud edition: the web process only queues the
job and keeps its file in the object store; a worker process (``partida worker``) runs it. So a
download or a preview works from any web process, and a job does not die with the one that
received the request. Another customer finds none of it.

Everything here is real: PostgreSQL, moto's S3-compatible server, and ``partida worker`` started
as a process of its own in the cloud edition, with the attachments in the object store too.
"""

import io
import os
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from partida.attachments.actions import do_attach
from partida.attachments.models import Attachment
from partida.attachments.store import open_blob
from partida.backups import passphrases
from partida.backups.export import backup_to_file, parts_from
from partida.backups.importer import do_import_company, open_backup
from partida.backups.job_files import job_files
from partida.backups.jobs import KEEP_BACKUP_FILES
from partida.backups.models import Job
from partida.backups.storage import s3_options_from_environment
from partida.books import models as m
from partida.books.summary import summarize
from partida.cloud.models import CompanyOwner
from tests.cloud.cloud_fixtures import *  # noqa: F403
from tests.cloud.cloud_fixtures import make_account

from .conftest import partida_command

ALL_PARTS = {"attachments": "on", "emails": "on", "history": "on"}


@pytest.fixture
def cloud_store(cloud, store, s3_server, settings):
    """The cloud edition as it runs: attachments in the object store too, and jobs queued for
    the workers instead of run within the request."""
    options = s3_options_from_environment(s3_server.environment)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "addressing_style": "path", "signature_version": "s3v4"},
        },
    }
    settings.PARTIDA_JOBS_IN_THREADS = True  # not inline: in the cloud, that means a worker
    return store


# The customers of cloud_fixtures, made once the store above is in place.
@pytest.fixture
def alice(cloud_store):
    return make_account("alice@example.com", "Alice Bakery")


@pytest.fixture
def bob(cloud_store):
    return make_account("bob@example.com", "Bob Hardware")


@pytest.fixture
def worker_env(partida_env):
    """A ``partida`` process of the cloud edition on this test's database and store."""
    return partida_env


def run_worker(env: dict) -> str:
    """``partida worker --batch``: every queued job, then stop. Its output."""
    done = subprocess.run(
        partida_command("worker", "--batch"), env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def job_key(job: Job) -> str:
    return f"jobs/{job.pk}.manager"


def test_a_backup_from_the_dialog_is_made_by_a_worker_and_downloads_from_the_store(
    alice, bob, worker_env, tmp_path
):
    response = alice.client.post(
        reverse("backups:backup", kwargs={"company_id": alice.company.pk}),
        {"file_name": "Alice Bakery (copia).manager", **ALL_PARTS},
    )
    assert response.status_code == 302
    job = Job.objects.get(kind=Job.Kind.BACKUP, company_id=alice.company.pk)
    assert job.owner == alice.customer.pk
    # The web process only queued it.
    assert job.state == Job.State.WAITING
    assert DBTaskResult.objects.ready().count() == 1
    status = alice.client.get(response.url + "?format=json").json()
    assert status["state"] == "waiting" and "download_url" not in status

    run_worker(worker_env)

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    store = job_files()
    assert job.path == job_key(job) and store.exists(job)
    status = alice.client.get(response.url + "?format=json").json()
    download = reverse("backups:download", kwargs={"job_id": job.pk})
    assert status["state"] == "done" and status["download_url"] == download

    # Another customer finds neither the job nor its file.
    assert bob.client.get(response.url).status_code == 404
    assert bob.client.get(response.url + "?format=json").status_code == 404
    assert bob.client.get(download).status_code == 404

    with store.open(job) as stored:
        kept = stored.read()
    response = alice.client.get(download)
    assert response.status_code == 200
    assert response.streaming  # from the store as it goes, never whole in memory
    assert 'filename="Alice Bakery (copia).manager"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    response.close()
    assert response["Content-Length"] == str(len(data))
    assert data == kept
    assert not store.exists(job)  # once downloaded, no copy stays in the store

    # The downloaded file imports, with the same books and attachments.
    path = tmp_path / "downloaded.manager"
    path.write_bytes(data)
    restored = do_import_company(path, new_name="Alice restored")
    assert summarize(restored).as_json() == summarize(alice.company).as_json()
    (original,) = Attachment.objects.filter(company=alice.company)
    (copy,) = Attachment.objects.filter(company=restored)
    with open_blob(copy.sha256) as restored_bytes, open_blob(original.sha256) as original_bytes:
        assert restored_bytes.read() == original_bytes.read()


def test_a_preview_reads_only_the_manifest_from_the_store(alice, tmp_path):
    receipt = m.Receipt.objects.get(company=alice.company)
    big = os.urandom(8 * 1024 * 1024)  # does not compress: the file is as large
    do_attach(alice.company, "receipt", receipt.pk, SimpleUploadedFile("scan.bin", big))
    path = tmp_path / "alice.manager"
    backup_to_file(alice.company, path, parts_from())
    with open(path, "rb") as upload:
        response = alice.client.post(reverse("backups:import"), {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert "Alice Bakery" in alice.client.get(response.url).content.decode()

    # What the preview does, counted: the manifest, read from the stored object in ranges.
    with job_files().open_seekable(job) as stored:
        manifest = open_backup(stored).manifest
        fetched = stored.raw.fetched
    assert manifest.company.name == "Alice Bakery"
    assert path.stat().st_size > 8 * 1024 * 1024
    assert fetched < 3 * 1024 * 1024


class CountingStream(io.RawIOBase):
    """A non-seekable stream that counts the bytes read from it."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def test_an_import_is_uploaded_to_the_store_previewed_and_imported_by_a_worker(
    alice, bob, worker_env, tmp_path
):
    path = tmp_path / "alice.manager"
    backup_to_file(alice.company, path, parts_from())
    with open(path, "rb") as upload:
        response = alice.client.post(reverse("backups:import"), {"file": upload})
    assert response.status_code == 302
    preview = response.url
    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert job.owner == alice.customer.pk and job.state == Job.State.WAITING
    # In the object store, byte for byte: any web process can preview it.
    assert job.path == job_key(job)
    with job_files().open(job) as stored:
        assert stored.read() == path.read_bytes()

    page = alice.client.get(preview)
    assert page.status_code == 200
    assert "Alice Bakery" in page.content.decode()
    # Another customer can neither preview, import nor cancel it.
    assert bob.client.get(preview).status_code == 404
    assert bob.client.post(preview, {"new_name": "Stolen"}).status_code == 404
    assert bob.client.post(preview, {"cancel": "1"}).status_code == 404
    assert job_files().exists(job)

    response = alice.client.post(preview, {"new_name": "Alice imported"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == Job.State.WAITING  # queued for a worker, not run here
    assert not m.Company.objects.filter(name="Alice imported").exists()

    run_worker(worker_env)

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    company = m.Company.objects.get(name="Alice imported")
    assert job.company_id == company.pk
    assert CompanyOwner.objects.get(company_id=company.pk).customer == alice.customer
    assert summarize(company).as_json() == summarize(alice.company).as_json()
    # The uploaded file is gone from the store once imported.
    assert not job_files().exists(job)
    status = alice.client.get(response.url + "?format=json").json()
    assert status["company_url"] == reverse("books:summary", kwargs={"company_id": company.pk})
    assert "Alice imported" in alice.client.get("/").content.decode()
    # Bob sees neither the job nor the new company.
    assert bob.client.get(response.url).status_code == 404
    assert bob.client.get(f"/c/{company.pk}/").status_code == 404
    assert "Alice imported" not in bob.client.get("/").content.decode()


def finished_backup_job(account, path, age) -> Job:
    job = Job.objects.create(
        kind=Job.Kind.BACKUP,
        company_id=account.company.pk,
        file_name=path.name,
        state=Job.State.DONE,
        owner=account.customer.pk,
        created_at=timezone.now() - age,
    )
    job_files().keep_backup(job, path)
    job.save(update_fields=["path"])
    return job


def test_old_job_files_are_removed_from_the_store(alice, cloud_store, tmp_path):
    path = tmp_path / "alice.manager"
    backup_to_file(alice.company, path, parts_from())
    old = finished_backup_job(alice, path, KEEP_BACKUP_FILES * 2)
    backup_to_file(alice.company, path, parts_from())
    recent = finished_backup_job(alice, path, KEEP_BACKUP_FILES / 2)
    assert cloud_store.keys("jobs/") == sorted([job_key(old), job_key(recent)])

    # Starting a job forgets those kept long enough, and their files.
    response = alice.client.post(
        reverse("backups:backup", kwargs={"company_id": alice.company.pk}),
        {"file_name": "new.manager", **ALL_PARTS},
    )
    assert response.status_code == 302
    assert not Job.objects.filter(pk=old.pk).exists()
    assert cloud_store.keys("jobs/") == [job_key(recent)]
    download = reverse("backups:download", kwargs={"job_id": recent.pk})
    assert alice.client.get(download).status_code == 200


def test_a_job_whose_worker_stopped_renewing_its_lease_is_marked_interrupted(
    alice, cloud_store, tmp_path
):
    """A worker killed mid-import leaves its job running with a heartbeat that no longer moves
    (the row is made so here); the next worker's housekeeping says so and removes its upload."""
    from partida.backups.jobs import do_housekeeping
    from partida.backups.tunables import lease_time

    path = tmp_path / "alice.manager"
    backup_to_file(alice.company, path, parts_from())
    now = timezone.now()
    jobs = {}
    for name, heartbeat in (("dead", now - 2 * lease_time()), ("alive", now)):
        job = Job.objects.create(
            kind=Job.Kind.IMPORT,
            file_name=f"{name}.manager",
            owner=alice.customer.pk,
            state=Job.State.RUNNING,
            heartbeat_at=heartbeat,
        )
        job_files().keep_upload(job, path)
        job.save(update_fields=["path"])
        passphrases.hold(job.pk, "an encrypted upload's passphrase")  # sealed in the row
        jobs[name] = job
    do_housekeeping()
    dead, alive = (Job.objects.get(pk=jobs[name].pk) for name in ("dead", "alive"))
    assert dead.state == Job.State.FAILED and dead.error.startswith("The import was interrupted")
    assert alive.state == Job.State.RUNNING
    assert "sealed_secret" not in dead.options  # no secret outlives its job
    assert passphrases.held(alive.pk) == "an encrypted upload's passphrase"
    assert cloud_store.keys("jobs/") == [job_key(alive)]
    page = alice.client.get(reverse("backups:job", kwargs={"job_id": dead.pk}) + "?format=json")
    assert page.json()["state"] == "failed" and page.json()["retry_url"] == reverse(
        "backups:import"
    )


def test_cancel_reaches_a_running_job_of_another_process_through_its_row(alice, cloud_store):
    """The Cancel button, in any web process, sets the job's flag; the worker running it reads
    it back with its next progress report, on its own connection."""
    from partida.backups.jobs import DatabaseChannel
    from partida.backups.work_folders import WorkFolder

    job = Job.objects.create(
        kind=Job.Kind.IMPORT, file_name="a.manager", owner=alice.customer.pk, state="running"
    )
    with WorkFolder(job.pk) as work:
        channel = DatabaseChannel(job, work)
        try:
            channel.report("checking", 1, 10)
            assert not channel.cancelled()
            response = alice.client.post(reverse("backups:cancel", kwargs={"job_id": job.pk}))
            assert response.status_code == 302
            channel.last = 0.0  # the next report, without waiting for it
            channel.report("importing", 6, 10)
            assert channel.cancelled()
        finally:
            channel.close()
    job.refresh_from_db()
    assert (job.phase, job.done, job.total, job.cancel_requested) == ("importing", 6, 10, True)
    other = make_account("bob@example.com", "Bob Books")
    assert (
        other.client.post(reverse("backups:cancel", kwargs={"job_id": job.pk})).status_code == 404
    )


SECRET = "harina de centeno 1999"


def test_an_encrypted_backup_imports_in_the_cloud_after_its_passphrase(
    alice, bob, worker_env, tmp_path, settings
):
    settings.PARTIDA_SCRYPT_WORK_FACTOR = 10  # the file says it; age's 18 is tested elsewhere
    path = tmp_path / "alice.manager"
    backup_to_file(alice.company, path, parts_from(), passphrase=SECRET)
    with open(path, "rb") as upload:
        preview = alice.client.post(reverse("backups:import"), {"file": upload}).url
    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert "encrypted backup" in alice.client.get(preview).content.decode()
    wrong = alice.client.post(preview, {"passphrase": "no es esta"}).content.decode()
    assert "This passphrase does not open this backup" in wrong
    assert bob.client.post(preview, {"passphrase": SECRET}).status_code == 404

    assert alice.client.post(preview, {"passphrase": SECRET}).status_code == 302
    job.refresh_from_db()
    sealed = job.options["sealed_secret"]  # the file's key, for the worker, sealed
    assert sealed.startswith("fernet:") and SECRET not in str(job.options)
    assert "Alice Bakery" in alice.client.get(preview).content.decode()
    assert alice.client.post(preview, {"new_name": "Alice descifrada"}).status_code == 302

    run_worker(worker_env)

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    assert "sealed_secret" not in job.options  # gone once the import ended
    company = m.Company.objects.get(name="Alice descifrada")
    assert summarize(company).as_json() == summarize(alice.company).as_json()


def test_an_encrypted_backup_from_the_cloud_dialog_opens_with_age(alice, worker_env, tmp_path):
    from tests.age_tool import age_decrypt

    response = alice.client.post(
        reverse("backups:backup", kwargs={"company_id": alice.company.pk}),
        {
            "file_name": "Alice Bakery (cifrada).manager",
            **ALL_PARTS,
            "encrypt": "on",
            "passphrase": SECRET,
            "passphrase_again": SECRET,
        },
    )
    assert response.status_code == 302
    job = Job.objects.get(kind=Job.Kind.BACKUP)
    assert SECRET not in str(job.options) and job.options["sealed_secret"].startswith("fernet:")

    run_worker(worker_env)

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    assert "sealed_secret" not in job.options  # taken by the worker as it started
    download = alice.client.get(reverse("backups:download", kwargs={"job_id": job.pk}))
    encrypted = tmp_path / "cifrada.manager"
    encrypted.write_bytes(b"".join(download.streaming_content))
    plain = tmp_path / "plain.manager"
    age_decrypt(encrypted, plain, SECRET)
    restored = do_import_company(plain, new_name="Alice (age)")
    assert summarize(restored).as_json() == summarize(alice.company).as_json()
