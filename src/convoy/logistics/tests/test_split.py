"""Splitting consignments: by hand (page and API) and when approving a routing plan that splits
one over several routes; lines shared out in order, nothing lost, bad input refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.models import AuditEvent
from convoy.logistics import routing_plans, services
from convoy.logistics.models import Consignment, ConsignmentLine, Leg, RouteStep
from convoy.logistics.tests.test_consignments import conserved, net, states  # noqa: F401

pytestmark = pytest.mark.django_db


def lines_of(c: Consignment) -> list[tuple[int, int]]:
    return list(
        ConsignmentLine.objects.filter(consignment=c)
        .order_by("pk")
        .values_list("pledge_line_id", "quantity")
    )


def test_split_by_hand_shares_lines_out_in_order(
    world: Any,
    net: dict[str, Any],  # noqa: F811
) -> None:
    cmd = world.users["command"]
    [c] = services.consignments_from_allocations(actor=cmd)
    line = net["line"]
    before = set(c.released_to.values_list("code", flat=True))
    first, second, third = services.consignment_split(
        actor=cmd, consignment=c, quantities=[5, 3, 2]
    )
    assert first.pk == c.pk
    assert lines_of(first) == [(line.pk, 5)]
    assert lines_of(second) == [(line.pk, 3)] and lines_of(third) == [(line.pk, 2)]
    for part in (second, third):
        assert (part.origin, part.destination, part.priority, part.ready_on, part.owner) == (
            c.origin,
            c.destination,
            c.priority,
            c.ready_on,
            c.owner,
        )
        assert part.status == "planned" and c.reference in part.notes
        assert set(part.released_to.values_list("code", flat=True)) == before
        conserved(part)
    assert states(line) == {"allocated": 10}  # nothing moved, nothing lost
    event = AuditEvent.objects.get(action="consignment.split")
    assert event.after is not None and event.before is not None
    assert event.after["parts"] == [
        [first.reference, 5],
        [second.reference, 3],
        [third.reference, 2],
    ]
    assert event.before["lines"] == [[line.pk, 10]]


@pytest.mark.parametrize(
    "quantities, message",
    [
        ([10], "at least two"),
        ([5, 4], "add up to 9"),
        ([0, 10], "at least two"),
        (["x", 1], "whole"),
    ],
)
def test_bad_parts_are_refused_and_change_nothing(
    world: Any,
    net: dict[str, Any],  # noqa: F811
    quantities: list[Any],
    message: str,
) -> None:
    cmd = world.users["command"]
    [c] = services.consignments_from_allocations(actor=cmd)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError, match=message):
        services.consignment_split(actor=cmd, consignment=c, quantities=quantities)
    assert Consignment.objects.count() == 1 and lines_of(c) == [(net["line"].pk, 10)]
    assert AuditEvent.objects.count() == audits


def test_only_the_owner_or_command_split_a_planned_consignment(
    world: Any,
    net: dict[str, Any],  # noqa: F811
) -> None:
    cmd = world.users["command"]
    [c] = services.consignments_from_allocations(actor=cmd)
    with pytest.raises((Forbidden, Http404)):  # POL runs the hub: sees it, may not split it
        services.consignment_split(actor=world.users["pol"], consignment=c, quantities=[5, 5])
    services.consignment_split(actor=world.users["deu"], consignment=c, quantities=[6, 4])
    services.consignment_dispatch(actor=cmd, consignment=c)
    with pytest.raises(Conflict, match="planned"):
        services.consignment_split(actor=cmd, consignment=c, quantities=[3, 3])


def test_split_page_and_api(
    world: Any,
    net: dict[str, Any],  # noqa: F811
) -> None:
    deu = world.users["deu"]
    [c] = services.consignments_from_allocations(actor=world.users["command"])
    page = Client()
    page.force_login(deu)
    assert b'data-testid="split-form"' in page.get(f"/consignments/{c.pk}/").content
    bad = page.post(f"/consignments/{c.pk}/split/", {"quantities": "4, 4"})
    assert bad.status_code == 400 and b"add up to 8" in bad.content
    assert page.post(f"/consignments/{c.pk}/split/", {"quantities": "a"}).status_code == 400
    ok = page.post(f"/consignments/{c.pk}/split/", {"quantities": "7, 3"})
    assert ok.status_code == 302 and Consignment.objects.count() == 2
    api = APIClient()
    api.force_authenticate(deu)
    r = api.post(f"/api/consignments/{c.pk}/split/", {"quantities": [4, 3]}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()[0]["id"] == c.pk and Consignment.objects.count() == 3
    assert (
        api.post(f"/api/consignments/{c.pk}/split/", {"quantities": [1]}, format="json").status_code
        == 400
    )
    pol = APIClient()
    pol.force_authenticate(world.users["pol"])
    assert pol.post(
        f"/api/consignments/{c.pk}/split/", {"quantities": [2, 2]}, format="json"
    ).status_code in (403, 404)
    assert lines_of(c) == [(net["line"].pk, 4)]


def test_approval_splits_what_the_plan_splits(
    world: Any,
    net: dict[str, Any],  # noqa: F811
) -> None:
    """The onward leg carries 6 a day: 10 units go as 6 and 4 on two days; with the horizon
    leaving one day only, 4 units wait in a consignment of their own, without a route."""
    cmd = world.users["command"]
    onward = Leg.objects.get(origin=net["hub"], destination=world.destination)
    services.leg_update(actor=cmd, obj=onward, data={"daily_capacity": 6})
    [c] = services.consignments_from_allocations(actor=cmd)
    c.ready_on = timezone.localdate()
    c.save()
    plan = routing_plans.routing_compute(
        plan_id=routing_plans.routing_request(
            actor=cmd, parameters={"horizon_days": 30, "time_limit": 10}
        ).pk
    )
    assert plan.status == "ready", plan.error
    assert sorted(plan.rows.values_list("quantity", flat=True)) == [4, 6]
    routing_plans.routing_approve(actor=cmd, plan=plan)
    parts = list(Consignment.objects.order_by("pk"))
    assert parts[0].pk == c.pk and len(parts) == 2
    assert [sum(q for _, q in lines_of(p)) for p in parts] == [6, 4]
    departures = []
    for p in parts:
        steps = list(RouteStep.objects.filter(consignment=p).order_by("seq"))
        assert [s.leg.destination for s in steps] == [net["hub"], world.destination]
        departures.append(steps[-1].departs_on)
    assert departures[0] != departures[1]  # the onward leg's capacity, day by day


def test_units_the_plan_cannot_deliver_wait_unrouted(
    world: Any,
    net: dict[str, Any],  # noqa: F811
) -> None:
    cmd = world.users["command"]
    onward = Leg.objects.get(origin=net["hub"], destination=world.destination)
    services.leg_update(actor=cmd, obj=onward, data={"daily_capacity": 6})
    [c] = services.consignments_from_allocations(actor=cmd)
    c.ready_on = timezone.localdate() + dt.timedelta(days=4)  # one onward day left in 7
    c.save()
    plan = routing_plans.routing_compute(
        plan_id=routing_plans.routing_request(
            actor=cmd, parameters={"horizon_days": 7, "time_limit": 10}
        ).pk
    )
    assert plan.objective["units_undelivered"] == 4, plan.objective
    routing_plans.routing_approve(actor=cmd, plan=plan)
    routed, waiting = Consignment.objects.order_by("pk")
    assert routed.pk == c.pk
    assert sum(q for _, q in lines_of(routed)) == 6 and routed.route.count() == 2
    assert sum(q for _, q in lines_of(waiting)) == 4 and waiting.route.count() == 0
