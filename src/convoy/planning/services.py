"""Writes on plans and allocations: request a run, compute it (the background job), approve it;
make, lock, unlock and release allocations by hand. Every write is audited."""

from __future__ import annotations

import gc
import itertools
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from convoy.core.access import can_add, restrict
from convoy.core.audit import audit, snapshot
from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.jobs import job_create, job_fail, job_finish, job_progress, job_start
from convoy.core.services import lock_for, next_reference, refuse
from convoy.pledges.models import PledgeLine
from convoy.pledges.services import pledge_line_move
from convoy.requirements.models import Requirement

from .models import Allocation, Plan, PlanGap, PlanRow

PARAMETER_LIMITS = {"km_per_day": (50.0, 2000.0), "handling_days": (0, 60)}
DEFAULT_PARAMETERS = {"km_per_day": 500.0, "handling_days": 2}


def clean_parameters(data: Mapping[str, Any]) -> dict[str, Any]:
    """Planner parameters with their defaults; out-of-range values are refused by field."""
    out: dict[str, Any] = dict(DEFAULT_PARAMETERS)
    errors: dict[str, list[str]] = {}
    for name, (low, high) in PARAMETER_LIMITS.items():
        raw = data.get(name)
        if raw in (None, ""):
            continue
        try:
            value = float(raw) if isinstance(low, float) else int(raw)
        except (TypeError, ValueError):
            errors[name] = [_("Give a number.")]
            continue
        if not low <= value <= high:
            errors[name] = [
                _("Give a value from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
            continue
        out[name] = value
    if errors:
        raise DomainError(_("Some parameters are out of range."), errors=errors)
    return out


def require_planner(actor: Any) -> None:
    """Command staff run the planner (pages and API check this before reading any input)."""
    if not can_add(actor, Plan):
        raise Forbidden(_("Only command staff run the allocation planner."))


@transaction.atomic
def plan_request(
    *, actor: Any, title: str = "", parameters: Mapping[str, Any] | None = None
) -> Plan:
    """Queue an allocation run (the caller enqueues the job once this commits)."""
    require_planner(actor)
    params = clean_parameters(parameters or {})
    now = timezone.now()
    job = job_create(actor=actor, kind="allocation_plan")
    plan = Plan.objects.create(
        reference=next_reference(Plan, "PLAN", now.year),
        title=(title or "").strip()[:200]
        or _("Allocation run %(when)s UTC") % {"when": now.strftime("%Y-%m-%d %H:%M")},
        parameters=params,
        job=job,
        created_by=actor,
    )
    audit(actor=actor, action="plan.request", obj=plan, after=snapshot(plan))
    return plan


def plan_enqueue(plan: Plan) -> None:
    """Hand a queued plan to the task queue (after the request's transaction committed)."""
    from .tasks import run_allocation_plan

    def go() -> None:
        result = run_allocation_plan.enqueue(plan.pk)
        if plan.job_id:
            from convoy.core.models import Job

            Job.objects.filter(pk=plan.job_id, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(go)


def plan_compute(*, plan_id: int) -> Plan:
    """The job: read the inputs as the requesting user may see them, solve, explain, store."""
    from convoy.core.security import refusal_scope
    from convoy.solvers.allocation import solve
    from convoy.solvers.explain import explain

    from .selectors import planning_inputs
    from .summary import plan_summary

    plan = Plan.objects.select_related("job", "created_by").get(pk=plan_id)
    actor = plan.created_by
    job = plan.job
    with refusal_scope(), _gc_paused():
        if job is not None:
            job_start(job=job, message=_("reading inputs"))
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RUNNING)
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            phases: dict[str, float] = {}
            clock = [t0]

            def lap(name: str) -> None:
                now = time.perf_counter()
                phases[name] = now - clock[0]
                clock[0] = now

            inputs = planning_inputs(actor=actor, parameters=plan.parameters)
            lap("read")

            def progress(pct: int, stage: str) -> None:
                if job is not None:
                    job_progress(job=job, progress=10 + pct * 7 // 10, message=stage)

            result = solve(inputs.problem, progress=progress)
            lap("solve")
            expl = explain(
                inputs.problem,
                result,
                line_labels=inputs.line_labels,
                req_labels=inputs.req_labels,
            )
            lap("explain")
            if job is not None:
                job_progress(job=job, progress=85, message=_("storing the plan"))
            timings = _store(plan, actor, inputs, result, expl, phases)
            lap("store")
            summary = plan_summary(plan=plan, actor=actor, inputs=inputs, result=result)
            lap("summary")
            timings.update({k: round(v, 3) for k, v in phases.items()})
            timings["run"] = round(time.perf_counter() - t0, 3)
            timings["run_cpu"] = round(time.process_time() - c0, 3)
            Plan.objects.filter(pk=plan.pk).update(summary=summary, timings=timings)
            if job is not None:
                job_finish(
                    job=job,
                    message=_("%(n)s allocations proposed in %(s).1f s")
                    % {"n": len(result), "s": time.perf_counter() - t0},
                )
        except Exception as exc:
            Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.FAILED, error=str(exc))
            if job is not None:
                job_fail(job=job, message=str(exc)[:300])
            with transaction.atomic():
                audit(
                    actor=actor,
                    action="plan.fail",
                    object_type="planning.plan",
                    object_id=str(plan.pk),
                    after={"error": str(exc)[:500]},
                )
            raise
    plan.refresh_from_db()
    return plan


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a run makes millions of small objects (rows,
    texts) and no cycles worth collecting, so its collections would only rescan them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@transaction.atomic
def _store(
    plan: Plan,
    actor: Any,
    inputs: Any,
    result: Any,
    expl: Any,
    phases: Mapping[str, float],
) -> dict[str, float]:
    """Store the rows, gaps and figures of a computed plan (one audited transaction);
    returns its timings."""
    import numpy as np

    n = len(result)
    line_pk = np.asarray(inputs.line_ids, dtype=np.int64)[result.line.astype(np.int64)]
    req_pk = np.asarray(inputs.req_ids, dtype=np.int64)[result.req.astype(np.int64)]
    reasons = [str(a.text)[:300] for a in expl.allocations[:n]]
    reasons += [""] * (n - len(reasons))
    rows = list(
        zip(
            itertools.repeat(plan.pk, n),
            line_pk.tolist(),
            req_pk.tolist(),
            result.qty.tolist(),
            result.late.astype(bool).tolist(),
            result.substitute.astype(bool).tolist(),
            result.km.tolist(),
            result.fixed.astype(bool).tolist(),
            reasons,
            strict=True,
        )
    )
    fields = ("plan", "pledge_line", "requirement", "quantity", "late", "substitute", "km")
    _insert_rows(PlanRow, (*fields, "kept", "reason"), rows)
    req_ids, req_qty = inputs.req_ids, inputs.problem.req_qty
    gaps = [
        (plan.pk, req_ids[r], int(req_qty[r]), e.covered, e.covered_on_time, e.code, e.text)
        for r, e in sorted(expl.requirements.items())
    ]
    _insert_rows(
        PlanGap, ("plan", "requirement", "required", "covered", "on_time", "code", "text"), gaps
    )
    timings = {k: round(v, 4) for k, v in result.timings.items()}
    timings.update({k: round(v, 3) for k, v in phases.items()})
    Plan.objects.filter(pk=plan.pk).update(
        status=Plan.Status.READY,
        inputs=inputs.snapshot,
        objective={**result.objective.as_dict(), "graph": result.graph},
        timings=timings,
        solve_seconds=round(result.timings.get("total", 0.0), 4),
        error="",
    )
    audit(
        actor=actor,
        action="plan.compute",
        obj=plan,
        after={
            "allocations": len(rows),
            "gaps": len(gaps),
            "objective": result.objective.as_dict(),
            "inputs": {k: v for k, v in inputs.snapshot.items() if not isinstance(v, list)},
        },
    )
    return timings


def _insert_rows(model: type[Model], fields: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of plain values (ints, bools, str: ready for the database) into ``model``'s
    table as one stream, without a model instance per row: PostgreSQL takes them by COPY, other
    databases by one multi-row INSERT of as many rows as the parameter limit allows, prepared
    once and run for every chunk (``executemany``)."""
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    column = {f.name: str(f.column) for f in meta.concrete_fields}
    # names from the model's own metadata, quoted: no outside text reaches the statement
    insert = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(column[n]) for n in fields)})"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):  # psycopg 3
            with raw.copy(insert.replace("INSERT INTO", "COPY", 1) + " FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            per = max(1, (connection.features.max_query_params or 999) // len(fields))
            one = "(" + ", ".join(["%s"] * len(fields)) + ")"
            flat = itertools.chain.from_iterable
            full = len(rows) - len(rows) % per
            if full:
                cursor.executemany(
                    f"{insert} VALUES {', '.join([one] * per)}",
                    [list(flat(rows[i : i + per])) for i in range(0, full, per)],
                )
            if full < len(rows):
                rest = len(rows) - full
                cursor.execute(
                    f"{insert} VALUES {', '.join([one] * rest)}", list(flat(rows[full:]))
                )


# --- approval ---------------------------------------------------------------------------


def _shift_allocated(
    actor: Any, line_id: int, delta: int, action: str, reason: str, short: str
) -> PledgeLine:
    """Move ``delta`` units of a line from accepted to allocated (negative: back), audited;
    ``short`` is the refusal when the line no longer holds what the move takes."""
    line = lock_for(PledgeLine, actor, "approve", line_id)
    if (delta > 0 and line.accepted < delta) or (delta < 0 and line.allocated < -delta):
        raise Conflict(short % {"line": line_id, "n": line.accepted})
    before = snapshot(line)
    line.accepted -= delta
    line.allocated += delta
    line.version += 1
    line.save(update_fields=["accepted", "allocated", "version", "updated_at"])
    audit(actor=actor, action=action, obj=line, before=before, reason=reason)
    return line


def _move_counts(actor: Any, changes: dict[int, int], plan: Plan, reason: str) -> None:
    """Apply net allocated-quantity changes per pledge line (+ allocate, - release)."""
    for line_id in sorted(changes):
        delta = changes[line_id]
        if not delta:
            continue
        short = (
            _(
                "The plan is out of date: line %(line)s has only %(n)s accepted now. "
                "Run the planner again."
            )
            if delta > 0
            else _("Line %(line)s holds less allocated than its allocations say.")
        )
        _shift_allocated(
            actor, line_id, delta, "pledge_line.allocate_plan", reason or plan.reference, short
        )


@transaction.atomic
def plan_approve(*, actor: Any, plan: Plan, reason: str = "") -> Plan:
    """Apply a plan: release the active planned allocations it redoes, create its allocations,
    and move pledge-line quantities (accepted <-> allocated), all in one audited transaction."""
    current = lock_for(Plan, actor, "approve", plan.pk)
    if current.status != Plan.Status.READY:
        raise Conflict(
            _("Only a plan ready for review can be approved; this one is %(status)s.")
            % {"status": current.get_status_display()}
        )
    snap = current.inputs or {}
    redo_ids = set(snap.get("redo", []))
    kept_ids = set(snap.get("kept", []))
    active = (
        restrict(Allocation.objects.all(), actor, "approve")
        .select_for_update()
        .filter(status=Allocation.Status.ACTIVE)
    )
    now_redo = set()
    now_kept = set()
    for pk, kind, locked in active.values_list("pk", "kind", "locked"):
        if kind == Allocation.Kind.MANUAL or locked:
            now_kept.add(pk)
        else:
            now_redo.add(pk)
    if now_kept != kept_ids or not now_redo <= redo_ids:
        raise Conflict(
            _("Allocations changed since this plan was computed. Run the planner again.")
        )
    valid = set(
        Requirement.objects.filter(
            pk__in=current.rows.filter(kept=False).values("requirement_id"),
            status=Requirement.Status.VALIDATED,
        ).values_list("pk", flat=True)
    )
    rows = list(
        current.rows.filter(kept=False).values_list(
            "pledge_line_id", "requirement_id", "quantity", "reason"
        )
    )
    stale = {r[1] for r in rows} - valid
    if stale:
        raise Conflict(
            _("%(n)s requirements are no longer validated. Run the planner again.")
            % {"n": len(stale)}
        )
    changes: dict[int, int] = defaultdict(int)
    released = list(
        Allocation.objects.filter(pk__in=now_redo).values_list("pk", "pledge_line_id", "quantity")
    )
    for _pk, line_id, qty in released:
        changes[line_id] -= qty
    for line_id, _req, qty, _why in rows:
        changes[line_id] += qty
    _move_counts(actor, changes, current, reason)
    Allocation.objects.filter(pk__in=now_redo).update(
        status=Allocation.Status.RELEASED, updated_at=timezone.now()
    )
    Allocation.objects.bulk_create(
        [
            Allocation(
                pledge_line_id=line_id,
                requirement_id=req_id,
                quantity=qty,
                kind=Allocation.Kind.PLANNED,
                plan=current,
                reason=why[:300],
            )
            for line_id, req_id, qty, why in rows
        ],
        batch_size=2000,
    )
    Plan.objects.filter(status=Plan.Status.APPROVED).update(status=Plan.Status.SUPERSEDED)
    before = snapshot(current)
    current.status = Plan.Status.APPROVED
    current.approved_by = actor
    current.approved_at = timezone.now()
    current.version += 1
    current.save(update_fields=["status", "approved_by", "approved_at", "version", "updated_at"])
    audit(
        actor=actor,
        action="plan.approve",
        obj=current,
        before=before,
        after={
            **snapshot(current),
            "allocations_created": len(rows),
            "allocations_released": [pk for pk, _l, _q in released],
            "lines_changed": len([d for d in changes.values() if d]),
        },
        reason=reason,
    )
    return current


# --- allocations by hand ----------------------------------------------------------------


def _compatible(line: PledgeLine, requirement: Requirement) -> bool:
    if requirement.item_id:
        if line.item_id == requirement.item_id:
            return True
        return line.item.substitutes.filter(pk=requirement.item_id).exists()
    return line.item.category_id == requirement.category_id


@transaction.atomic
def allocation_create(*, actor: Any, data: Mapping[str, Any], reason: str = "") -> Allocation:
    """A manual allocation: kept by every later plan; moves accepted -> allocated."""
    line_ref = data.get("pledge_line")
    req_ref = data.get("requirement")
    quantity = data.get("quantity")
    if line_ref is None or req_ref is None:
        raise DomainError(_("Give a pledge line and a requirement."), field="pledge_line")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise DomainError(_("The quantity must be a positive whole number."), field="quantity")
    line = lock_for(PledgeLine, actor, "approve", getattr(line_ref, "pk", line_ref))
    try:
        requirement = restrict(Requirement.objects.all(), actor, "view").get(
            pk=getattr(req_ref, "pk", req_ref)
        )
    except (Requirement.DoesNotExist, ValueError, TypeError) as exc:
        refuse(Requirement, actor, getattr(req_ref, "pk", req_ref), "view", cause=exc)
    if requirement.status != Requirement.Status.VALIDATED:
        raise Conflict(_("Only validated requirements can be allocated to."), field="requirement")
    if not _compatible(line, requirement):
        raise DomainError(
            _("%(item)s does not meet this requirement (not its item, substitute or category).")
            % {"item": line.item},
            field="requirement",
        )
    if line.condition_capability_id and line.condition_capability_id != requirement.capability_id:
        raise DomainError(
            _("The donor restricted this line to %(cap)s.") % {"cap": line.condition_capability},
            field="requirement",
        )
    allowed = set(line.condition_destinations.values_list("pk", flat=True))
    if allowed and requirement.destination_id not in allowed:
        raise DomainError(
            _("The donor restricted this line to other destinations."), field="requirement"
        )
    already = (
        Allocation.objects.filter(requirement=requirement, status=Allocation.Status.ACTIVE)
        .aggregate(total=Sum("quantity"))
        .get("total")
        or 0
    )
    if already + quantity > requirement.quantity:
        raise Conflict(
            _(
                "%(req)s needs %(need)s and has %(already)s allocated: at most %(left)s more "
                "(release an allocation first to change it)."
            )
            % {
                "req": requirement.reference,
                "need": requirement.quantity,
                "already": already,
                "left": max(requirement.quantity - already, 0),
            },
            field="quantity",
        )
    line = pledge_line_move(
        actor=actor, line=line, move="allocate", quantity=quantity, reason=reason
    )
    allocation = Allocation.objects.create(
        pledge_line=line,
        requirement=requirement,
        quantity=quantity,
        kind=Allocation.Kind.MANUAL,
        locked=bool(data.get("locked", False)),
        reason=(str(data.get("reason") or reason or _("allocated by hand")))[:300],
    )
    audit(actor=actor, action="allocation.create", obj=allocation, after=snapshot(allocation))
    return allocation


def _set_locked(actor: Any, allocation: Allocation, locked: bool, reason: str) -> Allocation:
    current = lock_for(Allocation, actor, "approve", allocation.pk)
    if current.status != Allocation.Status.ACTIVE:
        raise Conflict(_("Only an active allocation can be locked or unlocked."))
    if current.locked == locked:
        raise Conflict(_("Already locked.") if locked else _("Not locked."))
    before = snapshot(current)
    current.locked = locked
    current.version += 1
    current.save(update_fields=["locked", "version", "updated_at"])
    audit(
        actor=actor,
        action="allocation.lock" if locked else "allocation.unlock",
        obj=current,
        before=before,
        reason=reason,
    )
    return current


@transaction.atomic
def allocation_lock(*, actor: Any, allocation: Allocation, reason: str = "") -> Allocation:
    return _set_locked(actor, allocation, True, reason)


@transaction.atomic
def allocation_unlock(*, actor: Any, allocation: Allocation, reason: str = "") -> Allocation:
    return _set_locked(actor, allocation, False, reason)


@transaction.atomic
def allocation_release(*, actor: Any, allocation: Allocation, reason: str = "") -> Allocation:
    """Give an allocation's quantity back to the line's accepted quantity."""
    current = lock_for(Allocation, actor, "approve", allocation.pk)
    if current.status != Allocation.Status.ACTIVE:
        raise Conflict(_("This allocation is already released."))
    if not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    _shift_allocated(
        actor,
        current.pledge_line_id,
        -current.quantity,
        "pledge_line.release",
        reason,
        _("The line no longer holds this quantity as allocated."),
    )
    before = snapshot(current)
    current.status = Allocation.Status.RELEASED
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    audit(actor=actor, action="allocation.release", obj=current, before=before, reason=reason)
    return current
