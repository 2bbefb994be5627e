"""The audit trail: one hash-chained AuditEvent per write, in the write's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .access import actor_context
from .middleware import request_id_var
from .models import AuditEvent

_CHAIN_LOCK = 727_001  # PostgreSQL advisory lock id serialising appends to the chain


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The record's fields as JSON-ready values (foreign keys by id, many-to-many as id lists)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            data[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return data


def event_digest(fields: dict[str, Any], prev_hash: str) -> str:
    payload = json.dumps({**fields, "prev_hash": prev_hash}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def chained_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
        "actor_username": event.actor_username,
        "nation_code": event.nation_code,
        "request_id": event.request_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }


@transaction.atomic(savepoint=False)  # within a write: its transaction; alone: its own
def audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor_username: str = "",
) -> AuditEvent:
    """Append one audit event. Call inside the write's ``transaction.atomic`` block.

    Outside one (security events: a failed login, a refused request) it opens its own, so that the
    chain lock is held until the event is stored.
    """
    ctx = actor_context(actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if after is None:
            after = snapshot(obj)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_username=actor_username or getattr(actor, "username", "") or "",
        nation_code=ctx.nation_code,
        request_id=request_id_var.get(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:300] if obj is not None else "",
        before=before,
        after=after,
        reason=reason,
        prev_hash=last,
    )
    event.hash = event_digest(chained_fields(event), last)
    event.save(force_insert=True)
    return event


def history_of(obj: models.Model) -> QuerySet[AuditEvent]:
    """The record's own events, newest first. Refusals (``security.*``) belong to the audit
    search, not to the record's history: its viewers need not learn who else tried."""
    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .exclude(action__startswith="security.")
        .order_by("-id")
    )


def verify_chain() -> tuple[bool, str]:
    """Walk the chain in id order; report the first broken link."""
    prev = ""
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return False, f"event {event.pk}: link to previous event broken"
        if event_digest(chained_fields(event), prev) != event.hash:
            return False, f"event {event.pk}: content does not match its hash"
        prev = event.hash
        count += 1
    return True, f"OK: {count} events"
