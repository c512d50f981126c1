"""The customer portal: sign in, see each company's backups, download one streamed from the
object store, ask for a fresh one; all of it the same after the subscription has expired, when
the company screens close and nothing is deleted."""

import hashlib
import html
import re

from django.test import Client
from django.utils import timezone

from partida.autobackups.models import StoredBackup
from partida.autobackups.runner import run_stored_backup
from partida.autobackups.schedule import do_request_backup
from partida.backups import jobs
from partida.backups.export import backup_to_file, parts_from
from partida.backups.job_files import job_files
from partida.backups.models import Job
from partida.books import models as m
from partida.cloud.access import current_customer
from partida.cloud.customers import do_set_active_until
from partida.cloud.models import CompanyOwner
from tests.cloud.cloud_fixtures import *  # noqa: F403
from tests.cloud.cloud_fixtures import PASSWORD, expire

SIGN_IN = "/portal/sign-in/"


def verified_backup(company) -> StoredBackup:
    backup = run_stored_backup(do_request_backup(company).pk)
    assert backup is not None and backup.verified, backup and backup.error
    return backup


def download_links(page: str) -> list[str]:
    return re.findall(r'href="(/portal/backups/[0-9a-f-]+/download/)"', page)


def test_the_portal_lists_and_streams_a_backup_from_the_store(store, alice):
    backup = verified_backup(alice.company)
    page = alice.client.get("/portal/").content.decode()
    assert "Alice Bakery" in page
    assert "Attachments" in page and "Emails" in page and "History" in page
    assert download_links(page) == [f"/portal/backups/{backup.pk}/download/"]

    response = alice.client.get(download_links(page)[0])
    assert response.status_code == 200
    assert response.streaming  # read from the store as it goes, never whole in memory
    day = timezone.localdate(backup.created_at).isoformat()
    assert f'filename="Alice Bakery ({day}).manager"' in response["Content-Disposition"]
    assert response["Content-Length"] == str(backup.size)
    data = b"".join(response.streaming_content)
    assert data == store.read(backup.storage_key)
    assert hashlib.sha256(data).hexdigest() == backup.sha256


def test_after_expiry_the_company_screens_close_but_the_portal_still_downloads(store, alice):
    backup = verified_backup(alice.company)
    expire(alice)

    for url in [
        "/",
        f"/c/{alice.company.pk}/",
        f"/c/{alice.company.pk}/receipt/",
        "/companies/add/",
        "/import/",
    ]:
        response = alice.client.get(url)
        assert response.status_code == 403, url
        text = response.content.decode()
        assert "The subscription has ended" in text
        assert 'href="/portal/"' in text
    # Nothing was deleted, and nothing can be changed.
    response = alice.client.post("/companies/add/", {"name": "X", "base_currency": "EUR"})
    assert response.status_code == 403
    assert m.Company.objects.filter(pk=alice.company.pk).exists()
    assert not m.Company.objects.filter(name="X").exists()

    page = alice.client.get("/portal/").content.decode()
    assert "The subscription ended on" in page
    response = alice.client.get(download_links(page)[0])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == store.read(backup.storage_key)
    # Back up now works too.
    assert (
        alice.client.post(f"/portal/companies/{alice.company.pk}/back-up-now/").status_code == 302
    )

    # Renewed: the company opens again, as it was.
    do_set_active_until(alice.email, timezone.localdate())
    assert alice.client.get(f"/c/{alice.company.pk}/").status_code == 200


def test_back_up_now_queues_a_backup_and_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice.user)
    url = f"/portal/companies/{alice.company.pk}/back-up-now/"
    assert client.post(url).status_code == 403  # no token: refused
    assert not StoredBackup.objects.filter(company_id=alice.company.pk).exists()

    client.get("/portal/")
    response = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302 and response.url == "/portal/"
    (queued,) = StoredBackup.objects.filter(company_id=alice.company.pk)
    assert queued.state == StoredBackup.State.QUEUED
    assert "is on its way" in client.get("/portal/").content.decode()
    assert client.get(url).status_code == 405  # only a POST asks for a backup


