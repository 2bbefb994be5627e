"""Writes on nations, coalitions and organisations (reference data), users and API tokens."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from convoy.core.access import ROLES, actor_context
from convoy.core.audit import audit, snapshot
from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.services import crud_services

from . import selectors, tokens
from .models import ApiToken, Coalition, Membership, Nation, Organisation

nation_create, nation_update, nation_delete = crud_services(Nation, "nation")
coalition_create, coalition_update, coalition_delete = crud_services(Coalition, "coalition")
organisation_create, organisation_update, organisation_delete = crud_services(
    Organisation, "organisation"
)


@transaction.atomic
def membership_set(
    *,
    actor: Any,
    user: Any,
    nation: Nation,
    roles: list[str],
    time_zone: str = "UTC",
    reason: str = "",
) -> Membership:
    """Place a user in a nation with roles (admins and command coordinators only)."""
    ctx = actor_context(actor)
    if not (ctx.is_coordinator and ctx.is_command):
        raise Forbidden(_("Only command administrators manage memberships."))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise DomainError(_("Unknown roles: %(r)s.") % {"r": ", ".join(unknown)}, field="roles")
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(_("Unknown time zone."), field="time_zone") from exc
    current = Membership.objects.select_for_update().filter(user=user).first()
    before = snapshot(current) if current else None
    if current is None:
        current = Membership(user=user)
    current.nation = nation
    current.roles = sorted(set(roles))
    current.time_zone = time_zone
    current.save()
    if before is None or before != snapshot(current):
        audit(actor=actor, action="membership.set", obj=current, before=before, reason=reason)
    return current


# --- users (the admin pages write through these) -------------------------------------------


def user_snapshot(user: Any) -> dict[str, Any]:
    """A user's fields for the audit trail, never the password hash: only whether one is usable."""
    data = snapshot(user)
    data.pop("password", None)
    data["has_usable_password"] = user.has_usable_password()
    return data


def _require_user_admin(actor: Any) -> None:
    if not selectors.may_manage_users(actor):
        raise Forbidden(_("Only administrators manage user accounts."))


@transaction.atomic
def user_save(
    *,
    actor: Any,
    user: Any,
    groups: Iterable[Any] | None = None,
    user_permissions: Iterable[Any] | None = None,
    reason: str = "",
) -> Any:
    """Create or update a user account as prepared by a form (the password already hashed on it).

    Only administrators; only a superuser grants or removes superuser status. Groups and
    permissions are set when given. The audit event records whether the password changed, never
    the password or its hash.
    """
    _require_user_admin(actor)
    User = get_user_model()
    created = user.pk is None
    before: dict[str, Any] | None = None
    old_hash = None
    if not created:
        current = User._default_manager.select_for_update().filter(pk=user.pk).first()
        if current is None:
            raise Http404(_("No such record."))
        before = user_snapshot(current)
        old_hash = current.password
        promoting = current.is_superuser != user.is_superuser
    else:
        promoting = bool(user.is_superuser)
    if promoting and not getattr(actor, "is_superuser", False):
        raise Forbidden(_("Only a superuser grants or removes superuser status."))
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc
    user.save()
    if groups is not None:
        user.groups.set(groups)
    if user_permissions is not None:
        user.user_permissions.set(user_permissions)
    after = user_snapshot(user)
    after["password_changed"] = not created and user.password != old_hash
    audit(
        actor=actor,
        action="user.create" if created else "user.update",
        obj=user,
        before=before,
        after=after,
        reason=reason,
    )
    return user


