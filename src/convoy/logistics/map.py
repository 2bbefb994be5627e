"""The map: nodes by kind, legs, and consignment flows aggregated per origin and destination.

``map_data(actor=...)`` is the one read. Nodes and legs are shared reference data; flows count
only the consignments the actor may see (``restrict()``), so a donor's map never shows another
donor's private shipments. A flow is one layer's consignments between one origin and one
destination (in transit: also one present position):

* ``planned`` — not yet dispatched, drawn from origin to destination; units are what is to ship;
* ``in_transit`` — dispatched, at a node or handed over, drawn from origin to where they are now
  (``current_node``); units are what is still on the way;
* ``delivered`` — received, drawn from origin to destination; units are what was received, with
  the discrepancies (short, damaged, lost) beside.

Filters (``statuses``, ``donors`` — the owner nations' codes —, ``since`` and ``until`` on
``ready_on``) only ever narrow what ``restrict()`` lets through; nodes and legs are not filtered.

The page embeds the same data it serves at ``/api/map/`` (with the same query); the country
outlines are a vendored, offline Natural Earth file (``static/vendor/naturalearth/``), never a
tile server.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from convoy.core.access import restrict
from convoy.nations.models import Nation

from .models import Consignment, ConsignmentLine, Leg, Node

Status = Consignment.Status

LAYERS: dict[str, tuple[str, ...]] = {
    "planned": (Status.PLANNED,),
    "in_transit": (Status.DISPATCHED, Status.AT_NODE, Status.HANDED_OVER),
    "delivered": (Status.RECEIVED,),
}
LAYER_OF = {status: layer for layer, statuses in LAYERS.items() for status in statuses}


def layer_labels() -> dict[str, str]:
    return {"planned": _("planned"), "in_transit": _("in transit"), "delivered": _("delivered")}


@dataclass
class Flow:
    layer: str
    origin: int
    destination: int
    at: int  # where the line ends: the destination, or (in transit) where they are now
    consignments: int = 0
    units: int = 0
    shipped: int = 0
    received: int = 0
    short: int = 0
    damaged: int = 0
    lost: int = 0
    by_status: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self, narrow: dict[str, Any] | None = None) -> dict[str, Any]:
        """The flow for the map; ``narrow`` (``statuses``, ``donor``, ``since``, ``until``: the
        map's filters) goes into its link to the consignment list, so that the list shows the
        flow's consignments, no more."""
        narrow = narrow or {}
        query: dict[str, Any] = {"origin": self.origin, "destination": self.destination}
        allowed = narrow.get("statuses") or list(Status.values)
        query["status"] = [s for s in LAYERS[self.layer] if s in allowed]
        for key in ("donor", "since", "until"):
            if narrow.get(key):
                query[key] = narrow[key]
        return {
            "layer": self.layer,
            "origin": self.origin,
            "destination": self.destination,
            "at": self.at,
            "consignments": self.consignments,
            "units": self.units,
            "shipped": self.shipped,
            "received": self.received,
            "short": self.short,
            "damaged": self.damaged,
            "lost": self.lost,
            "by_status": self.by_status,
            "url": f"{reverse('consignment_list')}?{urlencode(query, doseq=True)}",
        }


def _statuses(wanted: Iterable[str] | None) -> list[str]:
    known = list(Status.values)
    if wanted is None:
        return known
    chosen = {s for s in wanted if s}
    return [s for s in known if s in chosen]


def _codes(donors: Iterable[str]) -> list[str]:
    return sorted({d.strip().upper() for d in donors if d and d.strip()})


def flows(
    *,
    actor: Any,
    statuses: Iterable[str] | None = None,
    donors: Iterable[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Flow]:
    """Visible consignments by layer, origin, destination (and present position in transit).

    ``donors`` (owner nation codes), ``since`` and ``until`` (on ``ready_on``, inclusive) narrow
    the consignments ``restrict()`` lets through; they never add any."""
    visible = restrict(Consignment.objects.all(), actor, "view").filter(
        status__in=_statuses(statuses)
    )
    if donors is not None:
        visible = visible.filter(owner__code__in=_codes(donors))
    if since is not None:
        visible = visible.filter(ready_on__gte=since)
    if until is not None:
        visible = visible.filter(ready_on__lte=until)
    # aggregate from the lines of the visible consignments (a subquery, so that the scope's
    # joins can never multiply the sums)
    rows = (
        ConsignmentLine.objects.filter(consignment__in=visible.values("pk"))
        .values(
            "consignment__status",
            "consignment__origin_id",
            "consignment__destination_id",
            "consignment__current_node_id",
        )
        .annotate(
            n=Count("consignment_id", distinct=True),
            quantity=Sum("quantity"),
            received=Sum("received"),
            short=Sum("short"),
            damaged=Sum("damaged"),
            lost=Sum("lost"),
        )
        .order_by()
    )
    found: dict[tuple[str, int, int, int], Flow] = {}
    for r in rows:
        status = r["consignment__status"]
        layer = LAYER_OF[status]
        origin, destination = r["consignment__origin_id"], r["consignment__destination_id"]
        here = r["consignment__current_node_id"] or origin
        at = here if layer == "in_transit" else destination
        flow = found.setdefault(
            (layer, origin, destination, at), Flow(layer, origin, destination, at)
        )
        quantity, received = r["quantity"] or 0, r["received"] or 0
        short, damaged, lost = r["short"] or 0, r["damaged"] or 0, r["lost"] or 0
        if layer == "planned":
            units = quantity
        elif layer == "in_transit":
            units = quantity - received - short - damaged - lost
        else:
            units = received
        flow.consignments += r["n"]
        flow.units += units
        flow.shipped += 0 if layer == "planned" else quantity
        flow.received += received
        flow.short += short
        flow.damaged += damaged
        flow.lost += lost
        part = flow.by_status.setdefault(status, {"consignments": 0, "units": 0})
        part["consignments"] += r["n"]
        part["units"] += units
    order = list(LAYERS)
    return sorted(found.values(), key=lambda f: (order.index(f.layer), -f.units, f.origin, f.at))


def donor_nations(*, actor: Any) -> list[Nation]:
    """The nations owning at least one consignment ``actor`` may see (the donor filter's
    choices): never a nation whose consignments are all hidden from ``actor``."""
    owners = restrict(Consignment.objects.all(), actor, "view").values("owner_id")
    return list(Nation.objects.filter(pk__in=owners).order_by("code"))


def map_data(
    *,
    actor: Any,
    statuses: Iterable[str] | None = None,
    donors: Iterable[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[str, Any]:
    """Everything the map draws, as plain JSON-ready data (what ``actor`` may see).

    The filters narrow the flows only; nodes and legs are the whole network."""
    nodes = restrict(Node.objects.select_related("nation"), actor, "view").order_by("name")
    legs = restrict(Leg.objects.all(), actor, "view").order_by("origin_id", "destination_id", "id")
    node_list = [
        {
            "id": n.pk,
            "name": n.name,
            "kind": n.kind,
            "kind_label": n.get_kind_display(),
            "nation": n.nation.code,
            "lat": float(n.latitude),
            "lon": float(n.longitude),
            "capacity": n.daily_capacity,
            "url": reverse("node_detail", args=[n.pk]),
        }
        for n in nodes
    ]
    ids = {n["id"] for n in node_list}
    leg_list = [
        {
            "id": leg.pk,
            "origin": leg.origin_id,
            "destination": leg.destination_id,
            "mode": leg.mode,
            "mode_label": leg.get_mode_display(),
            "transit_days": leg.transit_days,
            "daily_capacity": leg.daily_capacity,
            "km": leg.km,
        }
        for leg in legs
        if leg.origin_id in ids and leg.destination_id in ids
    ]
    narrow = {
        "statuses": _statuses(statuses),
        "donor": _codes(donors) if donors is not None else None,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    flow_list = [
        f.as_dict(narrow)
        for f in flows(actor=actor, statuses=statuses, donors=donors, since=since, until=until)
        if {f.origin, f.destination, f.at} <= ids
    ]
    return {
        "nodes": node_list,
        "legs": leg_list,
        "flows": flow_list,
        "kinds": [{"value": v, "label": str(label)} for v, label in Node.Kind.choices],
        "layers": [{"value": k, "label": v} for k, v in layer_labels().items()],
        "statuses": [
            {"value": v, "label": str(label), "layer": LAYER_OF[v]} for v, label in Status.choices
        ],
        "donors": [{"value": n.code, "label": n.name} for n in donor_nations(actor=actor)],
    }


def _wanted(values: list[str]) -> list[str] | None:
    """``?status=a&status=b`` or ``?status=a,b``; None when not given."""
    parts = [p.strip() for v in values for p in v.split(",")]
    return parts if values else None


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class MapQuery:
    """The map's filters as read from a query string (the page's form and the API alike).

    ``?status=`` and ``?donor=`` repeat or comma-separate; ``?since=`` and ``?until=`` are
    ``YYYY-MM-DD``. A value that is not a date is left out and named in ``errors``. The page's
    form also sends ``filtered=1``, so that leaving every status unchecked means none, not all.
    """

    statuses: list[str] | None = None
    donors: list[str] | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, query: QueryDict) -> MapQuery:
        statuses = _wanted(query.getlist("status"))
        if statuses is None and query.get("filtered"):
            statuses = []
        donors = _wanted(query.getlist("donor"))
        dates: dict[str, dt.date | None] = {"since": None, "until": None}
        errors: dict[str, str] = {}
        for name in dates:
            raw = (query.get(name) or "").strip()
            if not raw:
                continue
            try:
                if not ISO_DATE.fullmatch(raw):
                    raise ValueError(raw)
                dates[name] = dt.date.fromisoformat(raw)
            except ValueError:
                errors[name] = _("“%(value)s” is not a date: give it as YYYY-MM-DD.") % {
                    "value": raw
                }
        return cls(
            statuses=statuses,
            donors=_codes(donors or []) or None,  # none given (or blank): all
            since=dates["since"],
            until=dates["until"],
            errors=errors,
        )

    def filters(self) -> dict[str, Any]:
        return {
            "statuses": self.statuses,
            "donors": self.donors,
            "since": self.since,
            "until": self.until,
        }

    def query_string(self) -> str:
        """The same filters as a query string (for the API link), empty when there are none."""
        query: list[tuple[str, str]] = []
        if self.statuses is not None and set(self.statuses) != set(Status.values):
            query += [("status", s) for s in self.statuses] or [("filtered", "1")]
        query += [("donor", d) for d in self.donors or []]
        query += [
            (k, v.isoformat()) for k, v in (("since", self.since), ("until", self.until)) if v
        ]
        return urlencode(query)


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    """The map with its filter form (a GET form: the page reloads with the filters applied).

    A date that is not one is named beside its field and left out."""
    chosen = MapQuery.parse(request.GET)
    data = map_data(actor=request.user, **chosen.filters())
    nodes = {n["id"]: n for n in data["nodes"]}
    labels = layer_labels()
    table = [
        {
            **f,
            "layer_label": labels[f["layer"]],
            "origin_name": nodes[f["origin"]]["name"],
            "destination_name": nodes[f["destination"]]["name"],
            "at_name": nodes[f["at"]]["name"],
        }
        for f in data["flows"]
    ]
    query = chosen.query_string()
    statuses = set(chosen.statuses) if chosen.statuses is not None else set(Status.values)
    form = {
        "statuses": [{**s, "checked": s["value"] in statuses} for s in data["statuses"]],
        "donors": [{**d, "selected": d["value"] in (chosen.donors or [])} for d in data["donors"]],
        "since": request.GET.get("since", "").strip()[:20],
        "until": request.GET.get("until", "").strip()[:20],
        "errors": chosen.errors,
        "active": bool(query),
    }
    api_url = reverse("api-map") + (f"?{query}" if query else "")
    return render(
        request,
        "logistics/map.html",
        {"data": data, "flows": table, "form": form, "api_url": api_url},
    )


@extend_schema(
    parameters=[
        OpenApiParameter(
            "status",
            str,
            many=True,
            description="consignment statuses to count (repeat or comma-separate); all if absent",
        ),
        OpenApiParameter(
            "donor",
            str,
            many=True,
            description="donor (owner) nation codes, e.g. DEU (repeat or comma-separate); "
            "all if absent. Narrows the consignments you may see, never widens them",
        ),
        OpenApiParameter(
            "since",
            OpenApiTypes.DATE,
            description="only consignments ready on or after this day (YYYY-MM-DD)",
        ),
        OpenApiParameter(
            "until",
            OpenApiTypes.DATE,
            description="only consignments ready on or before this day (YYYY-MM-DD)",
        ),
    ],
    responses=inline_serializer(
        "MapData",
        {
            "nodes": serializers.ListField(child=serializers.DictField()),
            "legs": serializers.ListField(child=serializers.DictField()),
            "flows": serializers.ListField(child=serializers.DictField()),
            "kinds": serializers.ListField(child=serializers.DictField()),
            "layers": serializers.ListField(child=serializers.DictField()),
            "statuses": serializers.ListField(child=serializers.DictField()),
            "donors": serializers.ListField(child=serializers.DictField()),
        },
    ),
)
@api_view(["GET"])
def map_api(request: Request) -> Response:
    """Nodes, legs and consignment flows (planned, in transit, delivered) that you may see,
    optionally narrowed by status, donor nation and ready-on dates; 400 for a bad date."""
    chosen = MapQuery.parse(request.query_params)
    if chosen.errors:
        raise serializers.ValidationError(chosen.errors)
    return Response(map_data(actor=request.user, **chosen.filters()))
