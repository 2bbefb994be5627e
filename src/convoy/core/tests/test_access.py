"""The choke point from six viewpoints, on owned records and on their children."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from convoy.core.access import can, can_add, restrict
from convoy.core.tests import factories
from convoy.pledges.models import PledgeLine
from convoy.requirements.models import Requirement

pytestmark = pytest.mark.django_db


def visible(model: Any, user: Any, action: str = "view") -> set[int]:
    return set(restrict(model.objects.all(), user, action).values_list("pk", flat=True))


def test_six_viewpoints_on_an_owned_record(world: Any) -> None:
    direct = factories.requirement(world, released_to=[world.nations["FRA"]])
    via_coalition = factories.requirement(
        world, released_to=[], released_to_coalitions=[world.coalition]
    )
    private = factories.requirement(world, released_to=[])
    u = world.users
    assert visible(Requirement, u["ukr"]) == {direct.pk, via_coalition.pk, private.pk}  # owner
    assert visible(Requirement, u["fra"]) == {direct.pk}  # released to directly
    assert visible(Requirement, u["nld"]) == {via_coalition.pk}  # member of the coalition
    assert visible(Requirement, u["deu"]) == {via_coalition.pk}  # not released directly
    assert visible(Requirement, u["command"]) == {direct.pk, via_coalition.pk, private.pk}
    assert visible(Requirement, AnonymousUser()) == set()


def test_actions_follow_roles_and_ownership(world: Any) -> None:
    req = factories.requirement(world, released_to=[world.nations["DEU"]])
    u = world.users
    assert visible(Requirement, u["ukr"], "change") == {req.pk}
    assert visible(Requirement, u["deu"], "change") == set()  # sees, may not change
    assert visible(Requirement, u["deu_viewer"], "view") == {req.pk}
    assert visible(Requirement, u["deu_viewer"], "change") == set()
    assert visible(Requirement, u["deu_approver"], "approve") == set()  # not the command
    assert visible(Requirement, u["command"], "approve") == {req.pk}
    assert visible(Requirement, u["ukr"], "approve") == set()
    assert can(u["ukr"], "delete", req) and not can(u["fra"], "view", req)


def test_child_follows_parent(world: Any) -> None:
    pledge = factories.pledge(world, released_to=[world.nations["UKR"]])
    line = factories.line(world, pledge)
    u = world.users
    assert visible(PledgeLine, u["deu"]) == {line.pk}
    assert visible(PledgeLine, u["ukr"]) == {line.pk}
    assert visible(PledgeLine, u["fra"]) == set()
    assert visible(PledgeLine, u["ukr"], "change") == set()
    assert visible(PledgeLine, u["deu"], "change") == {line.pk}


def test_reference_data_visible_to_all_members_changed_by_command(world: Any) -> None:
    from convoy.catalog.models import Item
    from convoy.logistics.models import Node

    u = world.users
    assert len(visible(Item, u["fra"])) == 3
    assert visible(Item, u["fra"], "change") == set()
    assert len(visible(Item, u["command"], "change")) == 3
    assert not can_add(u["deu"], Item) and can_add(u["command"], Item)
    # national reference data: a nation's editors change their own nation's nodes
    assert visible(Node, u["deu"], "change") == {world.depot.pk}
    assert visible(Node, u["ukr"], "change") == {world.destination.pk}
    assert visible(Node, u["deu_viewer"], "change") == set()


def test_a_user_without_membership_sees_nothing(world: Any) -> None:
    from django.contrib.auth import get_user_model

    stray = get_user_model().objects.create_user("stray", password="x-very-long-1")
    factories.requirement(world)
    assert visible(Requirement, stray) == set()


def test_a_write_that_would_leave_the_actors_scope_is_rolled_back(world: Any) -> None:
    """NetBox's pattern: the scope is checked again on the result, inside the transaction."""
    from convoy.core.errors import DomainError, Forbidden
    from convoy.core.models import AuditEvent
    from convoy.nations import services as nations
    from convoy.nations.models import Organisation
    from convoy.requirements import services as requirements

    deu = world.users["deu"]
    org = nations.organisation_create(
        actor=deu, data={"nation": world.nations["DEU"], "name": "BAAINBw", "kind": "ministry"}
    )
    events = AuditEvent.objects.count()
    with pytest.raises(Forbidden, match="scope"):
        nations.organisation_update(actor=deu, obj=org, data={"nation": world.nations["POL"]})
    org.refresh_from_db()
    assert org.nation == world.nations["DEU"] and org.version == 1
    assert AuditEvent.objects.count() == events
    # creating a record for another nation is refused the same way
    with pytest.raises(Forbidden):
        nations.organisation_create(
            actor=deu, data={"nation": world.nations["POL"], "name": "x", "kind": "ministry"}
        )
    assert not Organisation.objects.filter(name="x").exists()
    # an owned record cannot be handed to another nation by its owner
    req = factories.requirement(world)
    with pytest.raises(DomainError, match="owner"):
        requirements.requirement_update(
            actor=world.users["ukr"], obj=req, data={"owner": world.nations["DEU"]}
        )
    req.refresh_from_db()
    assert req.owner == world.nations["UKR"]
