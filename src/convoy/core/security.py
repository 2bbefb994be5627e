"""Refused access goes into the audit trail as ``security.refused`` events.

A refusal is usually raised inside the transaction of the write that was refused, and that
transaction rolls back; so refusals are noted here and written once the request (or a job's
``refusal_scope``) is over, outside any transaction. Two kinds are recorded:

* a request answered 401 or 403 (noted by the middleware if nothing more specific was);
* a record that exists but is not visible to the actor, answered 404 so that its existence does
  not leak — the event says which record was asked for; the response does not.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models

_pending: contextvars.ContextVar[list[Refusal] | None] = contextvars.ContextVar(
    "pending_refusals", default=None
)


@dataclass(frozen=True)
class Refusal:
    actor: Any
    object_type: str
    object_id: str
    reason: str


def note_refusal(actor: Any, model: type[models.Model], pk: Any, action: str) -> None:
    """Remember that ``actor`` was refused ``action`` on ``model`` #pk (if that record exists)."""
    notes = _pending.get()
    if notes is None:
        return  # outside a request or job scope: the caller reports the refusal itself
    try:
        exists = model._default_manager.filter(pk=pk).exists()
    except (ValueError, TypeError):
        exists = False
    if exists:
        notes.append(Refusal(actor, model._meta.label_lower, str(pk), f"refused: {action}"))


def note_request_refusal(actor: Any, method: str, path: str, status: int) -> None:
    notes = _pending.get()
    if notes is not None and not notes:
        notes.append(Refusal(actor, "http.request", path[:64], f"{method} {path} -> {status}"))


@contextmanager
def refusal_scope() -> Iterator[None]:
    """Collect refusals noted within the block; write them as audit events when it ends."""
    token = _pending.set([])
    try:
        yield
    finally:
        notes = _pending.get() or []
        _pending.reset(token)
        _write(notes)


def _write(notes: list[Refusal]) -> None:
    from .audit import audit

    seen: set[tuple[str, str, str]] = set()
    for note in notes:
        key = (note.object_type, note.object_id, note.reason)
        if key in seen:
            continue
        seen.add(key)
        audit(
            actor=note.actor,
            action="security.refused",
            object_type=note.object_type,
            object_id=note.object_id,
            reason=note.reason,
        )
