"""API tokens: key making and hashing, and the DRF authentication class.

A key is 43 URL-safe characters (256 random bits). The database keeps its first 8 characters, to
tell tokens apart on screen, and the SHA-256 of the whole key, to find the token when the key comes
back; a slow password hash adds nothing for a random key of that length. The key itself is shown
once, when the token is made (``services.api_token_create``).

Requests send ``Authorization: Bearer <key>`` (or ``Token <key>``, as before). An unknown,
expired or revoked key answers 401 with a problem detail saying which.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

KEYWORDS = ("bearer", "token")
PREFIX_LENGTH = 8
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def new_key() -> str:
    return secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>``: the token's user, with the token as ``request.auth``."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in {k.encode() for k in KEYWORDS}:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: send 'Bearer <key>'."), code="token_malformed"
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(
                _("Invalid API token."), code="token_invalid"
            ) from exc
        return self.authenticate_key(key)

    def authenticate_key(self, key: str) -> tuple[Any, Any]:
        from .models import ApiToken

        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid API token."), code="token_invalid")
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This API token was revoked on %(when)s.")
                % {"when": token.revoked_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")},
                code="token_revoked",
            )
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This API token expired on %(when)s.")
                % {"when": token.expires_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")},
                code="token_expired",
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The token's user account is disabled."), code="user_inactive"
            )
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            # a usage stamp, not a change of the record: not audited, at most once a minute
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token scheme in the OpenAPI schema."""

    target_class = "convoy.nations.tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token from /account/tokens/: `Authorization: Bearer <key>` "
                "(`Token <key>` is accepted too)."
            ),
        }
