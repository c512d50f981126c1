"""Django settings for both editions.

The desktop edition (the default) keeps everything in one data folder: a SQLite database in WAL
mode and the attachment files. The cloud edition (``PARTIDA_EDITION=cloud``) reads its database,
object store and mail server from the environment.
"""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from partida.config import data_folder, desktop_secret_key, edition

BASE_DIR = Path(__file__).resolve().parent

EDITION = edition()
DESKTOP = EDITION == "desktop"
PARTIDA_HOME = data_folder()

DEBUG = os.environ.get("PARTIDA_DEBUG") == "1"
SECRET_KEY = os.environ.get("PARTIDA_SECRET_KEY") or desktop_secret_key(PARTIDA_HOME)

# The desktop server listens on 127.0.0.1 only (see partida.cli), so only loopback names apply.
ALLOWED_HOSTS = os.environ.get("PARTIDA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.admin",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "partida.installation",
    "partida.books",
    "partida.attachments",
    "partida.mail",
    "partida.history",
    "partida.backups",
    "partida.autobackups",
    "partida.reports",
    "partida.cloud",
]

# Background jobs (the cloud edition's automatic backups) queue in the database: no extra
# server, and more workers scale them out on PostgreSQL.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partida.errors.DatabaseBusyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "partida.history.middleware.ActorMiddleware",
    # Last, as its documentation asks: it answers a throttled sign-in with a lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # sign-in throttling
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
# Lock out one user name from one address: behind a proxy, locking by address alone would let
# one attacker lock every customer out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]

ROOT_URLCONF = "partida.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partida.books.context_processors.number_symbols",
            ],
        },
    },
]

WSGI_APPLICATION = "partida.wsgi.application"


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        import dj_database_url

        return {"default": dj_database_url.parse(url, conn_max_age=60)}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": PARTIDA_HOME / "partida.sqlite3",
            "OPTIONS": {
                # WAL lets a backup read one consistent snapshot while the user keeps working.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                # A save waits this long for another writer (an import's last step), then says
                # so in one sentence (partida.errors): never a long wait, never a server error.
                "timeout": float(os.environ.get("PARTIDA_SQLITE_BUSY_SECONDS", 5)),
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("PARTIDA_TIME_ZONE", "UTC")

STATIC_URL = "static/"
STATIC_ROOT = PARTIDA_HOME / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # partida/static: the shared CSS and scripts
MEDIA_ROOT = PARTIDA_HOME / "files"

STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Attachments above this size are refused with a clear message.
PARTIDA_MAX_ATTACHMENT_BYTES = int(os.environ.get("PARTIDA_MAX_ATTACHMENT_BYTES", 25 * 1024**2))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024**2
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024**2
# Large uploads are written in the data folder, so that a backup uploaded to Import company is
# moved into place, not copied again (partida.backups.job_files); housekeeping removes leftovers.
FILE_UPLOAD_TEMP_DIR = PARTIDA_HOME / "uploads"
FILE_UPLOAD_TEMP_DIR.mkdir(exist_ok=True)

# Mail: a company's own SMTP settings win; otherwise this server (PARTIDA_SMTP_URL).
PARTIDA_SMTP_URL = os.environ.get("PARTIDA_SMTP_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("PARTIDA_DEFAULT_FROM_EMAIL", "partida@localhost")

# Who made a change, on the desktop edition, where nobody signs in.
PARTIDA_DESKTOP_USER_NAME = os.environ.get("PARTIDA_USER_NAME", "")
PARTIDA_DESKTOP_USER_EMAIL = os.environ.get("PARTIDA_USER_EMAIL", "")

CSRF_FAILURE_VIEW = "partida.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARTIDA_LOG_LEVEL", "WARNING")},
}

# The largest backup file the Import company screen accepts.
PARTIDA_MAX_IMPORT_BYTES = int(os.environ.get("PARTIDA_MAX_IMPORT_BYTES", 20 * 1024**3))

# --- Cloud edition (owned by partida.cloud) ------------------------------------------------
# The access middleware is always installed and does nothing on the desktop edition; in the
# cloud it requires sign-in and keeps each customer to their own companies.
MIDDLEWARE += ["partida.cloud.middleware.CloudAccessMiddleware"]
PARTIDA_COMPANY_ACCESS = "partida.books.access"  # every company, on the desktop
# ``partida demo --customer EMAIL``: what the command creates belongs to that customer.
PARTIDA_ACTING_FOR_CUSTOMER = "partida.cloud.cli.acting_for_customer"
LOGIN_URL = "cloud:sign_in"
LOGIN_REDIRECT_URL = "cloud:portal"

if EDITION == "cloud":
    from partida.cloud.settings import cloud_settings

    _cloud = cloud_settings()  # stops start-up with one sentence on a missing or wrong setting
    DATABASES = _cloud["DATABASES"]
    SECRET_KEY = _cloud["SECRET_KEY"]
    SECRET_KEY_FALLBACKS = _cloud["SECRET_KEY_FALLBACKS"]
    PARTIDA_SMTP_URL = _cloud["PARTIDA_SMTP_URL"]
    ALLOWED_HOSTS = _cloud["ALLOWED_HOSTS"]
    PARTIDA_S3 = _cloud["PARTIDA_S3"]
    STORAGES = {**STORAGES, "default": _cloud["STORAGE_DEFAULT"]}
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _cloud["SESSION_COOKIE_SECURE"]
    SECURE_SSL_REDIRECT = _cloud["SECURE_SSL_REDIRECT"]
    if _cloud["SECURE_PROXY_SSL_HEADER"]:
        SECURE_PROXY_SSL_HEADER = _cloud["SECURE_PROXY_SSL_HEADER"]
    ROOT_URLCONF = "partida.cloud.root_urls"  # adds the portal and the administration screen
    PARTIDA_COMPANY_ACCESS = "partida.cloud.access"
    # Each customer may choose a passphrase for the automatic backups of their companies.
    PARTIDA_AUTOMATIC_BACKUP_PASSPHRASE = "partida.cloud.encryption.passphrase_for_company"
