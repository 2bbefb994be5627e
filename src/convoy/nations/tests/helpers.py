"""Helpers shared by the nations tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from convoy.core.models import AuditEvent
from convoy.core.tests.factories import World, make_user

ADDRESS_A = "203.0.113.10"
ADDRESS_B = "198.51.100.20"


def admin_user(world: World, *, superuser: bool = True) -> Any:
    """A command administrator with the Django admin (role ``admin``)."""
    user = make_user("boss", world.nations["NSATU"], ["admin", "coordinator"])
    user.is_staff = True
    user.is_superuser = superuser
    user.save()
    return user


def sign_in(username: str, password: str, address: str, client: Client | None = None) -> Any:
    client = client or Client()
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def event_text(event: AuditEvent) -> str:
    """Everything an event stores, as one string (to look for what must not be there)."""
    return json.dumps(
        {
            "actor": event.actor_username,
            "object_id": event.object_id,
            "object_repr": event.object_repr,
            "before": event.before,
            "after": event.after,
            "reason": event.reason,
        },
        default=str,
    )


def before(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.before, dict)
    return event.before


def after(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.after, dict)
    return event.after
