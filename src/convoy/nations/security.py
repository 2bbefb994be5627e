"""Security events into the audit trail, the client address, and the lockout answer.

Django's ``user_logged_in``, ``user_logged_out`` and ``user_login_failed`` signals and django-axes'
``user_locked_out`` each append one AuditEvent (``security.login``, ``security.logout``,
``security.login_failed``, ``security.lockout``) on the object ``auth.user`` / the user's id, or the
attempted username when no such user exists. The reason carries the client address. Passwords
are never recorded: only the username is read from the credentials.

``connect()`` is called from the nations app's ``ready()``, after django-axes has connected its
own receivers (``axes`` comes first in ``INSTALLED_APPS``), so that a failed login is counted by
axes before it is recorded here.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

USER_TYPE = "auth.user"
_MAX_ID = 64  # AuditEvent.object_id
_MAX_NAME = 150  # AuditEvent.actor_username


def client_address(request: HttpRequest | None) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``CONVOY_TRUSTED_PROXY_COUNT`` proxies
    the entry that many places from the right of ``X-Forwarded-For`` (the one the outermost
    trusted proxy saw). Also django-axes' ``AXES_CLIENT_IP_CALLABLE``."""
    if request is None:
        return ""
    meta = getattr(request, "META", {}) or {}
    proxies = int(getattr(settings, "CONVOY_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        hops = [h.strip() for h in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies][:45]
    return str(meta.get("REMOTE_ADDR", "") or "")[:45]


def _address(request: HttpRequest | None) -> str:
    return getattr(request, "axes_ip_address", None) or client_address(request) or "unknown"


def _attempted_username(credentials: dict[str, Any] | None) -> str:
    field = get_user_model().USERNAME_FIELD
    value = (credentials or {}).get(field) or (credentials or {}).get("username") or ""
    return str(value)[:_MAX_NAME]


def user_id_or_name(username: str) -> str:
    """The user's id when the username exists, else the attempted username itself."""
    if not username:
        return ""
    User = get_user_model()
    found = (
        User._default_manager.filter(**{User.USERNAME_FIELD: username})
        .values_list("pk", flat=True)
        .first()
    )
    return str(found) if found is not None else username[:_MAX_ID]


def _record(**kwargs: Any) -> None:
    from convoy.core.audit import audit

    audit(object_type=USER_TYPE, **kwargs)


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    _record(
        actor=user,
        action="security.login",
        object_id=str(user.pk),
        reason=_("signed in from %(address)s") % {"address": _address(request)},
    )


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        return  # logging out without being logged in changes nothing
    _record(
        actor=user,
        action="security.logout",
        object_id=str(user.pk),
        reason=_("signed out from %(address)s") % {"address": _address(request)},
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = _attempted_username(credentials)
    address = _address(request)
    if getattr(request, "axes_locked_out", False):
        reason = _("failed sign-in from %(address)s; this username is locked out there") % {
            "address": address
        }
    else:
        reason = _("failed sign-in from %(address)s") % {"address": address}
    _record(
        actor=None,
        actor_username=username,
        action="security.login_failed",
        object_id=user_id_or_name(username),
        reason=reason,
    )


def on_locked_out(
    sender: Any,
    request: HttpRequest | None,
    username: str | None,
    ip_address: str | None,
    **kwargs: Any,
) -> None:
    """Recorded once per lockout: when the failure that reaches the limit locks the username at
    the address (axes also signals each further refused attempt; those are failed logins)."""
    failures = getattr(request, "axes_failures_since_start", None)
    limit = settings.AXES_FAILURE_LIMIT
    if failures is not None and isinstance(limit, int) and failures > limit:
        return
    name = str(username or "")[:_MAX_NAME]
    address = ip_address or _address(request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    _record(
        actor=None,
        actor_username=name,
        action="security.lockout",
        object_id=user_id_or_name(name),
        reason=_(
            "locked out at %(address)s after %(count)s failed sign-ins, for %(minutes)d minutes"
        )
        % {"address": address, "count": failures or limit, "minutes": minutes},
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(on_logged_in, dispatch_uid="convoy.security.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="convoy.security.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="convoy.security.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="convoy.security.lockout")


# --- the answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE) --------------------------------


def _wants_problem(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("json" in accept and "text/html" not in accept)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """429 Too Many Requests with ``Retry-After``: a page on the sign-in forms, problem+json for
    the API and for clients that ask for JSON."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60)
    detail = _(
        "Too many failed sign-ins for this username from your address. Sign-in for it is blocked "
        "here for %(minutes)d minutes; wait, or ask an administrator to unlock it."
    ) % {"minutes": minutes}
    status = 429
    if _wants_problem(request):
        body = {
            "type": "about:blank",
            "title": _("Too many failed sign-ins."),
            "status": status,
            "detail": detail,
            "code": "locked_out",
        }
        response = HttpResponse(
            json.dumps(body), status=status, content_type="application/problem+json"
        )
    else:
        creds = credentials if isinstance(credentials, dict) else {}
        response = render(
            request,
            "nations/locked_out.html",
            {
                "minutes": minutes,
                "failure_limit": settings.AXES_FAILURE_LIMIT,
                "username": _attempted_username(creds) or request.POST.get("username", ""),
                "detail": detail,
            },
            status=status,
        )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
