"""Consignments: from allocations or by hand, tracked along legs, received with discrepancies;
quantities conserved at every step, bad input refused with nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.models import AuditEvent
from convoy.core.tests import factories
from convoy.logistics import services
from convoy.logistics.models import Consignment, ConsignmentLine, Leg, Node
from convoy.planning import services as planning
from convoy.pledges import services as pledges
from convoy.pledges.models import LINE_STATES, PledgeLine
from convoy.requirements import services as requirements

pytestmark = pytest.mark.django_db


def states(line: PledgeLine) -> dict[str, int]:
    line.refresh_from_db()
    return {s: getattr(line, s) for s in LINE_STATES if getattr(line, s)}


def conserved(c: Consignment) -> None:
    for cl in ConsignmentLine.objects.filter(consignment=c).select_related("consignment"):
        assert cl.shipped == cl.received + cl.discrepancies + cl.in_transit
        pl = cl.pledge_line
        pl.refresh_from_db()
        assert sum(getattr(pl, s) for s in LINE_STATES) == pl.quantity


@pytest.fixture
def net(world: Any) -> dict[str, Any]:
    """Depot (DEU) -> Rzeszów hub (POL) -> Lviv (UKR), by road; a line of 10 tanks allocated."""
    hub = Node.objects.create(
        name="Rzeszów hub", kind="hub", nation=world.nations["POL"], latitude=50.0, longitude=22.0
    )
    cmd = world.users["command"]
    services.leg_create(
        actor=cmd,
        data={"origin": world.depot, "destination": hub, "transit_days": 2, "km": 1100},
    )
    services.leg_create(
        actor=cmd,
        data={"origin": hub, "destination": world.destination, "transit_days": 1, "km": 150},
    )
    req = factories.requirement(world, quantity=10, priority=1)
    requirements.requirement_transition(
        actor=world.users["ukr"], requirement=req, transition="submit"
    )
    req = requirements.requirement_transition(actor=cmd, requirement=req, transition="validate")
    pledge = factories.pledge(world)
    line = factories.line(world, pledge, quantity=10, source_depot=world.depot)
    line = pledges.pledge_line_accept(actor=cmd, line=line, quantity=10)
    planning.allocation_create(
        actor=cmd, data={"pledge_line": line, "requirement": req, "quantity": 10}
    )
    return {"hub": hub, "line": line, "req": req}


def at(hours: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=100 - hours)


def test_from_allocations_to_receipt_with_discrepancies(world: Any, net: dict[str, Any]) -> None:
    cmd, pol, ukr = world.users["command"], world.users["pol"], world.users["ukr"]
    [c] = services.consignments_from_allocations(actor=cmd)
    assert (c.origin, c.destination, c.priority) == (world.depot, world.destination, 1)
    assert c.owner.code == "DEU"
    assert set(c.released_to.values_list("code", flat=True)) == {"UKR", "POL"}  # hub on the way
    assert services.consignments_from_allocations(actor=cmd) == []  # nothing left to consign
    line = net["line"]
    assert states(line) == {"allocated": 10}
    c = services.consignment_dispatch(actor=world.users["deu"], consignment=c, occurred_at=at(0))
    assert states(line) == {"in_transit": 10}
    conserved(c)
    # the hub's operator records its own node
    c = services.consignment_track(
        actor=pol, consignment=c, kind="arrived", node=net["hub"], occurred_at=at(30)
    )
    c = services.consignment_track(actor=pol, consignment=c, kind="departed", occurred_at=at(40))
    c = services.consignment_track(
        actor=ukr, consignment=c, kind="arrived", node=world.destination, occurred_at=at(60)
    )
    c = services.consignment_track(actor=ukr, consignment=c, kind="handed_over", occurred_at=at(61))
    [cl] = c.lines.all()
    # a partial receipt: 7 good, 1 damaged; 2 still on the way
    c = services.consignment_receive(
        actor=ukr, consignment=c, lines={cl.pk: {"received": 7, "damaged": 1}}, occurred_at=at(62)
    )
    assert c.status == "handed_over"
    assert states(line) == {"in_transit": 2, "delivered": 7, "lost": 1}
    conserved(c)
    c = services.consignment_receive(
        actor=ukr, consignment=c, lines={cl.pk: {"received": 1, "short": 1}}, occurred_at=at(70)
    )
    assert c.status == "received" and c.received_at is not None
    assert states(line) == {"delivered": 8, "lost": 2}
    conserved(c)
    kinds = list(c.events.values_list("kind", flat=True))
    assert kinds == [
        "dispatched",
        "arrived",
        "departed",
        "arrived",
        "handed_over",
        "received",
        "received",
    ]
    assert AuditEvent.objects.filter(action="pledge_line.deliver").count() == 2
    assert AuditEvent.objects.filter(action__startswith="consignment.").count() == 8


def test_bad_input_is_refused_and_changes_nothing(world: Any, net: dict[str, Any]) -> None:
    cmd, ukr = world.users["command"], world.users["ukr"]
    [c] = services.consignments_from_allocations(actor=cmd)
    [cl] = c.lines.all()
    with pytest.raises(Conflict, match="arrived at its destination"):  # received before dispatch
        services.consignment_receive(actor=cmd, consignment=c, lines={cl.pk: {"received": 1}})
    c = services.consignment_dispatch(actor=cmd, consignment=c, occurred_at=at(10))
    with pytest.raises(Conflict, match="Only a planned"):
        services.consignment_dispatch(actor=cmd, consignment=c)
    with pytest.raises(DomainError, match="no leg from Pirmasens depot to Lviv"):
        services.consignment_track(
            actor=cmd, consignment=c, kind="arrived", node=world.destination, occurred_at=at(20)
        )
    with pytest.raises(Conflict, match="in order"):  # before the dispatch
        services.consignment_track(
            actor=cmd, consignment=c, kind="arrived", node=net["hub"], occurred_at=at(5)
        )
    with pytest.raises(DomainError, match="future"):
        services.consignment_track(
            actor=cmd,
            consignment=c,
            kind="arrived",
            node=net["hub"],
            occurred_at=timezone.now() + dt.timedelta(days=1),
        )
    with pytest.raises(Conflict, match="arrived at"):  # departs without having arrived
        services.consignment_track(actor=cmd, consignment=c, kind="departed", occurred_at=at(20))
    services.consignment_track(
        actor=cmd, consignment=c, kind="arrived", node=net["hub"], occurred_at=at(20)
    )
    with pytest.raises(Conflict, match="destination"):
        services.consignment_track(actor=cmd, consignment=c, kind="handed_over", occurred_at=at(21))
    services.consignment_track(actor=cmd, consignment=c, kind="departed", occurred_at=at(22))
    services.consignment_track(
        actor=cmd, consignment=c, kind="arrived", node=world.destination, occurred_at=at(30)
    )
    before = (states(net["line"]), c.events.count())
    with pytest.raises(Conflict, match="10 in transit"):
        services.consignment_receive(
            actor=ukr, consignment=c, lines={cl.pk: {"received": 9, "lost": 2}}, occurred_at=at(31)
        )
    with pytest.raises(DomainError, match="not on this consignment"):
        services.consignment_receive(actor=ukr, consignment=c, lines={999999: {"received": 1}})
    with pytest.raises(DomainError, match="not negative"):
        services.consignment_receive(actor=ukr, consignment=c, lines={cl.pk: {"received": -1}})
    with pytest.raises(DomainError, match="accounts for nothing"):
        services.consignment_receive(actor=ukr, consignment=c, lines={cl.pk: {"received": 0}})
    assert (states(net["line"]), c.events.count()) == before
    conserved(c)


def test_who_may_do_what(world: Any, net: dict[str, Any]) -> None:
    deu, pol, fra, ukr = (world.users[u] for u in ("deu", "pol", "fra", "ukr"))
    line = net["line"]
    with pytest.raises(Forbidden):  # only the command makes them from allocations
        services.consignments_from_allocations(actor=deu)
    # the donor consigns its own allocated units by hand; others may not
    data = {
        "origin": world.depot,
        "destination": world.destination,
        "ready_on": dt.date(2026, 12, 1),
        "lines": [{"pledge_line": line.pk, "quantity": 4}],
    }
    with pytest.raises((Forbidden, Http404)):
        services.consignment_create(actor=pol, data=data)
    c = services.consignment_create(actor=deu, data=data)
    with pytest.raises(Conflict, match="6 allocated units"):
        services.consignment_create(
            actor=deu, data={**data, "lines": [{"pledge_line": line, "quantity": 7}]}
        )
    with pytest.raises(Http404):  # France cannot even see it
        services.consignment_dispatch(actor=fra, consignment=c)
    with pytest.raises(Forbidden):  # the partner sees it but does not dispatch it
        services.consignment_dispatch(actor=ukr, consignment=c)
    services.consignment_dispatch(actor=deu, consignment=c, occurred_at=at(0))
    with pytest.raises(Forbidden):  # Poland runs the hub, not Lviv
        services.consignment_track(
            actor=pol, consignment=c, kind="arrived", node=world.destination, occurred_at=at(5)
        )
    services.consignment_track(
        actor=pol, consignment=c, kind="arrived", node=net["hub"], occurred_at=at(5)
    )
    assert Consignment.objects.get(pk=c.pk).current_node == net["hub"]
    with pytest.raises(Forbidden):  # the partner does not speak for the Polish hub
        services.consignment_track(actor=ukr, consignment=c, kind="departed", occurred_at=at(6))


def test_a_planned_consignment_can_be_cancelled(world: Any, net: dict[str, Any]) -> None:
    cmd = world.users["command"]
    [c] = services.consignments_from_allocations(actor=cmd)
    services.consignment_cancel(actor=cmd, consignment=c, reason="wrong date")
    assert not Consignment.objects.exists()
    assert states(net["line"]) == {"allocated": 10}
    [again] = services.consignments_from_allocations(actor=cmd)
    services.consignment_dispatch(actor=cmd, consignment=again)
    with pytest.raises(Conflict, match="has left"):
        services.consignment_cancel(actor=cmd, consignment=again)


def test_legs_are_checked(world: Any, net: dict[str, Any]) -> None:
    cmd = world.users["command"]
    with pytest.raises(DomainError):
        services.leg_create(actor=cmd, data={"origin": world.depot, "destination": world.depot})
    with pytest.raises(DomainError):  # the same leg twice
        services.leg_create(actor=cmd, data={"origin": world.depot, "destination": net["hub"]})
    with pytest.raises(Forbidden):
        services.leg_create(
            actor=world.users["deu"], data={"origin": world.depot, "destination": world.destination}
        )
    assert Leg.objects.count() == 2
