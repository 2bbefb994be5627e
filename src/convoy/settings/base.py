"""Settings shared by every environment.

The environment picks the module (``CONVOY_ENV`` = dev | test | production, see
``convoy.__main__``) and the database (``DATABASE_URL``; default: an embedded SQLite file).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CONVOY_VAR_DIR", PROJECT_DIR / "var"))

SECRET_KEY = os.environ.get("CONVOY_SECRET_KEY", "dev-insecure-change-me")
DEBUG = False
ALLOWED_HOSTS: list[str] = [
    h for h in os.environ.get("CONVOY_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "convoy.core",
    "convoy.nations",
    "convoy.catalog",
    "convoy.requirements",
    "convoy.pledges",
    "convoy.logistics",
    "convoy.planning",
    "convoy.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "convoy.core.middleware.RequestContextMiddleware",
    # last: turns a lockout flagged during authentication into the lockout page or problem
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "convoy.urls"
WSGI_APPLICATION = "convoy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "convoy.web.context.navigation",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'convoy.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers do not block the writer; IMMEDIATE: writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first: new and re-hashed passwords use it; the others stay so that older hashes still
# verify (and are upgraded to Argon2 at the next successful login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# django-axes first: it refuses a locked-out username at its address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: 5 failed logins for one username from one address lock that username at that address
# for 30 minutes (each further failure there restarts the 30 minutes). The same username from
# another address, and other usernames from the same address, are not affected: a stranger cannot
# lock a user out from elsewhere. `convoy axes_reset_username NAME` unlocks early.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "convoy.nations.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "convoy.nations.security.client_address"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are security.login events in the audit trail
AXES_ENABLE_ADMIN = False  # convoy's own admin page for attempts: unlocking there is audited
# Behind N reverse proxies that append to X-Forwarded-For, the client address is the N-th entry
# from the right; 0 (the default) uses REMOTE_ADDR. Never trust the header without a proxy.
CONVOY_TRUSTED_PROXY_COUNT = int(os.environ.get("CONVOY_TRUSTED_PROXY_COUNT", "0"))

# API tokens: a token lives 90 days unless its owner picks otherwise, never more than a year.
CONVOY_API_TOKEN_DEFAULT_DAYS = 90
CONVOY_API_TOKEN_MAX_DAYS = 365

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # pages send the token from the template, never from the cookie

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("uk", _("Ukrainian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # first, so that a missing or bad token answers 401 with WWW-Authenticate: Bearer
        "convoy.nations.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "convoy.core.errors.problem_exception_handler",
    "DATE_INPUT_FORMATS": ["iso-8601"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Convoy API",
    "DESCRIPTION": (
        "Requirements, pledges, catalogue, nodes and coalitions of the coordination mission."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApiTokenStatusEnum": "convoy.nations.models.ApiToken.Status",
        "ConsignmentStatusEnum": "convoy.logistics.models.Consignment.Status",
        "PlanStatusEnum": "convoy.planning.models.Plan.Status",  # routing plans share it
    },
}

CONVOY_COMMAND_NATION = "NSATU"

# Background jobs (plans): Django's tasks framework, backport, with the database backend; run
# workers with `convoy db_worker` (the demo starts one). Tests use the immediate backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CONVOY_PARTNER_NATION = "UKR"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
