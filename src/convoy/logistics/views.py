from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from convoy.core.access import actor_context, restrict
from convoy.core.errors import DomainError, apply_to_form
from convoy.core.registry import ActionButton, ModelSpec, register
from convoy.core.views import object_or_refuse, start_run

from . import routing_plans, services
from .forms import (
    ConsignmentFilter,
    ConsignmentForm,
    LegFilter,
    LegForm,
    NodeFilter,
    NodeForm,
    ReceiveForm,
    RoutingCompareForm,
    RoutingPlanFilter,
    RoutingRunForm,
    SplitForm,
    TrackForm,
)
from .models import Consignment, Leg, Node, RoutingPlan
from .selectors import hub_loads, node_loads, window


def node_context(request: HttpRequest, obj: Node) -> dict[str, Any]:
    start, days = window()
    load = node_loads(actor=request.user, nodes=[obj], start=start, days=days)[obj.pk]
    return {"load": load, "load_json": json.dumps(load.as_dict())}


NODE = register(
    ModelSpec(
        key="node",
        plural="nodes",
        model=Node,
        verbose=_("node"),
        verbose_plural=_("nodes"),
        columns=[
            ("name", _("name")),
            ("get_kind_display", _("kind")),
            ("nation__code", _("nation")),
            ("daily_capacity", _("pallets/day")),
        ],
        form=NodeForm,
        filterset=NodeFilter,
        create=services.node_create,
        update=services.node_update,
        delete=services.node_delete,
        search_fields=["name", "nation__code", "nation__name"],
        select_related=["nation", "organisation"],
        detail_include="logistics/_node_load.html",
        detail_extra=node_context,
        menu="logistics",
        sortable=["name", "kind", "nation__code", "daily_capacity"],
    )
)

LEG = register(
    ModelSpec(
        key="leg",
        plural="legs",
        model=Leg,
        verbose=_("leg"),
        verbose_plural=_("legs"),
        columns=[
            ("origin__name", _("from")),
            ("destination__name", _("to")),
            ("get_mode_display", _("mode")),
            ("transit_days", _("days")),
            ("daily_capacity", _("units/day")),
            ("km", _("km")),
        ],
        form=LegForm,
        filterset=LegFilter,
        create=services.leg_create,
        update=services.leg_update,
        delete=services.leg_delete,
        search_fields=["origin__name", "destination__name"],
        select_related=["origin", "destination"],
        menu="logistics",
        sortable=["transit_days", "daily_capacity", "km", "mode"],
    )
)


def _dispatch(*, actor: Any, obj: Consignment, quantity: Any = None, reason: str = "") -> Any:
    return services.consignment_dispatch(actor=actor, consignment=obj, note=reason)


def _create(*, actor: Any, data: dict[str, Any], reason: str = "") -> Consignment:
    line = data.get("pledge_line")
    return services.consignment_create(
        actor=actor,
        data={
            **data,
            "origin": getattr(line, "source_depot", None),
            "lines": [{"pledge_line": line, "quantity": data.get("quantity")}],
        },
        reason=reason,
    )


def _cancel(*, actor: Any, obj: Consignment, reason: str = "") -> None:
    services.consignment_cancel(actor=actor, consignment=obj, reason=reason)


def consignment_context(request: HttpRequest, obj: Consignment) -> dict[str, Any]:
    lines = list(
        obj.lines.select_related("pledge_line__item", "pledge_line__pledge", "consignment")
    )
    open_lines = [line for line in lines if line.in_transit]
    return {
        "c": obj,
        "lines": lines,
        "events": obj.events.select_related("node", "actor", "leg"),
        "track_form": TrackForm(),
        "receive_form": ReceiveForm(lines=open_lines) if open_lines else None,
        "split_form": SplitForm(),
        "may_record": actor_context(request.user).authenticated,
    }


CONSIGNMENT = register(
    ModelSpec(
        key="consignment",
        plural="consignments",
        model=Consignment,
        verbose=_("consignment"),
        verbose_plural=_("consignments"),
        columns=[
            ("reference", _("reference")),
            ("owner__code", _("donor")),
            ("origin__name", _("from")),
            ("destination__name", _("to")),
            ("ready_on", _("ready on")),
            ("need_by", _("needed by")),
            ("priority", _("priority")),
            ("get_status_display", _("status")),
            ("current_node__name", _("now at")),
        ],
        form=ConsignmentForm,
        filterset=ConsignmentFilter,
        create=_create,
        update=None,
        delete=_cancel,
        search_fields=["reference", "origin__name", "destination__name", "owner__code"],
        select_related=["owner", "origin", "destination", "current_node"],
        detail_fields=[
            "reference",
            "owner",
            "origin",
            "destination",
            "ready_on",
            "need_by",
            "priority",
            "status",
            "current_node",
            "dispatched_at",
            "received_at",
            "notes",
        ],
        detail_include="logistics/_consignment.html",
        list_include="logistics/_consignment_list_actions.html",
        detail_extra=consignment_context,
        actions=[
            ActionButton(
                name="dispatch",
                label=_("Dispatch"),
                permission="change",
                run=_dispatch,
                shown=lambda obj: obj.status == Consignment.Status.PLANNED,
            )
        ],
        menu="logistics",
        ordering=["-ready_on", "reference"],
        sortable=["reference", "ready_on", "need_by", "priority", "status"],
    )
)


