"""Staff administer the service at /admin/: customers with their users and subscription dates,
who owns each company, and the stored backups with their state and any failure's reason."""

import pytest
from django.test import Client

from partida.autobackups.models import StoredBackup
from tests.cloud.cloud_fixtures import *  # noqa: F403
from tests.cloud.cloud_fixtures import make_stored_backup


@pytest.fixture
def staff(cloud, django_user_model) -> Client:
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    return client


def test_staff_see_customers_owners_and_failed_backups_with_their_reason(staff, alice):
    make_stored_backup(
        alice.company, StoredBackup.State.FAILED, error="The object store refused the backup."
    )
    page = staff.get("/admin/cloud/customer/").content.decode()
    assert "Alice Bakery customer" in page
    change = staff.get(f"/admin/cloud/customer/{alice.customer.pk}/change/").content.decode()
    assert "alice@example.com" in change and "Alice Bakery" in change
    assert "Alice Bakery" in staff.get("/admin/cloud/companyowner/").content.decode()
    backups = staff.get("/admin/autobackups/storedbackup/").content.decode()
    assert "The object store refused the backup." in backups
    assert staff.get("/admin/autobackups/storedbackup/add/").status_code == 403  # read-only


def test_customers_cannot_open_the_admin(alice):
    response = alice.client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_the_desktop_edition_has_no_portal_and_no_admin(client, db):
    assert client.get("/admin/").status_code == 404
    assert client.get("/portal/").status_code == 404
    assert client.get("/").status_code == 200  # and no sign-in
