"""One customer never sees, lists or changes another's companies, jobs or backups, whatever the
address or key tried: every such request answers 404, as for a key that does not exist.

The rule for signed-out visitors: every address, whether it exists or not, sends them to the
sign-in page, so that reveals nothing either.
"""

import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partida.attachments.models import Attachment
from partida.autobackups.models import StoredBackup
from partida.backups.models import Job
from partida.books import models as m
from partida.cloud.models import CompanyOwner
from partida.mail.models import Email, EmailAttachment
from tests.cloud.cloud_fixtures import *  # noqa: F403
from tests.cloud.cloud_fixtures import make_job, make_stored_backup

SIGN_IN = "/portal/sign-in/"


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name
    params: tuple[str, ...]


def routes(resolver=None, namespace: str = "") -> list[Route]:
    """Every named address of the cloud edition but the admin's, from the URL resolver."""
    resolver = resolver or get_resolver("partida.cloud.root_urls")
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner == "admin":
                continue
            found += routes(pattern, f"{namespace}:{inner}".strip(":") if inner else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            found.append(Route(name, tuple(pattern.pattern.converters)))
    return found


def company_routes() -> list[Route]:
    return [route for route in routes() if "company_id" in route.params]


def samples(company: m.Company) -> dict:
    """Real keys of the company's records, for the addresses that name one."""
    return {
        "receipt": m.Receipt.objects.get(company=company).pk,
        "attachment": Attachment.objects.get(company=company).pk,
        "email": Email.objects.get(company=company).pk,
        "email_file": EmailAttachment.objects.get(company=company).pk,
        "account": m.Account.objects.filter(company=company).first().pk,
    }


def kwargs_for(route: Route, company_id, keys: dict) -> dict:
    pk = {
        "attachments:download": keys["attachment"],
        "attachments:delete": keys["attachment"],
        "mail:email": keys["email"],
        "mail:email_file": keys["email"],
    }.get(route.name, keys["receipt"])
    values = {
        "company_id": company_id,
        "kind": "receipt",
        "pk": pk,
        "record_id": keys["receipt"],
        "file_pk": keys["email_file"],
        "account_id": keys["account"],
        # A stored backup of the company's when there is one (a key nobody has otherwise).
        "backup_id": keys.get("stored_backup", uuid.UUID(int=1)),
    }
    return {param: values[param] for param in route.params}


def urls_of(company_id, keys: dict) -> list[str]:
    return [
        reverse(route.name, kwargs=kwargs_for(route, company_id, keys))
        for route in company_routes()
    ]


def test_the_matrix_covers_every_screen_of_a_company(cloud):
    names = {route.name for route in company_routes()}
    expected = {
        "books:summary",
        "books:record_list",
        "books:record_edit",
        "books:record_delete",
        "books:company_delete",
        "attachments:download",
        "mail:emails",
        "mail:email",
        "mail:email_file",
        "history:list",
        "backups:backup",
        "cloud:back_up_now",
        "autobackups:list",
        "autobackups:download",
        "autobackups:import",
    }
    assert expected <= names
    assert len(names) >= 18


def test_another_customers_company_is_not_found_at_any_address(alice, bob):
    failures = []
    for url in urls_of(bob.company.pk, samples(bob.company)):
        for method in ("get", "post"):
            status = getattr(alice.client, method)(url).status_code
            if status != 404:
                failures.append(f"{method.upper()} {url}: {status}")
    assert failures == []
    # Nothing of Bob's was changed by Alice's posts.
    assert m.Company.objects.filter(pk=bob.company.pk).exists()
    assert m.Receipt.objects.filter(company=bob.company).count() == 1
    assert Attachment.objects.filter(company=bob.company).count() == 1
    assert not StoredBackup.objects.filter(company_id=bob.company.pk).exists()


def test_a_guessed_company_key_is_not_found_at_any_address(alice):
    guessed = {
        name: uuid.uuid4() for name in ("receipt", "attachment", "email", "email_file", "account")
    }
    failures = [
        url for url in urls_of(uuid.uuid4(), guessed) if alice.client.get(url).status_code != 404
    ]
    assert failures == []


def test_own_company_with_another_customers_record_keys_is_not_found(alice, bob):
    keys = samples(bob.company)
    for method, name, kwargs in [
        ("get", "books:record_edit", {"kind": "receipt", "pk": keys["receipt"]}),
        ("post", "books:record_delete", {"kind": "receipt", "pk": keys["receipt"]}),
        ("get", "attachments:download", {"pk": keys["attachment"]}),
        ("post", "attachments:delete", {"pk": keys["attachment"]}),
        ("post", "attachments:upload", {"kind": "receipt", "record_id": keys["receipt"]}),
        ("get", "mail:email", {"pk": keys["email"]}),
        ("get", "mail:email_file", {"pk": keys["email"], "file_pk": keys["email_file"]}),
    ]:
        url = reverse(name, kwargs={"company_id": alice.company.pk, **kwargs})
        assert getattr(alice.client, method)(url).status_code == 404, url
    assert m.Receipt.objects.filter(company=bob.company).count() == 1
    assert Attachment.objects.filter(company=bob.company).count() == 1


def test_own_company_screens_open(alice):
    keys = samples(alice.company)
    for name, extra in [
        ("books:summary", {}),
        ("books:record_list", {"kind": "receipt"}),
        ("books:record_edit", {"kind": "receipt", "pk": keys["receipt"]}),
        ("attachments:download", {"pk": keys["attachment"]}),
        ("mail:emails", {}),
        ("mail:email", {"pk": keys["email"]}),
        ("history:list", {}),
        ("backups:backup", {}),
    ]:
        url = reverse(name, kwargs={"company_id": alice.company.pk, **extra})
        assert alice.client.get(url).status_code == 200, url


def test_the_companies_list_shows_only_the_customers_own(alice, bob):
    page = alice.client.get("/").content.decode()
    assert "Alice Bakery" in page
    assert "Bob Hardware" not in page
    assert str(bob.company.pk) not in page


def test_another_customers_jobs_are_not_found(alice, bob):
    backup_job = make_job(bob.customer, Job.Kind.BACKUP, bob.company, Job.State.DONE)
    import_job = make_job(bob.customer, Job.Kind.IMPORT)
    urls = [
        reverse("backups:job", kwargs={"job_id": backup_job.pk}),
        reverse("backups:job", kwargs={"job_id": backup_job.pk}) + "?format=json",
        reverse("backups:download", kwargs={"job_id": backup_job.pk}),
        reverse("backups:job", kwargs={"job_id": import_job.pk}),
        reverse("backups:import_preview", kwargs={"job_id": import_job.pk}),
        reverse("backups:job", kwargs={"job_id": uuid.uuid4()}),
        reverse("backups:download", kwargs={"job_id": uuid.uuid4()}),
        reverse("backups:import_preview", kwargs={"job_id": uuid.uuid4()}),
    ]
    assert [url for url in urls if alice.client.get(url).status_code != 404] == []
    assert alice.client.post(urls[4], {"cancel": "1"}).status_code == 404
    assert Job.objects.filter(pk=import_job.pk).exists()
    # Bob sees his own.
    assert bob.client.get(urls[0]).status_code == 200


def test_a_job_without_an_owner_is_nobodys(alice, cloud):
    orphan = Job.objects.create(kind=Job.Kind.IMPORT, file_name="x.manager")
    url = reverse("backups:import_preview", kwargs={"job_id": orphan.pk})
    assert alice.client.get(url).status_code == 404


def test_a_job_started_by_a_customer_is_theirs(alice):
    response = alice.client.post(
        reverse("backups:backup", kwargs={"company_id": alice.company.pk}),
        {"file_name": "alice.manager", "attachments": "on", "emails": "on", "history": "on"},
    )
    assert response.status_code == 302
    job = Job.objects.get(company_id=alice.company.pk)
    assert job.owner == alice.customer.pk
    assert alice.client.get(response.url).status_code == 200
    download = reverse("backups:download", kwargs={"job_id": job.pk})
    assert alice.client.get(download).status_code == 200


def test_another_customers_stored_backups_are_not_found(alice, bob):
    verified = make_stored_backup(bob.company)
    failed = make_stored_backup(
        bob.company, StoredBackup.State.FAILED, created_at=verified.created_at
    )
    download = "cloud:download"
    for backup_id in (verified.pk, failed.pk, uuid.uuid4()):
        url = reverse(download, kwargs={"backup_id": backup_id})
        assert alice.client.get(url).status_code == 404, url
    # A backup that did not verify, or was deleted by retention, is not found for Bob either.
    assert bob.client.get(reverse(download, kwargs={"backup_id": failed.pk})).status_code == 404
    gone = reverse(download, kwargs={"backup_id": verified.pk})
    verified.delete()
    assert bob.client.get(gone).status_code == 404


def test_the_portal_lists_only_the_customers_own_backups(alice, bob):
    make_stored_backup(alice.company, size=2 * 1024 * 1024)
    bobs = make_stored_backup(bob.company)
    page = alice.client.get("/portal/").content.decode()
    assert "Alice Bakery" in page
    assert "2.0\xa0MB" in page
    assert "Bob Hardware" not in page
    assert str(bobs.pk) not in page


def test_signed_out_visitors_are_sent_to_sign_in_from_every_address(alice, bob, client):
    backup = make_stored_backup(bob.company)
    job = make_job(bob.customer, Job.Kind.BACKUP, bob.company, Job.State.DONE)
    urls = urls_of(bob.company.pk, samples(bob.company)) + [
        "/",
        "/portal/",
        "/companies/add/",
        "/import/",
        reverse("cloud:download", kwargs={"backup_id": backup.pk}),
        reverse("backups:job", kwargs={"job_id": job.pk}),
        reverse("backups:download", kwargs={"job_id": job.pk}),
        "/no/such/address/",
        f"/c/{uuid.uuid4()}/",
    ]
    failures = []
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 302 or not response["Location"].startswith(SIGN_IN):
                failures.append(f"{method.upper()} {url}: {response.status_code}")
    assert failures == []
    assert m.Company.objects.filter(pk=bob.company.pk).exists()
    # The sign-in page itself, and the style sheet, are open.
    assert client.get(SIGN_IN).status_code == 200


def test_a_user_of_no_customer_finds_nothing(alice, cloud, django_user_model):
    staff = django_user_model.objects.create_user("staff@example.com", "staff@example.com", "x")
    from django.test import Client

    client = Client()
    client.force_login(staff)
    for url in ["/", "/portal/", f"/c/{alice.company.pk}/", "/companies/add/", "/import/"]:
        assert client.get(url).status_code == 404, url


def test_new_companies_belong_to_the_customer_who_made_them(alice, bob):
    response = alice.client.post(
        "/companies/add/",
        {"name": "Alice Catering", "base_currency": "EUR", "chart_language": "en"},
    )
    assert response.status_code == 302
    company = m.Company.objects.get(name="Alice Catering")
    assert CompanyOwner.objects.get(company_id=company.pk).customer == alice.customer
    assert bob.client.get(response.url).status_code == 404
    assert alice.client.get(response.url).status_code == 200


def test_a_companys_backups_tab_lists_downloads_and_imports_only_the_customers_own(
    alice, bob, tmp_path
):
    from partida.backups.export import backup_to_file
    from partida.backups.storage import backup_storage, upload_file

    path = tmp_path / "alice.manager"
    backup_to_file(alice.company, path, set())
    key = f"backups/{alice.company.pk}/test.manager"
    upload_file(backup_storage(), key, path, None)
    mine = make_stored_backup(alice.company, storage_key=key, size=path.stat().st_size)
    failed = make_stored_backup(alice.company, StoredBackup.State.FAILED, error="Refused.")
    bobs = make_stored_backup(bob.company)

    def url(name, company, backup=None):
        kwargs = {"company_id": company.pk} | ({"backup_id": backup.pk} if backup else {})
        return reverse(f"autobackups:{name}", kwargs=kwargs)

    page = alice.client.get(url("list", alice.company))
    assert page.status_code == 200
    html = page.content.decode()
    assert url("download", alice.company, mine) in html and "Refused." in html
    assert str(bobs.pk) not in html and str(failed.pk) not in html  # no link to a failed one
    download = alice.client.get(url("download", alice.company, mine))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == path.read_bytes()
    # Bob's backup, by his company or through Alice's; a failed one; Bob's list.
    for company, backup in [(bob.company, bobs), (alice.company, bobs), (alice.company, failed)]:
        assert alice.client.get(url("download", company, backup)).status_code == 404
        assert alice.client.post(url("import", company, backup)).status_code == 404
    assert alice.client.get(url("list", bob.company)).status_code == 404
    assert not Job.objects.exists()
    # Import as a new company: the usual preview, Alice's job, not Bob's.
    started = alice.client.post(url("import", alice.company, mine))
    assert started.status_code == 302
    assert alice.client.get(started.url).status_code == 200
    assert Job.objects.get().owner == alice.customer.pk
    assert bob.client.get(started.url).status_code == 404


def test_the_cloud_has_no_automatic_backups_settings_screen(alice):
    assert alice.client.get("/automatic-backups/").status_code == 404
    assert "/automatic-backups/" not in alice.client.get("/").content.decode()