def _back(c: Consignment) -> HttpResponse:
    return redirect("consignment_detail", c.pk)


def _record(
    request: HttpRequest, c: Consignment, key: str, form: Any, do: Callable[[dict[str, Any]], Any]
) -> HttpResponse:
    """Run ``do`` on the form's cleaned data and go back to the consignment; invalid input (400)
    or a refusal shows the page again with the form under ``key`` (nothing changes)."""
    status = 400
    if form.is_valid():
        try:
            do(form.cleaned_data)
            return _back(c)
        except DomainError as exc:
            apply_to_form(form, exc)
            status = exc.status
    context = {**consignment_context(request, c), key: form}
    return render(request, "logistics/consignment_record.html", context, status=status)


@login_required
@require_POST
def consignment_track(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an arrival, a departure or the hand-over (nothing changes on refusal)."""
    c = object_or_refuse(CONSIGNMENT, request.user, pk, "view")
    return _record(
        request,
        c,
        "track_form",
        TrackForm(request.POST),
        lambda data: services.consignment_track(
            actor=request.user,
            consignment=c,
            kind=data["kind"],
            node=data["node"],
            occurred_at=data["occurred_at"],
            note=data["note"],
        ),
    )


@login_required
@require_POST
def consignment_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """A receipt (whole or partial) with its discrepancies."""
    c = object_or_refuse(CONSIGNMENT, request.user, pk, "view")
    lines = [line for line in c.lines.select_related("consignment") if line.in_transit]
    form = ReceiveForm(request.POST, lines=lines)
    return _record(
        request,
        c,
        "receive_form",
        form,
        lambda data: services.consignment_receive(
            actor=request.user,
            consignment=c,
            lines=form.counts(),
            occurred_at=data["occurred_at"],
            note=data["note"],
        ),
    )


@login_required
@require_POST
def consignment_split(request: HttpRequest, pk: int) -> HttpResponse:
    """Split a planned consignment into parts (nothing changes on refusal)."""
    c = object_or_refuse(CONSIGNMENT, request.user, pk, "view")
    return _record(
        request,
        c,
        "split_form",
        SplitForm(request.POST),
        lambda data: services.consignment_split(
            actor=request.user, consignment=c, quantities=data["quantities"]
        ),
    )


@login_required
def consignment_waybill(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable waybill: who ships what from where to where, with a line to sign."""
    c = object_or_refuse(CONSIGNMENT, request.user, pk, "view")
    context = consignment_context(request, c)
    return render(request, "logistics/waybill.html", context)


def _window(request: Any) -> tuple[dt.date, int]:
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or "")
    except ValueError:
        start = None
    try:
        days = int(request.GET.get("days") or 0)
    except ValueError:
        days = 0
    return window(start, days or None)


@login_required
def hub_load(request: HttpRequest) -> HttpResponse:
    """Every hub's planned and actual throughput against its capacity, warnings first."""
    start, days = _window(request)
    loads = hub_loads(actor=request.user, start=start, days=days)
    charts = [(load, json.dumps(load.as_dict())) for load in loads]
    context = {"loads": loads, "charts": charts, "start": start, "days": days}
    return render(request, "logistics/hub_load.html", context)


@extend_schema(
    parameters=[
        OpenApiParameter("start", str, description="first day, YYYY-MM-DD (default: 14 days ago)"),
        OpenApiParameter("days", int, description="days shown (default 59, at most 366)"),
    ],
    responses=inline_serializer(
        "HubLoad",
        {
            "start": serializers.DateField(),
            "days": serializers.IntegerField(),
            "hubs": serializers.ListField(child=serializers.DictField()),
        },
    ),
)
@api_view(["GET"])
def hub_load_api(request: Request) -> Response:
    """Every hub you may see: planned and actual units per day against its capacity, with the
    days over capacity (``warnings``); counts cover the consignments you may see."""
    start, days = _window(request)
    loads = hub_loads(actor=request.user, start=start, days=days)
    return Response(
        {"start": start.isoformat(), "days": days, "hubs": [load.as_dict() for load in loads]}
    )


@login_required
@require_POST
def consignments_from_allocations(request: HttpRequest) -> HttpResponse:
    """Command staff: consignments for every allocation not yet consigned."""
    made = services.consignments_from_allocations(actor=request.user)
    if len(made) == 1:
        return _back(made[0])
    return redirect("consignment_list")


# --- routing plans --------------------------------------------------------------------------


