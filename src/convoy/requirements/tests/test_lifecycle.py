from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.models import AuditEvent
from convoy.core.tests import factories
from convoy.requirements import services
from convoy.requirements.models import Requirement

pytestmark = pytest.mark.django_db

# (transition, from status, allowed?)
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "validated": ["submit", "validate"],
    "fulfilled": ["submit", "validate", "fulfil"],
    "cancelled": ["cancel"],
}
EXPECTED = {
    ("submit", "draft"): "submitted",
    ("validate", "submitted"): "validated",
    ("return_to_draft", "submitted"): "draft",
    ("fulfil", "validated"): "fulfilled",
    ("cancel", "draft"): "cancelled",
    ("cancel", "submitted"): "cancelled",
    ("cancel", "validated"): "cancelled",
}


def _at(world: Any, status: str) -> Requirement:
    req = factories.requirement(world)
    for step in PATHS[status]:
        req = services.requirement_transition(
            actor=world.users["command"], requirement=req, transition=step, reason="r"
        )
    assert req.status == status
    return req


@pytest.mark.parametrize("status", list(PATHS))
@pytest.mark.parametrize("transition", list(services.TRANSITIONS))
def test_every_transition_from_every_state(world: Any, transition: str, status: str) -> None:
    req = _at(world, status)
    events = AuditEvent.objects.count()
    actor = world.users["command"]
    target = EXPECTED.get((transition, status))
    if target:
        out = services.requirement_transition(
            actor=actor, requirement=req, transition=transition, reason="because"
        )
        assert out.status == target
        assert Requirement.objects.get(pk=req.pk).status == target
        assert AuditEvent.objects.count() == events + 1
        event = AuditEvent.objects.order_by("-id").first()
        assert event is not None
        assert event.action == f"requirement.{transition}"
        assert event.before is not None and event.after is not None
        assert event.before["status"] == status and event.after["status"] == target
    else:
        with pytest.raises(Conflict) as exc:
            services.requirement_transition(
                actor=actor, requirement=req, transition=transition, reason="because"
            )
        assert "Cannot" in exc.value.message
        assert Requirement.objects.get(pk=req.pk).status == status  # nothing changed
        assert AuditEvent.objects.count() == events


def test_only_the_command_validates(world: Any) -> None:
    req = _at(world, "submitted")
    # DEU sees it (released) and has the approver role, but is not the command
    with pytest.raises(Forbidden):
        services.requirement_validate(actor=world.users["deu_approver"], requirement=req)
    # POL does not see it at all: not found, never forbidden
    with pytest.raises(Http404):
        services.requirement_validate(actor=world.users["pol"], requirement=req)
    assert Requirement.objects.get(pk=req.pk).status == "submitted"


def test_owner_submits_other_nation_cannot(world: Any) -> None:
    req = _at(world, "draft")
    with pytest.raises(Forbidden):
        services.requirement_submit(actor=world.users["deu"], requirement=req)
    out = services.requirement_submit(actor=world.users["ukr"], requirement=req)
    assert out.status == "submitted"


def test_cancel_needs_a_reason(world: Any) -> None:
    req = _at(world, "draft")
    with pytest.raises(DomainError) as exc:
        services.requirement_cancel(actor=world.users["ukr"], requirement=req, reason=" ")
    assert exc.value.field == "reason"
    assert Requirement.objects.get(pk=req.pk).status == "draft"


def test_item_xor_category(world: Any) -> None:
    with pytest.raises(DomainError) as exc:
        factories.requirement(world, category=world.categories["armour"])
    assert "item" in exc.value.errors
    with pytest.raises(DomainError):
        factories.requirement(world, item=None)
    req = factories.requirement(world, item=None, category=world.categories["armour"])
    assert req.category == world.categories["armour"]


def test_quantity_and_priority_validated(world: Any) -> None:
    with pytest.raises(DomainError) as exc:
        factories.requirement(world, quantity=0)
    assert "quantity" in exc.value.errors
    with pytest.raises(DomainError) as exc:
        factories.requirement(world, priority=5)
    assert "priority" in exc.value.errors
    assert Requirement.objects.count() == 0


def test_edit_only_while_open(world: Any) -> None:
    req = _at(world, "validated")
    with pytest.raises(Conflict):
        services.requirement_update(actor=world.users["ukr"], obj=req, data={"quantity": 3})
    draft = _at(world, "draft")
    out = services.requirement_update(actor=world.users["ukr"], obj=draft, data={"quantity": 3})
    assert out.quantity == 3 and out.version == 2


def test_cannot_give_a_record_to_another_nation(world: Any) -> None:
    with pytest.raises(DomainError) as exc:
        factories.requirement(world, owner=world.nations["DEU"])
    assert exc.value.field == "owner"
    req = factories.requirement(world, actor=world.users["command"], owner=world.nations["UKR"])
    assert req.owner == world.nations["UKR"]


def test_references_are_sequential(world: Any) -> None:
    a = factories.requirement(world)
    b = factories.requirement(world)
    assert a.reference.endswith("00001") and b.reference.endswith("00002")
