"""Passwords Partida must send on (a company's mail server), kept encrypted at rest.

Encrypted with Fernet (the ``cryptography`` package) under a key derived by HKDF from the
installation's ``SECRET_KEY``; the keys of ``SECRET_KEY_FALLBACKS`` still decrypt, so the
secret key can be rotated as Django documents (a password saved again is encrypted under the new
key). Stored as ``fernet:<token>``; a value without that prefix is one saved before encryption,
read as it is until the migration or the next save encrypts it. A value no key decrypts (the
secret key was changed without a fallback) reads as empty: the mail server settings ask for the
password again.
"""

import base64
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

log = logging.getLogger(__name__)

PREFIX = "fernet:"
PURPOSE = b"partida: passwords kept to send mail"


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret) for secret in secrets])


def encrypt(text: str) -> str:
    if not text:
        return ""
    return PREFIX + _keys().encrypt(text.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # saved before passwords were encrypted
    try:
        return _keys().decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken:
        log.warning("a saved mail password cannot be decrypted with this installation's keys")
        return ""


class EncryptedTextField(models.TextField):
    """A text column whose value is encrypted in the database and plain in Python."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt(value)
