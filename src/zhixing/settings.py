"""One env-driven settings file. Helpers fail loudly on bad values.

Environment:
  DATABASE_URL        default sqlite:///<ZHIXING_HOME>/zhixing.sqlite3
  ZHIXING_HOME        where the embedded default keeps its files (default ./var)
  SECRET_KEY          required when DEBUG is off
  DEBUG               "1"/"0" (default "0")
  ALLOWED_HOSTS       comma-separated (default 127.0.0.1,localhost)
  HUEY_REDIS_URL      run the robot's queue on Redis instead of SQLite
  ROBOT_KICK          "1": a filing wakes the robot at once (set by `zhixing up`)
  INQUIRY_URL         network inquiry over HTTP (`zhixing inquiry-sim`); unset: in-process simulation
  INQUIRY_*           the inquiry robot's timeout, batch size, rate limit, attempts, backoff,
                      resend time and callback (see below and docs/inquiry-protocol.md)
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0, not {value!r}")


HOME = Path(os.environ.get("ZHIXING_HOME", Path.cwd() / "var")).resolve()
DEBUG = env_bool("DEBUG", False)
HOME.mkdir(parents=True, exist_ok=True)
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    # The embedded default keeps a generated key in its home folder.
    key_file = HOME / "secret_key"
    if key_file.exists():
        SECRET_KEY = key_file.read_text().strip()
    else:
        SECRET_KEY = "insecure-embedded-default-" + os.urandom(24).hex()
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "axes",
    "auditlog",
    "zhixing.courts",
    "zhixing.cases",
    "zhixing.inquiry",
    "zhixing.centre",
    "zhixing.tasks",
    "zhixing.funds",
    "zhixing.intake",
    "zhixing.stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhixing.urls"
WSGI_APPLICATION = "zhixing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "zhixing.courts.context.officer",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{HOME / 'zhixing.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the robot write while pages read; IMMEDIATE takes the write lock
    # at BEGIN, so two writers queue instead of failing on lock upgrade.
    # synchronous=NORMAL syncs the WAL at checkpoints, not at every commit:
    # a crash of the application (or a kill -9) loses nothing, the database
    # never corrupts, but a power cut or OS crash may lose the last commits
    # before the next checkpoint (FULL would sync each commit, several ms each).
    # A 64 MB page cache and in-memory temporary tables (sorts, big IN lists)
    # keep a robot pass over thousands of cases off the disk.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                        "PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(HOME / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Server-side binding: the statement goes once with $n placeholders and
    # the values apart, so executemany re-sends values only (with Django's
    # default client-side binding each row's SQL is composed in Python).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True}
else:
    raise ValueError(f"DATABASE_URL must be sqlite:// or postgresql://, not {DATABASE_URL!r}")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
    }
}

HUEY_REDIS_URL = os.environ.get("HUEY_REDIS_URL")
if HUEY_REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "zhixing", "url": HUEY_REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "zhixing",
        "filename": str(HOME / "huey.sqlite3"),
        "immediate": False,
    }
HUEY["consumer"] = {"workers": 1, "worker_type": "thread", "periodic": True, "max_delay": 1.0}
ROBOT_KICK = env_bool("ROBOT_KICK", False)
INQUIRY_URL = os.environ.get("INQUIRY_URL") or None
# The network inquiry's robot (inquiry/services.py; docs/inquiry-protocol.md).
INQUIRY_TIMEOUT = float(os.environ.get("INQUIRY_TIMEOUT") or 10)  # seconds per HTTP call
INQUIRY_BATCH_SIZE = int(os.environ.get("INQUIRY_BATCH_SIZE") or 2000)  # requests per POST
INQUIRY_POLL_PAGE = 10000  # answers per GET
INQUIRY_RATE_LIMIT = float(os.environ.get("INQUIRY_RATE_LIMIT") or 2000)  # requests/second per provider (or a dict)
INQUIRY_MAX_ATTEMPTS = int(os.environ.get("INQUIRY_MAX_ATTEMPTS") or 6)  # then: failed for good, a task
INQUIRY_RETRY_BASE = float(os.environ.get("INQUIRY_RETRY_BASE") or 30)  # seconds; doubles per attempt
INQUIRY_RETRY_MAX = float(os.environ.get("INQUIRY_RETRY_MAX") or 3600)
INQUIRY_RESEND_AFTER = float(os.environ.get("INQUIRY_RESEND_AFTER") or 900)  # sent, no answer: send again
INQUIRY_POLL_SECONDS = float(os.environ.get("INQUIRY_POLL_SECONDS") or 1)  # robot comes back while answers are due
INQUIRY_CALLBACK_URL = os.environ.get("INQUIRY_CALLBACK_URL") or None  # where the network may push answers
INQUIRY_CALLBACK_TOKEN = os.environ.get("INQUIRY_CALLBACK_TOKEN") or None  # the bearer token it must send

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"zhixing": {"handlers": ["console"], "level": "INFO"}},
}
