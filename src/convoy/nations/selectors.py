"""Reads on users' own credentials.

API tokens are not nation records: ``restrict()`` scopes records by nation and role, while a token
belongs to one person whatever their roles. These two selectors are its choke point: everyone sees
and revokes only their own tokens; an administrator (role ``admin``) may revoke anyone's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from convoy.core.access import actor_context
from convoy.core.security import note_refusal

from .models import ApiToken


def may_manage_users(actor: Any) -> bool:
    """Command administrators (role ``admin``) and superusers manage other people's accounts."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return bool(getattr(actor, "is_superuser", False)) or "admin" in actor_context(actor).roles


def api_tokens_of(*, actor: Any) -> QuerySet[ApiToken]:
    """The actor's own tokens, newest first."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.pk).order_by("-created_at", "-id")


def api_tokens_revocable(*, actor: Any) -> QuerySet[ApiToken]:
    """The tokens the actor may revoke: their own, or everyone's for an administrator."""
    if may_manage_users(actor):
        return ApiToken.objects.all()
    return api_tokens_of(actor=actor)


def api_token_or_404(queryset: QuerySet[ApiToken], *, actor: Any, pk: Any, action: str) -> ApiToken:
    """The token ``pk`` from ``queryset``; otherwise 404, and the refusal goes to the audit trail
    when the token exists (someone else's)."""
    try:
        token = queryset.filter(pk=pk).first()
    except (ValueError, TypeError):
        token = None
    if token is None:
        note_refusal(actor, ApiToken, pk, action)
        raise Http404(_("No such record."))
    return token
