"""Writes on nations, coalitions and organisations (reference data)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from convoy.core.access import ROLES, actor_context
from convoy.core.audit import audit, snapshot
from convoy.core.errors import DomainError, Forbidden
from convoy.core.services import crud_services

from .models import Coalition, Membership, Nation, Organisation

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
