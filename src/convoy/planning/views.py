"""Plans and allocations on the web: registry entries (list, detail, approve; manual allocations
with lock, unlock and release) plus the run form, live progress, CSV exports and comparison."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from convoy.core.access import can_add, restrict
from convoy.core.registry import ActionButton, ModelSpec, register
from convoy.core.views import object_or_refuse, start_run

from . import services
from .forms import AllocationFilter, AllocationForm, CompareForm, PlanFilter, RunForm
from .models import Allocation, Plan, PlanGap, PlanRow

SHOWN_ROWS = 200


def _approve(*, actor: Any, obj: Plan, quantity: int | None = None, reason: str = "") -> Any:
    return services.plan_approve(actor=actor, plan=obj, reason=reason)


def _alloc_button(name: str, label: Any, run: Any, shown: Any, **kw: Any) -> ActionButton:
    def go(*, actor: Any, obj: Allocation, quantity: int | None = None, reason: str = "") -> Any:
        return run(actor=actor, allocation=obj, reason=reason)

    return ActionButton(name=name, label=label, permission="approve", run=go, shown=shown, **kw)


def plan_context(request: HttpRequest, obj: Plan) -> dict[str, Any]:
    summary = obj.summary or {}
    chart = {
        "priority": summary.get("by_priority", []),
        "category": summary.get("by_category", [])[:12],
        "donor": summary.get("by_donor", [])[:15],
    }
    others = (
        restrict(Plan.objects.all(), request.user, "view")
        .exclude(pk=obj.pk)
        .filter(status__in=[Plan.Status.READY, Plan.Status.APPROVED, Plan.Status.SUPERSEDED])
        .order_by("-created_at")[:20]
    )
    return {
        "plan": obj,
        "job": obj.job,
        "summary": summary,
        "objective": obj.objective or {},
        "chart": json.dumps(chart),
        "rows": obj.rows.select_related(
            "pledge_line__pledge__owner", "pledge_line__item", "requirement"
        )[:SHOWN_ROWS],
        "row_count": obj.rows.count(),
        "gaps": obj.gaps.select_related("requirement")[:SHOWN_ROWS],
        "gap_count": obj.gaps.count(),
        "others": others,
        "shown": SHOWN_ROWS,
    }


PLAN = register(
    ModelSpec(
        key="plan",
        plural="plans",
        model=Plan,
        verbose=_("allocation plan"),
        verbose_plural=_("allocation plans"),
        columns=[
            ("reference", _("reference")),
            ("title", _("title")),
            ("get_status_display", _("status")),
            ("covered_pct", _("coverage after %")),
            ("solve_seconds", _("solve time (s)")),
            ("created_by", _("run by")),
            ("created_at", _("run at")),
        ],
        form=None,
        filterset=PlanFilter,
        create=None,
        update=None,
        delete=None,
        search_fields=["reference", "title"],
        select_related=["created_by", "job"],
        detail_fields=[
            "reference",
            "title",
            "status",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "error",
        ],
        detail_include="planning/_plan.html",
        detail_extra=plan_context,
        actions=[
            ActionButton(
                name="approve",
                label=_("Approve and apply"),
                permission="approve",
                run=_approve,
                shown=lambda obj: obj.status == Plan.Status.READY,
            )
        ],
        menu="coordination",
        ordering=["-created_at"],
        sortable=["reference", "status", "created_at", "solve_seconds"],
    )
)

ALLOCATION = register(
    ModelSpec(
        key="allocation",
        plural="allocations",
        model=Allocation,
        verbose=_("allocation"),
        verbose_plural=_("allocations"),
        columns=[
            ("requirement__reference", _("requirement")),
            ("requirement__get_priority_display", _("priority")),
            ("pledge_line__pledge__reference", _("pledge")),
            ("pledge_line__pledge__owner__code", _("donor")),
            ("pledge_line__item__name", _("item")),
            ("quantity", _("quantity")),
            ("get_kind_display", _("kind")),
            ("locked", _("locked")),
            ("get_status_display", _("status")),
            ("plan__reference", _("plan")),
        ],
        form=AllocationForm,
        filterset=AllocationFilter,
        create=services.allocation_create,
        may_add=lambda user: can_add(user, Plan),  # donors see theirs; only planners add
        update=None,
        delete=None,
        search_fields=["requirement__reference", "pledge_line__pledge__reference", "reason"],
        select_related=[
            "requirement",
            "pledge_line__pledge__owner",
            "pledge_line__item",
            "plan",
        ],
        actions=[
            _alloc_button(
                "lock",
                _("Lock"),
                services.allocation_lock,
                lambda o: o.status == Allocation.Status.ACTIVE and not o.locked,
            ),
            _alloc_button(
                "unlock",
                _("Unlock"),
                services.allocation_unlock,
                lambda o: o.status == Allocation.Status.ACTIVE and o.locked,
                style="secondary",
            ),
            _alloc_button(
                "release",
                _("Release"),
                services.allocation_release,
                lambda o: o.status == Allocation.Status.ACTIVE,
                needs_reason=True,
                style="secondary",
            ),
        ],
        menu="coordination",
        ordering=["-created_at", "id"],
        sortable=["quantity", "created_at", "status"],
    )
)


@login_required
def plan_run(request: HttpRequest) -> HttpResponse:
    """Start an allocation run: parameters, then the plan page shows its progress."""
    services.require_planner(request.user)
    return start_run(
        request,
        form=RunForm(request.POST or None),
        queue=services.plan_request,
        enqueue=services.plan_enqueue,
        template="planning/run.html",
        detail="plan_detail",
    )


@login_required
def plan_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress (HTMX polls this while the plan is queued or running)."""
    plan = object_or_refuse(PLAN, request.user, pk, "view")
    return render(request, "planning/_progress.html", {"plan": plan, "job": plan.job})


