"""Hub load: planned (routes, ready days) and actual (arrivals, dispatches) units per day against
capacity, with warnings; counts only what the user may see; the page, the node page, the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from convoy.core.errors import DomainError
from convoy.logistics import selectors, services
from convoy.logistics.models import Leg
from convoy.logistics.tests.test_consignments import net  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_planned_and_actual_against_capacity(
    world: Any,
    net: dict[str, Any],  # noqa: F811
    zone: str,
) -> None:
    """Days are the current time zone's, for plans and events alike (UTC+14 and UTC-11 put
    the local day apart from the UTC day for most of the day)."""
    with timezone.override(zone):
        planned_and_actual(world, net)


def planned_and_actual(world: Any, net: dict[str, Any]) -> None:  # noqa: F811
    cmd, hub = world.users["command"], net["hub"]
    hub.daily_capacity = 8
    hub.save()
    [c] = services.consignments_from_allocations(actor=cmd)  # 10 units
    to_hub = Leg.objects.get(origin=world.depot, destination=hub)
    onward = Leg.objects.get(origin=hub, destination=world.destination)
    today = timezone.localdate()
    with pytest.raises(DomainError, match="leaves from"):
        services.consignment_set_route(actor=cmd, consignment=c, steps=[(onward, today)])
    with pytest.raises(DomainError, match="does not end"):
        services.consignment_set_route(actor=cmd, consignment=c, steps=[(to_hub, today)])
    services.consignment_set_route(
        actor=cmd, consignment=c, steps=[(to_hub, today), (onward, today + dt.timedelta(days=3))]
    )
    arrives = today + dt.timedelta(days=to_hub.transit_days)
    start = today - dt.timedelta(days=1)
    load = selectors.node_loads(actor=cmd, nodes=[hub], start=start, days=10)[hub.pk]
    by_day = {d.day: d for d in load.days}
    assert by_day[arrives].planned == 10 and by_day[arrives].over_planned
    assert [d.day for d in load.warnings] == [arrives]
    # reality: it arrives today
    services.consignment_dispatch(actor=cmd, consignment=c)
    services.consignment_track(actor=cmd, consignment=c, kind="arrived", node=hub)
    load = selectors.node_loads(actor=cmd, nodes=[hub], start=start, days=10)[hub.pk]
    assert {d.day: d.actual for d in load.days}[today] == 10
    assert {d.day for d in load.warnings} == {arrives, today}
    depot = selectors.node_loads(actor=cmd, nodes=[world.depot], start=start, days=10)
    assert depot[world.depot.pk].warnings == []  # no capacity: no limit
    # France sees none of it; the hub's operator does
    fra = selectors.hub_loads(actor=world.users["fra"], start=start, days=10)
    assert [(x.node, x.peak_actual) for x in fra] == [(hub, 0)]
    pol = selectors.hub_loads(actor=world.users["pol"], start=start, days=10)
    assert pol[0].peak_actual == 10 and pol[0].peak_planned == 10


def test_pages_and_api(world: Any, net: dict[str, Any]) -> None:  # noqa: F811
    cmd = world.users["command"]
    net["hub"].daily_capacity = 5
    net["hub"].save()
    [c] = services.consignments_from_allocations(actor=cmd)
    services.consignment_dispatch(actor=cmd, consignment=c)
    services.consignment_track(actor=cmd, consignment=c, kind="arrived", node=net["hub"])
    page = Client()
    page.force_login(cmd)
    r = page.get("/hub-load/")
    assert r.status_code == 200 and b'class="warn"' in r.content and b"Rzesz" in r.content
    r = page.get(f"/nodes/{net['hub'].pk}/")
    assert b'data-testid="load-warning"' in r.content
    assert page.get("/hub-load/?start=bad&days=x").status_code == 200  # defaults, no error
    api = APIClient()
    api.force_authenticate(world.users["pol"])
    body = api.get("/api/hub-load/?days=30").json()
    [hub] = body["hubs"]
    assert hub["capacity"] == 5 and hub["warnings"] == [timezone.localdate().isoformat()]
    assert APIClient().get("/api/hub-load/").status_code in (401, 403)
