from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from convoy.core.audit import verify_chain
from convoy.core.models import AuditEvent
from convoy.core.tests import factories

pytestmark = pytest.mark.django_db


@contextmanager
def tampering() -> Iterator[None]:
    """What an attacker with the database owner's rights could do: on PostgreSQL the
    append-only trigger must be switched off first (as superuser), on SQLite nothing stops it."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")


def three_events(world: Any) -> list[AuditEvent]:
    for title in ("one", "two", "three"):
        factories.requirement(world, title=title)
    events = list(AuditEvent.objects.order_by("id"))
    assert verify_chain()[0]
    return events


def test_verify_detects_a_deleted_event(world: Any) -> None:
    events = three_events(world)
    with tampering():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    ok, message = verify_chain()
    assert not ok
    assert f"event {events[2].pk}" in message and "link" in message


def test_verify_detects_reordered_events(world: Any) -> None:
    """Swapping the contents of two rows (an attacker reordering history) breaks the chain."""
    events = three_events(world)
    a, b = events[0], events[1]
    fields = [
        f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in ("id", "hash")
    ]
    with tampering():
        AuditEvent.objects.filter(pk=a.pk).update(hash="x" * 64)
        AuditEvent.objects.filter(pk=b.pk).update(**{f: getattr(a, f) for f in fields}, hash=a.hash)
        AuditEvent.objects.filter(pk=a.pk).update(**{f: getattr(b, f) for f in fields}, hash=b.hash)
    ok, message = verify_chain()
    assert not ok
    assert f"event {a.pk}" in message


def test_verify_detects_a_recomputed_hash_without_its_successor(world: Any) -> None:
    """Editing an event and recomputing its own hash still breaks the next link."""
    from convoy.core.audit import chained_fields, event_digest

    events = three_events(world)
    victim = AuditEvent.objects.get(pk=events[0].pk)
    victim.reason = "forged"
    forged = event_digest(chained_fields(victim), victim.prev_hash)
    with tampering():
        AuditEvent.objects.filter(pk=victim.pk).update(reason="forged", hash=forged)
    ok, message = verify_chain()
    assert not ok and f"event {events[1].pk}" in message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_audit_rows(world: Any) -> None:
    event = three_events(world)[0]
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(reason="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()
    assert verify_chain()[0]


def test_a_user_with_events_cannot_be_deleted(world: Any) -> None:
    """Deleting a user would rewrite their events (actor), so it is refused: deactivate them."""
    from django.db.models import ProtectedError

    factories.requirement(world)
    with pytest.raises(ProtectedError), transaction.atomic():
        world.users["ukr"].delete()


def test_each_write_appends_one_chained_event(world: Any) -> None:
    start = AuditEvent.objects.count()
    req = factories.requirement(world)
    assert AuditEvent.objects.count() == start + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.object_id, event.actor_username, event.nation_code) == (
        "requirement.create",
        str(req.pk),
        "ukr",
        "UKR",
    )
    assert event.before is None and event.after is not None
    assert event.after["quantity"] == 10
    ok, message = verify_chain()
    assert ok, message


def test_verify_detects_an_edited_event(world: Any, capsys: Any) -> None:
    factories.requirement(world)
    factories.requirement(world)
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out
    first = AuditEvent.objects.order_by("id").first()
    assert first is not None
    with tampering():
        AuditEvent.objects.filter(pk=first.pk).update(reason="rewritten history")
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")