def _approve_routing(
    *, actor: Any, obj: RoutingPlan, quantity: Any = None, reason: str = ""
) -> Any:
    return routing_plans.routing_approve(actor=actor, plan=obj, reason=reason)


def routing_rows(plan: RoutingPlan, actor: Any) -> list[dict[str, Any]]:
    """The proposals (of the consignments the user may see) with their legs named."""
    visible = restrict(Consignment.objects.all(), actor, "view")
    rows = list(
        plan.rows.filter(consignment__in=visible).select_related(
            "consignment__origin", "consignment__destination"
        )
    )
    legs = {
        x.pk: x
        for x in Leg.objects.filter(pk__in={i for r in rows for i in r.legs}).select_related(
            "origin", "destination"
        )
    }
    out = []
    for r in rows:
        steps = [
            {"leg": legs.get(i), "departs": day}
            for i, day in zip(r.legs, r.departures, strict=True)
        ]
        out.append({"row": r, "steps": steps})
    return out


def routing_context(request: HttpRequest, obj: RoutingPlan) -> dict[str, Any]:
    return {
        "plan": obj,
        "job": obj.job,
        "rows": routing_rows(obj, request.user)[:500],
        "o": obj.objective,
    }


ROUTING_PLAN = register(
    ModelSpec(
        key="routingplan",
        plural="routing-plans",
        model=RoutingPlan,
        verbose=_("routing plan"),
        verbose_plural=_("routing plans"),
        columns=[
            ("reference", _("reference")),
            ("title", _("title")),
            ("get_status_display", _("status")),
            ("created_at", _("run")),
            ("created_by__username", _("by")),
        ],
        form=None,
        filterset=RoutingPlanFilter,
        create=None,
        update=None,
        delete=None,
        search_fields=["reference", "title"],
        select_related=["created_by", "job"],
        detail_fields=["reference", "title", "status", "parameters", "created_by", "approved_by"],
        detail_include="logistics/_routing_plan.html",
        detail_extra=routing_context,
        list_include="logistics/_routing_list_actions.html",
        actions=[
            ActionButton(
                name="approve",
                label=_("Approve and set routes"),
                permission="approve",
                run=_approve_routing,
                shown=lambda obj: obj.status == RoutingPlan.Status.READY,
            )
        ],
        menu="logistics",
        ordering=["-created_at"],
        sortable=["reference", "created_at", "status"],
    )
)


@login_required
def routing_plan_run(request: HttpRequest) -> HttpResponse:
    """Start a routing run: parameters, then the plan page shows its progress."""
    routing_plans.require_planner(request.user)
    return start_run(
        request,
        form=RoutingRunForm(request.POST or None),
        queue=routing_plans.routing_request,
        enqueue=routing_plans.routing_enqueue,
        template="logistics/routing_run.html",
        detail="routingplan_detail",
    )


@login_required
def routing_plan_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's progress (HTMX polls this while the plan is queued or running)."""
    plan = object_or_refuse(ROUTING_PLAN, request.user, pk, "view")
    response = render(request, "logistics/_routing_progress.html", {"plan": plan, "job": plan.job})
    if request.headers.get("HX-Request") and plan.status not in ("queued", "running"):
        response["HX-Refresh"] = "true"
    return response


def routing_compare(a: RoutingPlan, b: RoutingPlan, actor: Any) -> dict[str, Any]:
    """Two plans side by side: objectives, and per consignment (that the user may see) its
    arrival and lateness."""

    def per(plan: RoutingPlan) -> dict[int, tuple[Any, int, int]]:
        out: dict[int, tuple[Any, int, int]] = {}
        for r in plan.rows.all():
            out.setdefault(r.consignment_id, (r.arrives_on, r.days_late, r.undelivered))
        return out

    pa, pb = per(a), per(b)
    ids = sorted(set(pa) | set(pb))
    refs = dict(
        restrict(Consignment.objects.all(), actor, "view")
        .filter(pk__in=ids)
        .values_list("pk", "reference")
    )
    rows = [
        {"consignment": cid, "reference": refs[cid], "a": pa.get(cid), "b": pb.get(cid)}
        for cid in ids
        if cid in refs and pa.get(cid) != pb.get(cid)
    ]
    keys = ["weighted_lateness", "cost_km", "units_late", "units_undelivered", "split"]
    objective = [
        {"name": k, "a": (a.objective or {}).get(k), "b": (b.objective or {}).get(k)} for k in keys
    ]
    return {"objective": objective, "differences": rows}


@login_required
def routing_plan_compare(request: HttpRequest) -> HttpResponse:
    both = "a" in request.GET and "b" in request.GET
    form = RoutingCompareForm(
        request.GET if both else None, actor=request.user, initial=request.GET.dict()
    )
    result = None
    status = 200
    if both:
        if form.is_valid():
            result = routing_compare(form.cleaned_data["a"], form.cleaned_data["b"], request.user)
        else:
            status = 400
    context = {"form": form, "result": result}
    return render(request, "logistics/routing_compare.html", context, status=status)
