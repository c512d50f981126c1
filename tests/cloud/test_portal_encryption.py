"""A customer chooses a passphrase in the portal, and from then on the automatic backups of their
companies are age-encrypted with it: the age tool opens the downloaded file, Partida imports it,
the passphrase is kept encrypted at rest, and nobody else's backups change."""

import pytest
from django.db import connection

from partida.archive.encryption import is_encrypted
from partida.archive.reader import ArchiveReader
from partida.autobackups.runner import run_stored_backup
from partida.autobackups.schedule import do_request_backup
from partida.cloud.models import BackupPassphrase
from tests.age_tool import age_decrypt
from tests.cloud.cloud_fixtures import *  # noqa: F403

PASSPHRASE = "pan de masa madre cada mañana"
ENCRYPTION = "/portal/encryption/"


@pytest.fixture
def quick_scrypt(settings):
    settings.PARTIDA_SCRYPT_WORK_FACTOR = 10  # age's own 18 is tested in tests/archive


def set_passphrase(account, passphrase=PASSPHRASE, again=None):
    return account.client.post(
        ENCRYPTION,
        {"passphrase": passphrase, "passphrase_again": passphrase if again is None else again},
        follow=True,
    )


def downloaded(account, backup, folder):
    response = account.client.get(f"/portal/backups/{backup.pk}/download/")
    assert response.status_code == 200
    path = folder / "download.manager"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_the_portal_offers_encryption_and_says_what_the_service_keeps(alice):
    assert (
        "The automatic backups are not encrypted." in alice.client.get("/portal/").content.decode()
    )
    page = alice.client.get(ENCRYPTION).content.decode()
    assert "nobody can open the backup, not even Partida" in page
    assert "The service keeps the passphrase, encrypted" in page


def test_a_passphrase_set_in_the_portal_encrypts_the_next_backups(
    store, alice, bob, quick_scrypt, tmp_path
):
    page = set_passphrase(alice).content.decode()
    assert "The next automatic backups will be encrypted with this passphrase." in page
    assert "The automatic backups are encrypted with your passphrase" in page

    backup = run_stored_backup(do_request_backup(alice.company).pk)
    assert backup.verified, backup.error
    encrypted = downloaded(alice, backup, tmp_path)
    assert is_encrypted(encrypted.read_bytes()[:64])
    plain = tmp_path / "plain.manager"
    age_decrypt(encrypted, plain, PASSPHRASE)  # the standard tool opens it
    assert ArchiveReader(plain).verify().company.name == "Alice Bakery"
    manifest = ArchiveReader(encrypted, passphrase=PASSPHRASE).verify()
    assert manifest.company.name == "Alice Bakery"

    others = run_stored_backup(do_request_backup(bob.company).pk)
    assert others.verified, others.error
    assert not is_encrypted(downloaded(bob, others, tmp_path).read_bytes()[:64])


def test_the_passphrase_is_kept_encrypted_at_rest(alice):
    set_passphrase(alice)
    table = connection.ops.quote_name(BackupPassphrase._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT passphrase FROM {table}")
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:") and PASSPHRASE not in stored
    assert BackupPassphrase.objects.get(customer=alice.customer).passphrase == PASSPHRASE


def test_two_different_passphrases_are_one_sentence_and_change_nothing(alice):
    page = set_passphrase(alice, again="otra cosa").content.decode()
    assert "The two passphrases differ: type the same passphrase in both boxes." in page
    assert not BackupPassphrase.objects.exists()


def test_stopping_encryption_makes_the_next_backups_plain_again(
    store, alice, quick_scrypt, tmp_path
):
    set_passphrase(alice)
    page = alice.client.post(ENCRYPTION, {"remove": "1"}, follow=True).content.decode()
    assert "The next automatic backups will not be encrypted." in page
    backup = run_stored_backup(do_request_backup(alice.company).pk)
    assert not is_encrypted(downloaded(alice, backup, tmp_path).read_bytes()[:64])


def test_one_customers_passphrase_is_theirs_alone(alice, bob):
    set_passphrase(alice)
    set_passphrase(bob, passphrase="ferretería de barrio 1987")
    assert BackupPassphrase.objects.get(customer=alice.customer).passphrase == PASSPHRASE
    assert "Change the passphrase" in bob.client.get(ENCRYPTION).content.decode()
