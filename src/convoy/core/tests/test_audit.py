from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from convoy.core.audit import verify_chain
from convoy.core.models import AuditEvent
from convoy.core.tests import factories

pytestmark = pytest.mark.django_db


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
    AuditEvent.objects.filter(pk=first.pk).update(reason="rewritten history")
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")