def _csv(name: str, header: list[str], rows: Any) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@login_required
def plan_rows_csv(request: HttpRequest, pk: int) -> HttpResponse:
    plan = object_or_refuse(PLAN, request.user, pk, "view")
    rows = PlanRow.objects.filter(plan=plan).values_list(
        "requirement__reference",
        "requirement__priority",
        "pledge_line__pledge__reference",
        "pledge_line_id",
        "pledge_line__pledge__owner__code",
        "pledge_line__item__name",
        "quantity",
        "late",
        "substitute",
        "km",
        "kept",
        "reason",
    )
    header = [
        "requirement",
        "priority",
        "pledge",
        "line",
        "donor",
        "item",
        "quantity",
        "late",
        "substitute",
        "km",
        "kept",
        "why",
    ]
    return _csv(f"{plan.reference}-allocations.csv", header, rows.iterator(chunk_size=5000))


@login_required
def plan_gaps_csv(request: HttpRequest, pk: int) -> HttpResponse:
    plan = object_or_refuse(PLAN, request.user, pk, "view")
    rows = PlanGap.objects.filter(plan=plan).values_list(
        "requirement__reference",
        "requirement__priority",
        "required",
        "covered",
        "on_time",
        "code",
        "text",
    )
    header = ["requirement", "priority", "required", "covered", "on_time", "reason", "explanation"]
    return _csv(f"{plan.reference}-gaps.csv", header, rows.iterator(chunk_size=5000))


def compare(a: Plan, b: Plan) -> dict[str, Any]:
    """Two plans side by side: objective levels and coverage by priority and category."""

    def level(p: Plan) -> dict[str, Any]:
        o = p.objective or {}
        s = p.summary or {}
        return {
            "id": p.pk,
            "reference": p.reference,
            "title": p.title,
            "status": p.status,
            "parameters": p.parameters,
            "covered": o.get("covered", []),
            "required": o.get("required", []),
            "late_units": o.get("late_units"),
            "late_weighted": o.get("late_weighted"),
            "substitute_units": o.get("substitute_units"),
            "unit_km": o.get("unit_km"),
            "solve_seconds": p.solve_seconds,
            "total": s.get("total", {}),
            "by_priority": {str(r["key"]): r for r in s.get("by_priority", [])},
            "by_category": {r["label"]: r for r in s.get("by_category", [])},
        }

    la, lb = level(a), level(b)
    cats = sorted(set(la["by_category"]) | set(lb["by_category"]))
    prios = sorted(set(la["by_priority"]) | set(lb["by_priority"]))
    empty: dict[str, Any] = {}
    return {
        "a": la,
        "b": lb,
        "priorities": [
            {
                "key": k,
                "label": (la["by_priority"].get(k) or lb["by_priority"].get(k) or empty).get(
                    "label", k
                ),
                "a": la["by_priority"].get(k, empty).get("after", 0),
                "b": lb["by_priority"].get(k, empty).get("after", 0),
                "required": (la["by_priority"].get(k) or lb["by_priority"].get(k) or empty).get(
                    "required", 0
                ),
            }
            for k in prios
        ],
        "categories": [
            {
                "label": c,
                "a": la["by_category"].get(c, empty).get("after", 0),
                "b": lb["by_category"].get(c, empty).get("after", 0),
            }
            for c in cats
        ],
    }


@login_required
def plan_compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    visible = restrict(Plan.objects.all(), request.user, "view")
    context["plans"] = visible.order_by("-created_at")[:50]
    if form.is_valid():
        a = object_or_refuse(PLAN, request.user, form.cleaned_data["a"], "view")
        b = object_or_refuse(PLAN, request.user, form.cleaned_data["b"], "view")
        context["cmp"] = compare(a, b)
        context["chart"] = json.dumps(context["cmp"])
    elif request.GET:
        return render(request, "planning/compare.html", context, status=400)
    return render(request, "planning/compare.html", context)