def test_sign_in_with_email_and_password_and_sign_out(alice):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(f"/c/{alice.company.pk}/")
    assert response.status_code == 302
    assert response.url == f"{SIGN_IN}?next=/c/{alice.company.pk}/"
    page = client.get(response.url).content.decode()
    assert "csrfmiddlewaretoken" in page
    token = client.cookies["csrftoken"].value

    assert client.post(SIGN_IN, {"username": alice.email, "password": PASSWORD}).status_code == 403
    response = client.post(
        SIGN_IN,
        {
            "username": "Alice@Example.com",
            "password": PASSWORD,
            "next": f"/c/{alice.company.pk}/",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302 and response.url == f"/c/{alice.company.pk}/"
    assert client.get(response.url).status_code == 200

    token = client.cookies["csrftoken"].value
    response = client.post("/portal/sign-out/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response.url == SIGN_IN
    assert client.get("/portal/").status_code == 302


def test_a_wrong_password_is_refused_with_one_sentence(alice, client):
    response = client.post(SIGN_IN, {"username": alice.email, "password": "wrong password"})
    assert response.status_code == 200
    assert "That email and password do not match an account." in response.content.decode()
    assert client.get("/portal/").status_code == 302


def test_sign_in_is_throttled_after_five_failures(alice, client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(5):
        client.post(SIGN_IN, {"username": alice.email, "password": "guess"})
    response = client.post(SIGN_IN, {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/portal/").status_code == 302  # not signed in, even with the password
    # Another customer, from another address, is not locked out by these attempts.
    from tests.cloud.cloud_fixtures import make_account

    carol = make_account("carol@example.com", "Carol Shop")
    other = Client(REMOTE_ADDR="10.1.2.3")
    response = other.post(SIGN_IN, {"username": carol.email, "password": PASSWORD})
    assert response.status_code == 302


def test_staff_cannot_sign_in_to_the_portal(cloud, client, django_user_model):
    django_user_model.objects.create_user("staff@example.com", "staff@example.com", PASSWORD)
    response = client.post(SIGN_IN, {"username": "staff@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "not a customer's account" in html.unescape(response.content.decode())


def test_session_cookies_are_secure_over_https(alice, client, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client.get(SIGN_IN, secure=True)
    assert client.cookies["csrftoken"]["secure"]
    response = client.post(SIGN_IN, {"username": alice.email, "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"]
    assert response.cookies["sessionid"]["httponly"]


def test_an_imported_company_belongs_to_the_customer_who_imported_it(alice, bob, tmp_path):
    path = tmp_path / "alice.manager"
    backup_to_file(alice.company, path, parts_from())
    with open(path, "rb") as upload:
        response = bob.client.post("/import/", {"file": upload})
    assert response.status_code == 302
    preview = response.url
    assert alice.client.get(preview).status_code == 404  # Bob's upload, not Alice's
    response = bob.client.post(preview, {"new_name": "Bob's copy"})
    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert job.owner == bob.customer.pk and job.state == Job.State.DONE
    company = m.Company.objects.get(name="Bob's copy")
    assert CompanyOwner.objects.get(company_id=company.pk).customer == bob.customer
    assert "Bob&#x27;s copy" in bob.client.get("/").content.decode()
    assert alice.client.get(f"/c/{company.pk}/").status_code == 404


def test_an_import_run_in_a_thread_of_its_own_still_finds_its_owner(alice, tmp_path):
    """Threads and workers start without the request's customer: the job says whose company
    it made."""
    path = tmp_path / "threaded.manager"
    backup_to_file(alice.company, path, parts_from())
    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        file_name="threaded.manager",
        owner=alice.customer.pk,
        options={"new_name": "Threaded"},
    )
    job_files().keep_upload(job, path)  # where the cloud edition keeps it: the object store
    job.save(update_fields=["path"])
    assert current_customer() is None
    jobs.run_job(job.pk)
    company = m.Company.objects.get(name="Threaded")
    assert CompanyOwner.objects.get(company_id=company.pk).customer == alice.customer


def test_the_portal_keeps_the_backups_of_a_deleted_company(store, alice):
    from partida.books.actions import do_delete_company

    backup = verified_backup(alice.company)
    do_delete_company(alice.company)
    page = alice.client.get("/portal/").content.decode()
    assert "Alice Bakery (deleted)" in page
    response = alice.client.get(f"/portal/backups/{backup.pk}/download/")
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content)) == backup.size
