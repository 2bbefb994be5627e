"""Reads on logistics, all from the permission choke point.

Hub load: per node and day, the units planned to pass it and the units that did, against its
daily capacity. A consignment *passes* a node when it arrives there (a planned route step into
it, an ``arrived`` event) or, at its origin, when it leaves (its ready day, its ``dispatched``
event); its units are its lines' shipped quantities. A day is *over* when either figure exceeds
the node's capacity (a capacity of 0 means no limit). Counts cover the consignments the user
may see: command staff see them all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from convoy.core.access import restrict

from .models import Consignment, Node, RouteStep, TrackingEvent

WINDOW_BEFORE, WINDOW_AFTER = 14, 45


@dataclass
class LoadDay:
    day: dt.date
    planned: int
    actual: int
    capacity: int

    @property
    def over_planned(self) -> bool:
        return bool(self.capacity) and self.planned > self.capacity

    @property
    def over_actual(self) -> bool:
        return bool(self.capacity) and self.actual > self.capacity

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "planned": self.planned,
            "actual": self.actual,
            "capacity": self.capacity,
            "over_planned": self.over_planned,
            "over_actual": self.over_actual,
        }


@dataclass
class NodeLoad:
    node: Node
    days: list[LoadDay] = field(default_factory=list)

    @property
    def warnings(self) -> list[LoadDay]:
        return [d for d in self.days if d.over_planned or d.over_actual]

    @property
    def peak_planned(self) -> int:
        return max((d.planned for d in self.days), default=0)

    @property
    def peak_actual(self) -> int:
        return max((d.actual for d in self.days), default=0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.node.pk,
            "name": self.node.name,
            "kind": self.node.kind,
            "capacity": self.node.daily_capacity,
            "days": [d.as_dict() for d in self.days],
            "warnings": [d.day.isoformat() for d in self.warnings],
        }


def window(start: dt.date | None = None, days: int | None = None) -> tuple[dt.date, int]:
    today = timezone.localdate()
    first = start or today - dt.timedelta(days=WINDOW_BEFORE)
    return first, max(1, min(int(days or WINDOW_BEFORE + WINDOW_AFTER), 366))


def node_loads(*, actor: Any, nodes: list[Node], start: dt.date, days: int) -> dict[int, NodeLoad]:
    """Planned and actual units per day through each of ``nodes``, from ``start`` for ``days``."""
    end = start + dt.timedelta(days=days)
    ids = [n.pk for n in nodes]
    planned: dict[tuple[int, dt.date], int] = defaultdict(int)
    actual: dict[tuple[int, dt.date], int] = defaultdict(int)
    visible = restrict(Consignment.objects.all(), actor, "view")
    passes: list[tuple[dict[tuple[int, dt.date], int], int, int, dt.date]] = []
    for cid, node_id, day in RouteStep.objects.filter(
        consignment__in=visible, leg__destination__in=ids, arrives_on__gte=start, arrives_on__lt=end
    ).values_list("consignment", "leg__destination", "arrives_on"):
        passes.append((planned, cid, node_id, day))
    for cid, node_id, day in visible.filter(
        origin__in=ids, ready_on__gte=start, ready_on__lt=end
    ).values_list("pk", "origin", "ready_on"):
        passes.append((planned, cid, node_id, day))
    for cid, node_id, when in TrackingEvent.objects.filter(
        consignment__in=visible,
        node__in=ids,
        kind__in=[TrackingEvent.Kind.ARRIVED, TrackingEvent.Kind.DISPATCHED],
        occurred_at__date__gte=start,
        occurred_at__date__lt=end,
    ).values_list("consignment", "node", "occurred_at"):
        # the day in the current time zone, as the ``__date`` lookups above and ``localdate()``
        passes.append((actual, cid, node_id, timezone.localtime(when).date()))
    # units of just the consignments that pass in the window (one query)
    units = dict(
        Consignment.objects.filter(pk__in={p[1] for p in passes})
        .annotate(units=Sum("lines__quantity"))
        .values_list("pk", "units")
    )
    for counts, cid, node_id, day in passes:
        counts[(node_id, day)] += units.get(cid) or 0
    out = {}
    for node in nodes:
        load = NodeLoad(node)
        for k in range(days):
            day = start + dt.timedelta(days=k)
            load.days.append(
                LoadDay(day, planned[(node.pk, day)], actual[(node.pk, day)], node.daily_capacity)
            )
        out[node.pk] = load
    return out


def hub_loads(*, actor: Any, start: dt.date, days: int) -> list[NodeLoad]:
    """Every hub the user may see, its load over the window; those with warnings first."""
    hubs = list(
        restrict(Node.objects.all(), actor, "view")
        .filter(kind=Node.Kind.HUB)
        .select_related("nation")
        .order_by("name")
    )
    loads = node_loads(actor=actor, nodes=hubs, start=start, days=days)
    return sorted(loads.values(), key=lambda load: (-len(load.warnings), load.node.name))
