"""Production: behind TLS, with a real secret. ``convoy check --deploy`` passes with no warnings."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False

SECRET_KEY = os.environ.get("CONVOY_SECRET_KEY", "")
# Django's own bar (check security.W009): at least 50 characters, at least 5 different ones.
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured(
        "CONVOY_SECRET_KEY must be set in production to a random value of at least 50 characters "
        '(e.g. python -c "import secrets; print(secrets.token_urlsafe(50))")'
    )
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("CONVOY_SECRET_KEY_FALLBACKS", "").split() if k]

# Cookies only over HTTPS, out of reach of scripts.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

# HTTPS everywhere: redirect plain HTTP (unless the proxy does it: CONVOY_SSL_REDIRECT=0), and tell
# browsers to come back only over HTTPS for a year.
SECURE_SSL_REDIRECT = os.environ.get("CONVOY_SSL_REDIRECT", "1") == "1"
if not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS = ["security.W008"]  # the TLS proxy in front redirects instead
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
