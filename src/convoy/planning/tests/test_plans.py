"""Plans end to end: run (background job), review, approve, and the allocations they make."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404

from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.models import AuditEvent, Job
from convoy.core.tests import factories
from convoy.planning import services
from convoy.planning.models import Allocation, Plan
from convoy.pledges import services as pledges
from convoy.pledges.models import PledgeLine
from convoy.requirements import services as requirements
from convoy.requirements.models import Requirement


def validated(world: Any, **kw: Any) -> Any:
    req = factories.requirement(world, **kw)
    requirements.requirement_transition(
        actor=world.users["ukr"], requirement=req, transition="submit"
    )
    return requirements.requirement_transition(
        actor=world.users["command"], requirement=req, transition="validate"
    )


def accepted_line(world: Any, pledge: Any, quantity: int, **kw: Any) -> PledgeLine:
    kw.setdefault("source_depot", world.depot)
    line = factories.line(world, pledge, quantity=quantity, **kw)
    return pledges.pledge_line_accept(actor=world.users["command"], line=line, quantity=quantity)


@pytest.fixture
def scene(world: Any) -> dict[str, Any]:
    """Ten tanks needed at priority 1 and five at priority 2; eight pledged and accepted."""
    r1 = validated(world, quantity=10, priority=1, title="P1 tanks")
    r2 = validated(world, quantity=5, priority=2, title="P2 tanks")
    pledge = factories.pledge(world)
    line = accepted_line(world, pledge, 8)
    return {"r1": r1, "r2": r2, "pledge": pledge, "line": line}


def run(world: Any, **params: Any) -> Plan:
    plan = services.plan_request(actor=world.users["command"], title="test", parameters=params)
    return services.plan_compute(plan_id=plan.pk)


def test_a_run_fills_priority_one_first_and_explains_the_rest(world: Any, scene: Any) -> None:
    plan = run(world)
    assert plan.status == Plan.Status.READY
    rows = list(plan.rows.values_list("requirement_id", "quantity"))
    assert rows == [(scene["r1"].pk, 8)]
    gaps = {g.requirement_id: g for g in plan.gaps.all()}
    assert set(gaps) == {scene["r1"].pk, scene["r2"].pk}
    assert gaps[scene["r2"].pk].code == "taken"
    assert scene["r1"].reference in gaps[scene["r2"].pk].text
    assert plan.objective["covered"] == [8, 0, 0, 0]
    assert plan.summary["total"]["after"] == 8
    assert plan.summary["by_priority"][0]["after_pct"] == 80.0
    assert plan.job is not None and plan.job.status == Job.Status.SUCCEEDED
    assert plan.job.progress == 100 and "allocations proposed" in plan.job.message
    assert AuditEvent.objects.filter(action="plan.compute", object_id=str(plan.pk)).count() == 1
    # nothing moved yet
    scene["line"].refresh_from_db()
    assert (scene["line"].accepted, scene["line"].allocated) == (8, 0)


def test_approval_creates_allocations_and_moves_quantities_in_one_audited_step(
    world: Any, scene: Any
) -> None:
    plan = run(world)
    services.plan_approve(actor=world.users["command"], plan=plan, reason="board 12")
    line = PledgeLine.objects.get(pk=scene["line"].pk)
    assert (line.accepted, line.allocated) == (0, 8)
    alloc = Allocation.objects.get()
    assert (alloc.requirement_id, alloc.quantity, alloc.plan_id) == (scene["r1"].pk, 8, plan.pk)
    assert alloc.kind == "planned" and alloc.status == "active"
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED and plan.approved_by == world.users["command"]
    assert AuditEvent.objects.filter(action="plan.approve", object_id=str(plan.pk)).count() == 1
    moved = AuditEvent.objects.get(action="pledge_line.allocate_plan", object_id=str(line.pk))
    assert moved.before is not None and moved.after is not None
    assert moved.before["allocated"] == 0 and moved.after["allocated"] == 8
    with pytest.raises(Conflict):
        services.plan_approve(actor=world.users["command"], plan=plan)


def test_a_later_plan_redoes_planned_allocations_and_supersedes_the_earlier(
    world: Any, scene: Any
) -> None:
    first = run(world)
    services.plan_approve(actor=world.users["command"], plan=first)
    # a more urgent need appears; the next plan may move the tanks
    r0 = validated(world, quantity=8, priority=1, needed_by=dt.date(2026, 12, 1), title="urgent")
    second = run(world)
    assert second.inputs["redone_allocations"] == 1
    services.plan_approve(actor=world.users["command"], plan=second)
    active = Allocation.objects.filter(status="active")
    assert sum(a.quantity for a in active) == 8
    assert Allocation.objects.filter(status="released").count() == 1
    line = PledgeLine.objects.get(pk=scene["line"].pk)
    assert (line.accepted, line.allocated) == (0, 8)
    assert sum(line.state_counts.values()) == line.quantity
    first.refresh_from_db()
    assert first.status == Plan.Status.SUPERSEDED
    assert {a.requirement_id for a in active} <= {r0.pk, scene["r1"].pk}


def test_manual_and_locked_allocations_are_kept_by_every_later_run(world: Any, scene: Any) -> None:
    cmd = world.users["command"]
    manual = services.allocation_create(
        actor=cmd, data={"pledge_line": scene["line"], "requirement": scene["r2"], "quantity": 3}
    )
    plan = run(world)
    kept = list(plan.rows.filter(kept=True).values_list("requirement_id", "quantity"))
    assert kept == [(scene["r2"].pk, 3)]
    assert list(plan.rows.filter(kept=False).values_list("requirement_id", "quantity")) == [
        (scene["r1"].pk, 5)
    ]
    services.plan_approve(actor=cmd, plan=plan)
    manual.refresh_from_db()
    assert manual.status == "active"
    # a locked planned allocation is kept too
    planned = Allocation.objects.get(plan=plan)
    services.allocation_lock(actor=cmd, allocation=planned)
    again = run(world)
    assert again.rows.filter(kept=True).count() == 2
    assert again.rows.filter(kept=False).count() == 0


def test_a_stale_plan_is_refused_and_changes_nothing(world: Any, scene: Any) -> None:
    plan = run(world)
    pledges.pledge_line_move(
        actor=world.users["deu"],
        line=scene["line"],
        move="withdraw_accepted",
        quantity=5,
        reason="needed at home",
    )
    with pytest.raises(Conflict, match="out of date"):
        services.plan_approve(actor=world.users["command"], plan=plan)
    assert Allocation.objects.count() == 0
    plan.refresh_from_db()
    assert plan.status == Plan.Status.READY


def test_only_command_staff_run_and_approve(world: Any, scene: Any) -> None:
    with pytest.raises(Forbidden):
        services.plan_request(actor=world.users["deu"], parameters={})
    plan = run(world)
    with pytest.raises(Http404):  # a donor nation's approver does not even see plans
        services.plan_approve(actor=world.users["deu_approver"], plan=plan)


def test_parameters_are_checked(world: Any) -> None:
    with pytest.raises(DomainError) as err:
        services.plan_request(actor=world.users["command"], parameters={"km_per_day": 1})
    assert "km_per_day" in err.value.errors
    assert Plan.objects.count() == 0


def test_manual_allocation_rules(world: Any, scene: Any) -> None:
    cmd = world.users["command"]
    with pytest.raises(Conflict):
        services.allocation_create(
            actor=cmd,
            data={"pledge_line": scene["line"], "requirement": scene["r1"], "quantity": 9},
        )
    shell_req = validated(world, item=world.items["shell"], quantity=100)
    with pytest.raises(DomainError, match="does not meet"):
        services.allocation_create(
            actor=cmd, data={"pledge_line": scene["line"], "requirement": shell_req, "quantity": 1}
        )
    with pytest.raises(Forbidden):
        services.allocation_create(
            actor=world.users["deu"],
            data={"pledge_line": scene["line"], "requirement": scene["r1"], "quantity": 1},
        )
    a = services.allocation_create(
        actor=cmd, data={"pledge_line": scene["line"], "requirement": scene["r1"], "quantity": 2}
    )
    services.allocation_create(
        actor=cmd, data={"pledge_line": scene["line"], "requirement": scene["r2"], "quantity": 3}
    )
    with pytest.raises(Conflict, match="at most 2 more"):  # P2 needs 5: 3 + 3 is too many
        services.allocation_create(
            actor=cmd,
            data={"pledge_line": scene["line"], "requirement": scene["r2"], "quantity": 3},
        )
    # the requirement is cut below what is kept for it: a run says so instead of failing darkly
    Requirement.objects.filter(pk=scene["r2"].pk).update(quantity=2)
    plan = services.plan_request(actor=cmd, parameters={})
    with pytest.raises(DomainError):
        services.plan_compute(plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.FAILED
    assert "add up to 3, more than its quantity (2)" in plan.error
    Requirement.objects.filter(pk=scene["r2"].pk).update(quantity=5)
    with pytest.raises(DomainError):
        services.allocation_release(actor=cmd, allocation=a)  # needs a reason
    services.allocation_release(actor=cmd, allocation=a, reason="wrong brigade")
    line = PledgeLine.objects.get(pk=scene["line"].pk)
    assert (line.accepted, line.allocated) == (5, 3)  # the 3 for P2 stay allocated


def test_a_failed_run_is_recorded(world: Any, scene: Any, monkeypatch: Any) -> None:
    from convoy.solvers import allocation

    def broken(*a: Any, **k: Any) -> Any:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(allocation, "solve", broken)
    plan = services.plan_request(actor=world.users["command"], parameters={})
    with pytest.raises(RuntimeError):
        services.plan_compute(plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.FAILED and "exploded" in plan.error
    assert plan.job is not None and plan.job.status == Job.Status.FAILED
    assert AuditEvent.objects.filter(action="plan.fail").count() == 1


# --- API and pages ------------------------------------------------------------------------


def api(world: Any, who: str) -> Any:
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(world.users[who])
    return c


def test_api_run_poll_review_compare_approve(
    world: Any, scene: Any, django_capture_on_commit_callbacks: Any
) -> None:
    c = api(world, "command")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/api/plans/", {"title": "api run", "km_per_day": 400}, format="json")
    assert r.status_code == 202, r.content
    pk = r.json()["id"]
    assert r["Location"] == f"/api/plans/{pk}/"
    plan = c.get(f"/api/plans/{pk}/").json()
    assert plan["status"] == "ready" and plan["parameters"]["km_per_day"] == 400
    assert plan["job"]["status"] == "succeeded"
    rows = c.get(f"/api/plans/{pk}/allocations/").json()["results"]
    assert [(x["requirement"], x["quantity"]) for x in rows] == [(scene["r1"].pk, 8)]
    assert rows[0]["reason"]
    gaps = c.get(f"/api/plans/{pk}/gaps/").json()["results"]
    assert {g["code"] for g in gaps} >= {"taken"}
    with django_capture_on_commit_callbacks(execute=True):
        other = c.post("/api/plans/", {"handling_days": 30}, format="json").json()["id"]
    cmp = c.get(f"/api/plans/compare/?a={pk}&b={other}").json()
    assert cmp["a"]["reference"] and cmp["b"]["parameters"]["handling_days"] == 30
    bad = c.post("/api/plans/", {"km_per_day": 5}, format="json")
    assert bad.status_code == 400
    ok = c.post(f"/api/plans/{pk}/approve/", {"reason": "api"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert c.get("/api/allocations/").json()["count"] == 1


def test_api_permissions(world: Any, scene: Any, django_capture_on_commit_callbacks: Any) -> None:
    plan = run(world)
    services.plan_approve(actor=world.users["command"], plan=plan)
    deu, fra = api(world, "deu"), api(world, "fra")
    assert deu.post("/api/plans/", {}, format="json").status_code == 403
    assert deu.get(f"/api/plans/{plan.pk}/").status_code == 404
    assert deu.get("/api/plans/").json()["count"] == 0
    # donors see the allocations of their own pledges, others do not
    assert deu.get("/api/allocations/").json()["count"] == 1
    assert fra.get("/api/allocations/").json()["count"] == 0
    alloc = Allocation.objects.get()
    assert deu.post(f"/api/allocations/{alloc.pk}/lock/", {}, format="json").status_code == 403
    assert fra.post(f"/api/allocations/{alloc.pk}/lock/", {}, format="json").status_code == 404
    donor_approver = api(world, "deu_approver")
    assert donor_approver.post(f"/api/plans/{plan.pk}/approve/", {}).status_code == 404


def test_pages_run_review_compare(
    world: Any, scene: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.users["command"])
    assert client.get("/plans/run/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/plans/run/", {"title": "page run", "km_per_day": 500, "handling_days": 2})
    assert r.status_code == 302
    plan = Plan.objects.get(title="page run")
    page = client.get(r["Location"]).content.decode()
    assert 'data-testid="objective"' in page and scene["r1"].reference in page
    assert 'id="plan-chart"' in page
    progress = client.get(f"/plans/{plan.pk}/progress/").content.decode()
    assert 'data-status="ready"' in progress
    csv_rows = client.get(f"/plans/{plan.pk}/allocations.csv").content.decode().splitlines()
    assert csv_rows[0].startswith("requirement,priority") and len(csv_rows) == 2
    gaps = client.get(f"/plans/{plan.pk}/gaps.csv").content.decode().splitlines()
    assert len(gaps) == 3
    bad = client.post("/plans/run/", {"km_per_day": 1, "handling_days": 2})
    assert bad.status_code == 400
    other = run(world)
    cmp = client.get(f"/plans/compare/?a={plan.pk}&b={other.pk}").content.decode()
    assert 'data-testid="compare"' in cmp
    r = client.post(f"/plans/{plan.pk}/do/approve/", {"_version": plan.version})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved"
    client.force_login(world.users["deu"])
    assert client.get("/plans/run/").status_code == 403
    assert client.get(f"/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/plans/{plan.pk}/allocations.csv").status_code == 404
    assert client.get("/allocations/").status_code == 200
