"""Routing plans: a run over the planned consignments, stored for review; approval sets their
routes (audited, refused when stale); only command staff run and approve."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.models import AuditEvent
from convoy.logistics import routing_plans, services
from convoy.logistics.models import Leg, RouteStep, RoutingPlan
from convoy.logistics.tests.test_consignments import net  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def run(world: Any, **params: Any) -> RoutingPlan:
    plan = routing_plans.routing_request(actor=world.users["command"], parameters=params)
    return routing_plans.routing_compute(plan_id=plan.pk)


def test_a_run_routes_through_the_hub_and_approval_sets_the_route(
    world: Any,
    net: dict[str, Any],  # noqa: F811
) -> None:
    cmd = world.users["command"]
    [c] = services.consignments_from_allocations(actor=cmd)
    c.ready_on = timezone.localdate()
    c.save()
    plan = run(world, horizon_days=30, time_limit=10)
    assert plan.status == "ready", plan.error
    [row] = plan.rows.all()
    to_hub = Leg.objects.get(origin=world.depot, destination=net["hub"])
    onward = Leg.objects.get(origin=net["hub"], destination=world.destination)
    assert row.legs == [to_hub.pk, onward.pk] and row.quantity == 10
    assert plan.objective["solver_status"] == "optimal"
    assert plan.objective["lateness_gap"] == 0.0 and plan.objective["cost_gap"] == 0.0
    assert plan.objective["units_undelivered"] == 0
    routing_plans.routing_approve(actor=cmd, plan=plan)
    steps = list(RouteStep.objects.filter(consignment=c).values_list("leg", "departs_on"))
    assert [s[0] for s in steps] == [to_hub.pk, onward.pk]
    assert steps[0][1] == dt.date.fromisoformat(row.departures[0])
    assert AuditEvent.objects.filter(action="routing_plan.approve").count() == 1
    with pytest.raises(Conflict):  # approved already
        routing_plans.routing_approve(actor=cmd, plan=plan)
    # a consignment ready only after the horizon waits for a later run
    c.ready_on = timezone.localdate() + dt.timedelta(days=40)
    c.save()
    later = run(world, horizon_days=30, time_limit=10)
    assert later.inputs["consignments"] == 0 and later.inputs["ready_after_horizon"] == 1
    c.ready_on = timezone.localdate()
    c.save()
    # a later run supersedes it when approved; a stale one is refused
    again = run(world, horizon_days=30, time_limit=10)
    services.consignment_dispatch(actor=cmd, consignment=c)
    with pytest.raises(Conflict, match="changed since"):
        routing_plans.routing_approve(actor=cmd, plan=again)


def test_only_command_staff_and_parameters_checked(world: Any) -> None:
    with pytest.raises(Forbidden):
        routing_plans.routing_request(actor=world.users["deu"], parameters={})
    with pytest.raises(DomainError):
        routing_plans.routing_request(actor=world.users["command"], parameters={"horizon_days": 2})


def test_pages_and_api(
    world: Any,
    net: dict[str, Any],  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.test import Client
    from rest_framework.test import APIClient

    cmd = world.users["command"]
    services.consignments_from_allocations(actor=cmd)
    page = Client()
    page.force_login(cmd)
    assert b'data-testid="routing-run"' in page.get("/routing-plans/").content
    assert page.post("/routing-plans/run/", {"horizon_days": 2, "time_limit": 5}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        r = page.post("/routing-plans/run/", {"horizon_days": 30, "time_limit": 10})
    assert r.status_code == 302
    plan = RoutingPlan.objects.get()
    assert plan.status == "ready", plan.error
    detail = page.get(r["Location"])
    assert b'data-testid="routing-rows"' in detail.content and b"Rzesz" in detail.content
    solver = "optimal: days late proven optimal; transport proven optimal"
    assert f'data-testid="routing-solver">{solver}<'.encode() in detail.content
    # each level's gap apart: a lateness within a gap, a cost not bounded yet
    plan.objective.update(solver_status="feasible", gap=0.0123, lateness_gap=0.0123, cost_gap=None)
    plan.save(update_fields=["objective"])
    solver = "feasible: days late within 1.23% of the proven bound; transport not bounded yet"
    got = page.get(r["Location"]).content.decode()
    assert solver in got, got[got.index("routing-solver") :][:300]
    plan.objective.update(lateness_gap=0.0, cost_gap=0.245)
    plan.save(update_fields=["objective"])
    solver = "days late proven optimal; transport within 24.5% of the cheapest plan as late"
    assert solver.encode() in page.get(r["Location"]).content
    # a plan of an earlier version, with its one gap
    for key in ("lateness_gap", "cost_gap"):
        del plan.objective[key]
    plan.save(update_fields=["objective"])
    assert b'data-testid="routing-solver">feasible (gap 0.0123)<' in page.get(r["Location"]).content
    assert b'data-action="approve"' in detail.content
    api = APIClient()
    api.force_authenticate(cmd)
    with django_capture_on_commit_callbacks(execute=True):
        queued = api.post(
            "/api/routing-plans/", {"horizon_days": 30, "time_limit": 10}, format="json"
        )
    assert queued.status_code == 202 and queued["Location"].startswith("/api/routing-plans/")
    second = queued.json()["id"]
    assert api.get(f"/api/routing-plans/{second}/").json()["status"] == "ready"
    routes = api.get(f"/api/routing-plans/{second}/routes/").json()["results"]
    assert routes[0]["quantity"] == 10 and len(routes[0]["legs"]) == 2
    body = api.get(f"/api/routing-plans/compare/?a={plan.pk}&b={second}").json()
    assert body["differences"] == []  # the same inputs, the same routes
    approved = api.post(f"/api/routing-plans/{second}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    deu = APIClient()
    deu.force_authenticate(world.users["deu"])
    assert deu.post("/api/routing-plans/", {}, format="json").status_code == 403
    assert deu.get(f"/api/routing-plans/{second}/").status_code == 404
