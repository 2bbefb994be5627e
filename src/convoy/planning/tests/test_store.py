"""A stored plan is exactly what the solver and the explanations say: rows, gaps, labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from convoy.core.tests import factories
from convoy.planning import services
from convoy.planning.models import Plan, PlanGap, PlanRow
from convoy.planning.selectors import planning_inputs
from convoy.solvers.allocation import solve
from convoy.solvers.explain import explain

from .test_plans import accepted_line, run, validated


def test_stored_rows_and_gaps_are_the_solver_result_and_its_explanations(world: Any) -> None:
    cmd = world.users["command"]
    leo, leo2, shell = world.items["leo"], world.items["leo2"], world.items["shell"]
    leo2.substitutes.add(leo)  # a Leopard 2A4 may stand in for a Leopard 1A5
    needs = [
        validated(world, quantity=6, priority=1, title="urgent tanks"),
        validated(world, quantity=4, priority=2, needed_by=dt.date(2026, 1, 5), title="early"),
        validated(world, item=shell, quantity=500, priority=3, title="shells"),
        validated(world, item=None, category=world.categories["armour"], quantity=3, priority=4),
    ]
    pledge = factories.pledge(world)
    lines = [
        accepted_line(world, pledge, 5),
        accepted_line(world, pledge, 3, item=leo2, available_from=dt.date(2026, 6, 1)),
        accepted_line(world, pledge, 200, item=shell),
        accepted_line(world, pledge, 2, source_depot=None),
    ]
    services.allocation_create(
        actor=cmd, data={"pledge_line": lines[0], "requirement": needs[1], "quantity": 1}
    )
    plan = run(world)
    assert plan.status == Plan.Status.READY

    inputs = planning_inputs(actor=cmd, parameters=plan.parameters)
    result = solve(inputs.problem)
    expl = explain(
        inputs.problem, result, line_labels=inputs.line_labels, req_labels=inputs.req_labels
    )
    assert plan.objective["covered"] == list(result.objective.covered)
    rows = list(
        PlanRow.objects.filter(plan=plan)
        .order_by("pk")
        .values_list(
            "pledge_line_id",
            "requirement_id",
            "quantity",
            "late",
            "substitute",
            "km",
            "kept",
            "reason",
        )
    )
    assert rows == [
        (
            inputs.line_ids[int(result.line[i])],
            inputs.req_ids[int(result.req[i])],
            int(result.qty[i]),
            bool(result.late[i]),
            bool(result.substitute[i]),
            int(result.km[i]),
            bool(result.fixed[i]),
            expl.allocations[i].text[:300],
        )
        for i in range(len(result))
    ]
    assert any(r[6] for r in rows) and any(r[4] for r in rows)
    gaps = list(
        PlanGap.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("requirement_id", "required", "covered", "on_time", "code", "text")
    )
    assert gaps == [
        (
            inputs.req_ids[r],
            int(inputs.problem.req_qty[r]),
            e.covered,
            e.covered_on_time,
            e.code,
            e.text,
        )
        for r, e in sorted(expl.requirements.items())
    ]
    assert gaps
    # labels name records by their references, as the pages show them
    assert inputs.req_labels == [
        world_req.reference
        for world_req in sorted(needs, key=lambda q: (q.priority, q.needed_by, q.reference))
    ]
    assert inputs.line_labels == [f"{pledge.reference}/line {ln.pk}" for ln in lines]
    texts = " ".join(g[5] for g in gaps) + " ".join(r[7] for r in rows)
    assert f"{pledge.reference}/line " in texts and needs[0].reference in texts


def test_rows_are_inserted_in_chunks_past_the_parameter_limit(world: Any) -> None:
    cmd = world.users["command"]
    req = validated(world, quantity=1)
    plan = services.plan_request(actor=cmd, title="chunks")
    n = 1_234  # several full chunks (SQLite: 999 parameters) and a remainder
    services._insert_rows(
        PlanGap,
        ("plan", "requirement", "required", "covered", "on_time", "code", "text"),
        [(plan.pk, req.pk, k + 1, k, 0, "taken", f"gap {k} – ‘quoted’ %s ?") for k in range(n)],
    )
    stored = list(
        PlanGap.objects.filter(plan=plan).order_by("pk").values_list("required", "covered", "text")
    )
    assert stored == [(k + 1, k, f"gap {k} – ‘quoted’ %s ?") for k in range(n)]
    services._insert_rows(PlanGap, ("plan", "requirement"), [])
    assert PlanGap.objects.filter(plan=plan).count() == n
