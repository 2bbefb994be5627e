"""Routing plans: schedule the planned consignments over the network (``solvers.routing``),
review, compare and approve; approval sets the consignments' planned routes.

Days are counted from the run's day (day 0). A planned consignment takes part when it is ready
within the horizon (the others are counted as left for a later run); it is ready on its ready
day (today at the earliest) and needed by its needed-by day (the horizon when it has none); its
units are its lines' quantities. Nodes and legs bring their daily capacities and legs their km
as cost. The solver may split a consignment over several routes; approving splits it the same
way (``consignment_split``): the largest part keeps the consignment, every other part becomes a
consignment of its own with its route, and undelivered units wait in one for a later run."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from convoy.core.access import can_add, restrict
from convoy.core.audit import audit, snapshot
from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.jobs import job_create, job_fail, job_finish, job_progress, job_start
from convoy.core.services import lock_for, next_reference

from .models import Consignment, Leg, Node, RoutingPlan, RoutingPlanRow
from .services import consignment_set_route, consignment_split

LIMITS = {"horizon_days": (7, 180, 60), "time_limit": (1, 120, 25)}


def clean_parameters(data: Mapping[str, Any]) -> dict[str, int]:
    out, errors = {}, {}
    for name, (lo, hi, default) in LIMITS.items():
        raw = data.get(name)
        try:
            value = default if raw in (None, "") else int(raw)
        except (TypeError, ValueError):
            errors[name] = [_("A whole number, please.")]
            continue
        if not lo <= value <= hi:
            errors[name] = [_("Between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi}]
        out[name] = value
    if errors:
        raise DomainError(_("Some parameters are out of range."), errors=errors)
    return out


def require_planner(actor: Any) -> None:
    if not can_add(actor, RoutingPlan):
        raise Forbidden(_("Only command staff run the routing planner."))


@dataclass
class RoutingInputs:
    problem: Any
    day0: dt.date
    consignments: list[Any]  # Consignment, annotated with its units
    legs: list[Leg]
    snapshot: dict[str, Any]


def routing_inputs(*, actor: Any, parameters: Mapping[str, Any]) -> RoutingInputs:
    """The planned consignments, nodes and legs the actor may see, as a solver problem."""
    from convoy.solvers.routing import RoutingProblem

    day0 = timezone.localdate()
    horizon = int(parameters.get("horizon_days", 60))
    nodes = list(restrict(Node.objects.all(), actor, "view").order_by("pk"))
    index = {n.pk: i for i, n in enumerate(nodes)}
    legs = [
        leg
        for leg in restrict(Leg.objects.all(), actor, "view").order_by("pk")
        if leg.origin_id in index and leg.destination_id in index
    ]
    planned = restrict(Consignment.objects.all(), actor, "view").filter(
        status=Consignment.Status.PLANNED
    )
    last_day = day0 + dt.timedelta(days=horizon)
    consignments = list(
        planned.filter(ready_on__lte=last_day).annotate(units=Sum("lines__quantity")).order_by("pk")
    )
    later = planned.filter(ready_on__gt=last_day).count()  # not ready within the horizon

    def day(value: dt.date | None, default: int) -> int:
        return default if value is None else min(max((value - day0).days, 0), horizon)

    problem = RoutingProblem(
        node_capacity=np.array([n.daily_capacity for n in nodes], dtype=np.int64),
        leg_from=np.array([index[x.origin_id] for x in legs], dtype=np.int64),
        leg_to=np.array([index[x.destination_id] for x in legs], dtype=np.int64),
        leg_transit=np.array([x.transit_days for x in legs], dtype=np.int64),
        leg_capacity=np.array([x.daily_capacity for x in legs], dtype=np.int64),
        leg_cost=np.array([x.km for x in legs], dtype=np.int64),
        cons_origin=np.array([index[c.origin_id] for c in consignments], dtype=np.int64),
        cons_destination=np.array([index[c.destination_id] for c in consignments], dtype=np.int64),
        cons_ready=np.array([day(c.ready_on, 0) for c in consignments], dtype=np.int64),
        cons_need_by=np.array([day(c.need_by, horizon) for c in consignments], dtype=np.int64),
        cons_priority=np.array([c.priority for c in consignments], dtype=np.int64),
        cons_size=np.array([int(c.units or 0) for c in consignments], dtype=np.int64),
        horizon=horizon,
    )
    snap = {
        "day0": day0.isoformat(),
        "consignments": len(consignments),
        "ready_after_horizon": later,
        "nodes": len(nodes),
        "legs": len(legs),
        "units": int(problem.cons_size.sum()),
        "versions": {str(c.pk): c.version for c in consignments},
    }
    return RoutingInputs(problem, day0, consignments, legs, snap)


@transaction.atomic
def routing_request(
    *, actor: Any, title: str = "", parameters: Mapping[str, Any] | None = None
) -> RoutingPlan:
    """Queue a routing run (the caller enqueues the job once this commits)."""
    require_planner(actor)
    params = clean_parameters(parameters or {})
    now = timezone.now()
    plan = RoutingPlan.objects.create(
        reference=next_reference(RoutingPlan, "RPL", now.year),
        title=(title or "").strip()[:200]
        or _("Routing run %(when)s UTC") % {"when": now.strftime("%Y-%m-%d %H:%M")},
        parameters=params,
        job=job_create(actor=actor, kind="routing_plan"),
        created_by=actor,
    )
    audit(actor=actor, action="routing_plan.request", obj=plan, after=snapshot(plan))
    return plan


def routing_enqueue(plan: RoutingPlan) -> None:
    from .tasks import run_routing_plan

    transaction.on_commit(lambda: run_routing_plan.enqueue(plan.pk))


def routing_compute(*, plan_id: int) -> RoutingPlan:
    """The job: read what the requesting user may see, solve, store the proposals."""
    from convoy.core.security import refusal_scope
    from convoy.solvers.routing import solve

    plan = RoutingPlan.objects.select_related("job", "created_by").get(pk=plan_id)
    actor, job = plan.created_by, plan.job
    with refusal_scope():
        if job is not None:
            job_start(job=job, message=_("reading inputs"))
        RoutingPlan.objects.filter(pk=plan.pk).update(status=RoutingPlan.Status.RUNNING)
        try:
            t0 = time.perf_counter()
            inputs = routing_inputs(actor=actor, parameters=plan.parameters)
            t_read = time.perf_counter() - t0

            def progress(pct: int, stage: str) -> None:
                if job is not None:
                    job_progress(job=job, progress=10 + pct * 8 // 10, message=stage)

            result = solve(
                inputs.problem,
                time_limit=float(plan.parameters.get("time_limit", 25)),
                progress=progress,
            )
            _store(plan, actor, inputs, result, t_read)
            if job is not None:
                job_finish(
                    job=job,
                    message=_("%(n)s consignments routed in %(s).1f s")
                    % {"n": len(inputs.consignments), "s": time.perf_counter() - t0},
                )
        except Exception as exc:
            RoutingPlan.objects.filter(pk=plan.pk).update(
                status=RoutingPlan.Status.FAILED, error=str(exc)
            )
            if job is not None:
                job_fail(job=job, message=str(exc)[:300])
            with transaction.atomic():
                audit(
                    actor=actor,
                    action="routing_plan.fail",
                    object_type="logistics.routingplan",
                    object_id=str(plan.pk),
                    after={"error": str(exc)[:500]},
                )
            raise
    plan.refresh_from_db()
    return plan


@transaction.atomic
def _store(
    plan: RoutingPlan, actor: Any, inputs: RoutingInputs, result: Any, t_read: float
) -> None:
    day0 = inputs.day0
    rows = []
    for k, c in enumerate(inputs.consignments):
        arrival = int(result.arrival[k])
        parts = result.parts[k]
        for n, part in enumerate(parts, start=1):
            rows.append(
                RoutingPlanRow(
                    plan=plan,
                    consignment=c,
                    part=n,
                    quantity=int(part.quantity),
                    legs=[inputs.legs[int(x)].pk for x in part.legs],
                    departures=[
                        (day0 + dt.timedelta(days=int(d))).isoformat() for d in part.departures
                    ],
                    arrives_on=day0 + dt.timedelta(days=arrival) if arrival >= 0 else None,
                    days_late=int(result.days_late[k]),
                    undelivered=int(result.undelivered[k]),
                )
            )
        if not parts:
            rows.append(
                RoutingPlanRow(
                    plan=plan,
                    consignment=c,
                    part=0,
                    quantity=0,
                    days_late=int(result.days_late[k]),
                    undelivered=int(result.undelivered[k]),
                )
            )
    RoutingPlanRow.objects.bulk_create(rows, batch_size=2000)
    o = result.objective
    objective = {
        "weighted_lateness": int(o.weighted_lateness),
        "cost_km": int(o.cost),
        "units_late": int(o.units_late),
        "units_undelivered": int(o.units_undelivered),
        "solver_status": result.status,
        "gap": float(result.gap),
        # each level apart: weighted lateness, then cost among plans of that lateness (None:
        # not bounded, the lateness being unproven or level 2 not reached in the time limit)
        "lateness_gap": float(result.level_gaps[0]),
        "cost_gap": None if result.level_gaps[1] is None else float(result.level_gaps[1]),
        "split": sum(1 for p in result.parts if len(p) > 1),
    }
    timings = {"read": round(t_read, 3), **{k: round(v, 3) for k, v in result.timings.items()}}
    RoutingPlan.objects.filter(pk=plan.pk).update(
        status=RoutingPlan.Status.READY, inputs=inputs.snapshot, objective=objective,
        timings=timings, error="",
    )  # fmt: skip
    audit(
        actor=actor,
        action="routing_plan.compute",
        object_type="logistics.routingplan",
        object_id=str(plan.pk),
        after={"objective": objective, "inputs": {k: v for k, v in inputs.snapshot.items()
                                                   if k != "versions"}},
    )  # fmt: skip


@transaction.atomic
def routing_approve(*, actor: Any, plan: RoutingPlan, reason: str = "") -> RoutingPlan:
    """Give every consignment of the plan its route, in one audited step: a consignment the plan
    splits is split (``consignment_split``), its largest part keeping the consignment, each
    other part a new consignment with its own route, and units not delivered within the
    horizon a consignment of their own, without a route, for a later run. Refused (nothing
    changes) when a consignment left or changed since the run."""
    current = lock_for(RoutingPlan, actor, "approve", plan.pk)
    if current.status != RoutingPlan.Status.READY:
        raise Conflict(
            _("Only a plan ready for review can be approved; this one is %(status)s.")
            % {"status": current.get_status_display()}
        )
    versions = (current.inputs or {}).get("versions", {})
    now = dict(
        Consignment.objects.select_for_update()
        .filter(pk__in=[int(k) for k in versions], status=Consignment.Status.PLANNED)
        .values_list("pk", "version")
    )
    if {str(k): v for k, v in now.items()} != versions:
        raise Conflict(_("Consignments changed since this plan was computed. Run it again."))
    parts: dict[int, list[RoutingPlanRow]] = {}
    left: dict[int, int] = {}
    for row in current.rows.order_by("consignment", "-quantity", "part"):
        left[row.consignment_id] = row.undelivered
        if row.quantity > 0:
            parts.setdefault(row.consignment_id, []).append(row)
    wanted = {i for rows in parts.values() for r in rows for i in r.legs}
    legs = {x.pk: x for x in Leg.objects.filter(pk__in=wanted)}
    for cid, rows in parts.items():
        quantities = [r.quantity for r in rows] + ([left[cid]] if left[cid] else [])
        pieces: list[Consignment] = [Consignment(pk=cid)]
        if len(quantities) > 1:  # split parts go their own ways; undelivered units wait
            pieces = consignment_split(
                actor=actor,
                consignment=pieces[0],
                quantities=quantities,
                reason=current.reference,
            )
        for piece, row in zip(pieces, rows, strict=False):
            if not row.legs:
                continue  # already where it must be
            steps = [
                (legs[leg_id], dt.date.fromisoformat(day))
                for leg_id, day in zip(row.legs, row.departures, strict=True)
            ]
            consignment_set_route(
                actor=actor, consignment=piece, steps=steps, reason=current.reference
            )
    before = snapshot(current)
    RoutingPlan.objects.filter(status=RoutingPlan.Status.APPROVED).exclude(pk=current.pk).update(
        status=RoutingPlan.Status.SUPERSEDED
    )
    current.status = RoutingPlan.Status.APPROVED
    current.approved_by = actor
    current.approved_at = timezone.now()
    current.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit(actor=actor, action="routing_plan.approve", obj=current, before=before, reason=reason)
    return current
