"""The cloud edition's settings, read from the environment and checked before Django starts.

``cloud_settings(environ)`` returns the settings that differ from the desktop edition, or stops
start-up (``SystemExit``) with one sentence naming the first setting that is missing or wrong.
It runs while ``partida.settings`` loads, before translations exist, so its sentences are in
English, as the rest of an operator's log is.
"""

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

MINIMUM_SECRET_KEY_LENGTH = 50
SMTP_SCHEMES = ("smtp", "smtp+ssl", "smtp+starttls")
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")
FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}


class SettingError(SystemExit):
    """A missing or wrong setting: start-up stops with this one sentence."""


def required(environ: Mapping[str, str], name: str, what: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise SettingError(f"{name} is not set: give {what}.")
    return value


def check_database_url(environ: Mapping[str, str]) -> str:
    url = required(
        environ,
        "DATABASE_URL",
        "the address of the PostgreSQL database, as postgres://user:password@host:5432/name",
    )
    parts = urlsplit(url)
    if parts.scheme.lower() not in POSTGRES_SCHEMES:
        raise SettingError(
            f"DATABASE_URL must be a PostgreSQL address (postgres://user:password@host:5432/name)"
            f", not a “{parts.scheme or url}” one."
        )
    if not parts.hostname or not parts.path.strip("/"):
        raise SettingError(
            "DATABASE_URL must name the server and the database, as "
            "postgres://user:password@host:5432/name."
        )
    return url


def check_secret_key(environ: Mapping[str, str]) -> str:
    key = required(
        environ,
        "PARTIDA_SECRET_KEY",
        f"a random text of at least {MINIMUM_SECRET_KEY_LENGTH} characters that stays the same "
        "between restarts and is the same for every process",
    )
    if len(key) < MINIMUM_SECRET_KEY_LENGTH:
        raise SettingError(
            f"PARTIDA_SECRET_KEY is too short ({len(key)} characters): give at least "
            f"{MINIMUM_SECRET_KEY_LENGTH} random characters."
        )
    return key


def check_http_url(environ: Mapping[str, str], name: str, what: str) -> str:
    url = required(environ, name, what)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(f"{name} must be an http:// or https:// address, not “{url}”.")
    return url


def check_smtp_url(environ: Mapping[str, str]) -> str:
    url = required(
        environ,
        "PARTIDA_SMTP_URL",
        "the mail server, as smtp://user:password@host:587, smtp+ssl://… or smtp+starttls://…",
    )
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        raise SettingError("PARTIDA_SMTP_URL has a port that is not a number.") from None
    if parts.scheme.lower() not in SMTP_SCHEMES or not parts.hostname:
        raise SettingError(
            "PARTIDA_SMTP_URL must be written as smtp://user:password@host:port, "
            "smtp+ssl://… or smtp+starttls://…."
        )
    return url


def check_flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value not in FLAGS:
        raise SettingError(f"{name} must be 1 or 0, not “{environ[name]}”.")
    return FLAGS[value]


def check_allowed_hosts(environ: Mapping[str, str]) -> list[str]:
    """The host names the service answers to (``PARTIDA_ALLOWED_HOSTS``, comma-separated)."""
    text = environ.get("PARTIDA_ALLOWED_HOSTS", "127.0.0.1,localhost")
    hosts = [host.strip() for host in text.split(",") if host.strip()]
    if not hosts:
        raise SettingError(
            "PARTIDA_ALLOWED_HOSTS is empty: give the host names the service answers to, "
            "separated by commas (such as books.example.com)."
        )
    return hosts


def s3_options(environ: Mapping[str, str]) -> dict:
    """The object store, as django-storages' S3 backend takes its options."""
    options = {
        "endpoint_url": check_http_url(
            environ,
            "PARTIDA_S3_ENDPOINT_URL",
            "the address of the S3-compatible object store, such as https://s3.example.com",
        ),
        "bucket_name": required(environ, "PARTIDA_S3_BUCKET", "the name of the bucket to use"),
        "access_key": required(
            environ, "PARTIDA_S3_ACCESS_KEY_ID", "the access key id of the object store"
        ),
        "secret_key": required(
            environ, "PARTIDA_S3_SECRET_ACCESS_KEY", "the secret access key of the object store"
        ),
        # Files are private: reached only through Partida, never by a public address.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,  # blobs are named by their contents
    }
    region = environ.get("PARTIDA_S3_REGION", "").strip()
    if region:
        options["region_name"] = region
    return options


def cloud_settings(environ: Mapping[str, str] | None = None) -> dict:
    """The cloud edition's settings, or SystemExit naming the first wrong one."""
    environ = os.environ if environ is None else environ
    import dj_database_url

    database_url = check_database_url(environ)
    secret_key = check_secret_key(environ)
    s3 = s3_options(environ)
    smtp_url = check_smtp_url(environ)
    hosts = check_allowed_hosts(environ)
    https = check_flag(environ, "PARTIDA_HTTPS")
    values = {
        "DATABASES": {"default": dj_database_url.parse(database_url, conn_max_age=60)},
        "SECRET_KEY": secret_key,
        # Old secret keys, kept while they are rotated out: they still open what they sealed.
        "SECRET_KEY_FALLBACKS": [
            key.strip()
            for key in environ.get("PARTIDA_SECRET_KEY_FALLBACKS", "").split(",")
            if key.strip()
        ],
        "PARTIDA_SMTP_URL": smtp_url,
        "ALLOWED_HOSTS": hosts,
        "PARTIDA_S3": s3,
        "STORAGE_DEFAULT": {
            "BACKEND": "storages.backends.s3.S3Storage",
            # S3-compatible servers on an address of their own want the bucket in the path.
            "OPTIONS": {**s3, "addressing_style": "path", "signature_version": "s3v4"},
        },
        # Secure cookies when served over HTTPS (directly or behind a proxy that says so).
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_SECURE": https,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if https else None,
        "SECURE_SSL_REDIRECT": https,
    }
    return values