@transaction.atomic
def user_delete(*, actor: Any, user: Any, reason: str = "") -> None:
    """Delete a user account (its membership and API tokens go with it). Administrators only."""
    _require_user_admin(actor)
    User = get_user_model()
    locked = User._default_manager.select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise Http404(_("No such record."))
    if locked.pk == actor.pk:
        raise Conflict(_("You cannot delete your own account."))
    if locked.is_superuser and not getattr(actor, "is_superuser", False):
        raise Forbidden(_("Only a superuser deletes a superuser."))
    before = user_snapshot(locked)
    membership = Membership.objects.filter(user=locked).first()
    before["membership"] = snapshot(membership) if membership else None
    before["api_tokens"] = list(ApiToken.objects.filter(user=locked).values_list("pk", flat=True))
    pk, repr_ = locked.pk, str(locked)
    try:
        with transaction.atomic():
            locked.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise Conflict(
            _(
                "%(obj)s has acted or is named in other records (the audit trail keeps who did "
                "what) and cannot be deleted: deactivate the account instead."
            )
            % {"obj": repr_}
        ) from exc
    audit(
        actor=actor,
        action="user.delete",
        object_type=User._meta.label_lower,
        object_id=str(pk),
        before=before,
        after=None,
        reason=reason,
    )


# --- API tokens ------------------------------------------------------------------------------


def api_token_snapshot(token: ApiToken) -> dict[str, Any]:
    """A token's fields for the audit trail, without the key hash."""
    data = snapshot(token)
    data.pop("key_hash", None)
    return data


@transaction.atomic
def api_token_create(
    *,
    actor: Any,
    name: str,
    days: int | None = None,
    via_token: ApiToken | None = None,
    reason: str = "",
) -> tuple[ApiToken, str]:
    """Make an API token for the actor; return it with its key, which is never shown again.

    ``days`` (default 90, at most 365) sets the expiry. A token cannot make another token
    (``via_token``): tokens are made from a signed-in session, so that revoking a leaked token is
    enough to shut it out.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Sign in to make an API token."))
    if via_token is not None:
        raise Forbidden(
            _(
                "API tokens are made from a signed-in session (the API tokens page), "
                "not with another token."
            )
        )
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name, e.g. what will use it."), field="name")
    max_days = int(settings.CONVOY_API_TOKEN_MAX_DAYS)
    days = int(settings.CONVOY_API_TOKEN_DEFAULT_DAYS) if days is None else days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= max_days:
        raise DomainError(
            _("A token lives from 1 to %(max)d days.") % {"max": max_days}, field="days"
        )
    key = tokens.new_key()
    now = timezone.now()
    token = ApiToken(
        user=actor,
        name=name,
        prefix=key[: tokens.PREFIX_LENGTH],
        key_hash=tokens.hash_key(key),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    try:
        token.full_clean(exclude=["user", "revoked_by"])
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc
    token.save(force_insert=True)
    audit(
        actor=actor,
        action="api_token.create",
        obj=token,
        before=None,
        after=api_token_snapshot(token),
        reason=reason,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token at once. Users revoke their own; administrators anyone's. Others: 404."""
    locked = selectors.api_token_or_404(
        selectors.api_tokens_revocable(actor=actor).select_for_update(),
        actor=actor,
        pk=token.pk,
        action="change",
    )
    if locked.revoked_at is not None:
        raise Conflict(_("This token is already revoked."))
    before = api_token_snapshot(locked)
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit(
        actor=actor,
        action="api_token.revoke",
        obj=locked,
        before=before,
        after=api_token_snapshot(locked),
        reason=reason,
    )
    return locked


# --- sign-in lockouts --------------------------------------------------------------------------


@transaction.atomic
def lockout_clear(*, actor: Any, attempt: Any, reason: str = "") -> None:
    """Lift a sign-in lock early: forget the failed attempts of one username at one address.
    Administrators only; recorded as ``security.unlock`` on the user."""
    from axes.models import AccessAttempt

    from .security import USER_TYPE, user_id_or_name

    _require_user_admin(actor)
    locked = AccessAttempt.objects.select_for_update().filter(pk=attempt.pk).first()
    if locked is None:
        raise Http404(_("No such record."))
    before = {
        "username": locked.username,
        "ip_address": locked.ip_address,
        "failures_since_start": locked.failures_since_start,
        "attempt_time": locked.attempt_time.isoformat(),
    }
    locked.delete()
    audit(
        actor=actor,
        action="security.unlock",
        object_type=USER_TYPE,
        object_id=user_id_or_name(locked.username or ""),
        before=before,
        after=None,
        reason=reason
        or _("sign-in unlocked at %(address)s") % {"address": locked.ip_address or "?"},
    )
