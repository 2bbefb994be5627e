"""Writes on nodes, legs and consignments.

A consignment moves quantities of pledge lines from a depot to a destination. Its lifecycle:
planned -> dispatched -> at a node (arrived, departed, repeatable) -> handed over -> received,
with receipts per line (received, short, damaged, lost) that may come in parts. Quantities are
conserved at every step: ``shipped = received + short + damaged + lost + in transit`` on every
line, and the pledge lines follow (allocated -> in transit on dispatch; in transit -> delivered,
or lost in transit, on receipt). A pledge line becomes delivered only through a receipt.

Who may do what: the consignment's owner (the donor) or command staff plan and dispatch it;
whoever operates a node (its nation's editors) records arrivals and departures there; the
destination's nation or command staff hand it over and receive it. Bad input (events out of
order, a leg that does not exist, receipts above what is in transit) is refused with a clear
message and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from convoy.core.access import actor_context, can_add, restrict
from convoy.core.audit import audit, snapshot
from convoy.core.errors import Conflict, DomainError, Forbidden
from convoy.core.services import crud_services, lock_for, next_reference, refuse
from convoy.pledges.models import PledgeLine
from convoy.pledges.services import pledge_line_shift

from .models import Consignment, ConsignmentLine, Leg, Node, RouteStep, TrackingEvent

node_create, node_update, node_delete = crud_services(Node, "node")
leg_create, leg_update, leg_delete = crud_services(Leg, "leg")

Status = Consignment.Status
Kind = TrackingEvent.Kind
DISCREPANCIES = ("short", "damaged", "lost")


# --- planning consignments ---------------------------------------------------------------


def _positive(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DomainError(_("The quantity must be a positive whole number."), field=field)
    return value


def _consigned(line_ids: list[int]) -> dict[int, int]:
    """Units of each pledge line already on a consignment that is not yet dispatched."""
    rows = (
        ConsignmentLine.objects.filter(
            pledge_line_id__in=line_ids, consignment__status=Status.PLANNED
        )
        .values("pledge_line")
        .annotate(total=Sum("quantity"))
        .values_list("pledge_line", "total")
    )
    return dict(rows)


@transaction.atomic
def consignment_create(*, actor: Any, data: Mapping[str, Any], reason: str = "") -> Consignment:
    """A consignment by hand: ``origin``, ``destination``, ``ready_on``, optional ``need_by``,
    ``priority``, ``notes``, and ``lines`` as ``[{"pledge_line": line or id, "quantity": n}]``
    of allocated units of lines the actor may change (the donor) or, for command staff, any."""
    if not can_add(actor, Consignment):
        raise Forbidden(_("You may not add consignments."))
    origin, destination = data.get("origin"), data.get("destination")
    if not isinstance(origin, Node) or not isinstance(destination, Node):
        raise DomainError(_("Give the depot it leaves from and its destination."), field="origin")
    if origin.pk == destination.pk:
        raise DomainError(_("A consignment goes somewhere else."), field="destination")
    ready_on = data.get("ready_on")
    if not isinstance(ready_on, dt.date):
        raise DomainError(_("Give the day it is ready."), field="ready_on")
    lines = list(data.get("lines") or [])
    if not lines:
        raise DomainError(_("A consignment carries at least one pledge line."), field="lines")
    wanted: dict[int, int] = defaultdict(int)
    for row in lines:
        ref = row.get("pledge_line")
        wanted[int(getattr(ref, "pk", ref))] += _positive(row.get("quantity"), "lines")
    ctx = actor_context(actor)
    owners: set[int] = set()
    already = _consigned(list(wanted))
    for line_id, qty in sorted(wanted.items()):
        try:
            line = (
                restrict(PledgeLine.objects.all(), actor, "change")
                .select_related("pledge")
                .select_for_update()
                .get(pk=line_id)
            )
        except PledgeLine.DoesNotExist as exc:
            refuse(PledgeLine, actor, line_id, "change", cause=exc)
        free = line.allocated - already.get(line_id, 0)
        if qty > free:
            raise Conflict(
                _("Pledge line %(line)s has %(free)s allocated units not yet on a consignment.")
                % {"line": line_id, "free": max(free, 0)},
                field="lines",
            )
        if line.source_depot_id and line.source_depot_id != origin.pk:
            raise DomainError(
                _("Pledge line %(line)s leaves from %(depot)s, not %(origin)s.")
                % {"line": line_id, "depot": line.source_depot, "origin": origin},
                field="lines",
            )
        owners.add(line.pledge.owner_id)
    if len(owners) > 1:
        raise DomainError(_("One consignment carries one donor's lines."), field="lines")
    owner_id = owners.pop()
    if not ctx.is_coordinator and owner_id != ctx.nation_id:
        raise Forbidden(_("You may only consign your nation's pledge lines."))
    return _make(
        actor,
        owner_id=owner_id,
        origin=origin,
        destination=destination,
        ready_on=ready_on,
        need_by=data.get("need_by"),
        priority=int(data.get("priority") or 4),
        notes=str(data.get("notes") or ""),
        lines=[(line_id, None, qty) for line_id, qty in sorted(wanted.items())],
        reason=reason,
    )


def _make(
    actor: Any,
    *,
    owner_id: int,
    origin: Node,
    destination: Node,
    ready_on: dt.date,
    need_by: dt.date | None,
    priority: int,
    notes: str,
    lines: list[tuple[int, int | None, int]],
    reason: str,
) -> Consignment:
    from convoy.nations.models import Nation

    if priority not in (1, 2, 3, 4):
        raise DomainError(_("Priority is 1 (critical) to 4 (routine)."), field="priority")
    consignment = Consignment.objects.create(
        reference=next_reference(Consignment, "CSG", timezone.now().year),
        owner_id=owner_id,
        origin=origin,
        destination=destination,
        ready_on=ready_on,
        need_by=need_by,
        priority=priority,
        notes=notes,
    )
    # released to whoever runs a node it may pass: both ends and the hubs between them
    receivers = set(_on_the_way(origin, destination).values_list("nation_id", flat=True))
    receivers -= {owner_id}
    consignment.released_to.set(Nation.objects.filter(pk__in=receivers))
    ConsignmentLine.objects.bulk_create(
        ConsignmentLine(
            consignment=consignment, pledge_line_id=line_id, allocation_id=alloc, quantity=qty
        )
        for line_id, alloc, qty in lines
    )
    audit(
        actor=actor,
        action="consignment.create",
        obj=consignment,
        after={**snapshot(consignment), "lines": [[p, a, q] for p, a, q in lines]},
        reason=reason,
    )
    return consignment


def _on_the_way(origin: Node, destination: Node) -> Any:
    """The nodes on some path of legs from ``origin`` to ``destination``, both included."""
    legs = list(Leg.objects.values_list("origin_id", "destination_id"))

    def reach(start: int, forward: bool) -> set[int]:
        seen, todo = {start}, [start]
        while todo:
            here = todo.pop()
            for a, b in legs:
                nxt = b if forward and a == here else a if not forward and b == here else None
                if nxt is not None and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    between = reach(origin.pk, True) & reach(destination.pk, False)
    return Node.objects.filter(pk__in=between | {origin.pk, destination.pk})


@transaction.atomic
def consignments_from_allocations(*, actor: Any, reason: str = "") -> list[Consignment]:
    """Consignments for every active allocation not yet consigned, grouped by depot,
    destination and ready day (the line's availability); command staff only."""
    from convoy.planning.models import Allocation

    if not actor_context(actor).is_coordinator:
        raise Forbidden(_("Only command staff make consignments from allocations."))
    allocations = list(
        restrict(Allocation.objects.all(), actor, "view")
        .filter(status=Allocation.Status.ACTIVE)
        .select_related("pledge_line__pledge", "pledge_line__source_depot", "requirement")
        .order_by("pk")
    )
    done = dict(
        ConsignmentLine.objects.filter(allocation__in=[a.pk for a in allocations])
        .values("allocation")
        .annotate(total=Sum("quantity"))
        .values_list("allocation", "total")
    )
    in_planned = _consigned([a.pledge_line_id for a in allocations])
    groups: dict[tuple[int, int, int, dt.date], list[tuple[Any, int]]] = defaultdict(list)
    room: dict[int, int] = {}
    for a in allocations:
        line = a.pledge_line
        if line.source_depot_id is None:
            continue  # no depot: nothing to ship from (the plan says so)
        room.setdefault(line.pk, line.allocated - in_planned.get(line.pk, 0))
        qty = min(a.quantity - done.get(a.pk, 0), room[line.pk])
        if qty <= 0:
            continue
        room[line.pk] -= qty
        key = (
            line.pledge.owner_id,
            line.source_depot_id,
            a.requirement.destination_id,
            line.available_from,
        )
        groups[key].append((a, qty))
    made = []
    for (owner_id, _depot, _dest, ready), rows in sorted(
        groups.items(), key=lambda kv: (kv[0][3], kv[0][1], kv[0][2], kv[0][0])
    ):
        reqs = [a.requirement for a, _q in rows]
        made.append(
            _make(
                actor,
                owner_id=owner_id,
                origin=rows[0][0].pledge_line.source_depot,
                destination=reqs[0].destination,
                ready_on=ready,
                need_by=min(r.needed_by for r in reqs),
                priority=min(r.priority for r in reqs),
                notes="",
                lines=[(a.pledge_line_id, a.pk, q) for a, q in rows],
                reason=reason or _("from approved allocations"),
            )
        )
    return made


# --- tracking ------------------------------------------------------------------------------


def _last_time(consignment: Consignment) -> dt.datetime | None:
    last = consignment.events.order_by("-occurred_at", "-id").first()
    return last.occurred_at if last else None


def _when(value: Any, consignment: Consignment) -> dt.datetime:
    when = value or timezone.now()
    if not isinstance(when, dt.datetime):
        raise DomainError(_("Give the time as a date and time."), field="occurred_at")
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("That time is in the future."), field="occurred_at")
    last = _last_time(consignment)
    if last is not None and when < last:
        raise Conflict(
            _("Events are recorded in order: the last one was at %(last)s UTC.")
            % {"last": f"{last:%Y-%m-%d %H:%M}"},
            field="occurred_at",
        )
    return when


def _lock(actor: Any, consignment: Consignment) -> Consignment:
    return lock_for(Consignment, actor, "view", consignment.pk)


def _may(actor: Any, consignment: Consignment, *, node: Node | None, owner: bool) -> None:
    """Command staff may record anything; the owner's editors what ``owner`` allows; a node's
    nation's editors what happens at ``node``."""
    ctx = actor_context(actor)
    if ctx.is_coordinator:
        return
    if "change" in ctx.actions:
        if owner and consignment.owner_id == ctx.nation_id:
            return
        if node is not None and node.nation_id == ctx.nation_id:
            return
    raise Forbidden(_("You may not record this for this consignment."))


def _event(
    actor: Any,
    consignment: Consignment,
    kind: str,
    node: Node,
    when: dt.datetime,
    note: str,
    leg: Leg | None = None,
) -> TrackingEvent:
    return TrackingEvent.objects.create(
        consignment=consignment,
        kind=kind,
        occurred_at=when,
        node=node,
        leg=leg,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:300],
    )


def _save(
    actor: Any, consignment: Consignment, before: dict[str, Any], action: str, **kw: Any
) -> None:
    for name, value in kw.items():
        setattr(consignment, name, value)
    consignment.version += 1
    consignment.save(update_fields=[*kw, "version", "updated_at"])
    audit(actor=actor, action=action, obj=consignment, before=before)


@transaction.atomic
def consignment_dispatch(
    *, actor: Any, consignment: Consignment, occurred_at: Any = None, note: str = ""
) -> Consignment:
    """It leaves its depot: every line's units go from allocated to in transit."""
    c = _lock(actor, consignment)
    _may(actor, c, node=None, owner=True)
    if c.status != Status.PLANNED:
        raise Conflict(_("Only a planned consignment can be dispatched."))
    when = _when(occurred_at, c)
    before = snapshot(c)
    for line in c.lines.all():
        pledge_line_shift(
            actor=actor,
            line_id=line.pledge_line_id,
            source="allocated",
            target="in_transit",
            quantity=line.quantity,
            action="pledge_line.dispatch",
            reason=c.reference,
        )
    _event(actor, c, Kind.DISPATCHED, c.origin, when, note)
    _save(
        actor,
        c,
        before,
        "consignment.dispatch",
        status=Status.DISPATCHED,
        current_node=c.origin,
        dispatched_at=when,
    )
    return c


@transaction.atomic
def consignment_track(
    *,
    actor: Any,
    consignment: Consignment,
    kind: str,
    node: Node | None = None,
    occurred_at: Any = None,
    note: str = "",
) -> Consignment:
    """Record an arrival at a node (over an existing leg from where it is), a departure from
    the node it is at, or the hand-over at its destination."""
    c = _lock(actor, consignment)
    when_node = node or c.current_node
    if kind not in (Kind.ARRIVED, Kind.DEPARTED, Kind.HANDED_OVER):
        raise DomainError(_("Record an arrival, a departure or a hand-over."), field="kind")
    if not isinstance(when_node, Node):
        raise DomainError(_("Give the node."), field="node")
    before = snapshot(c)
    if kind == Kind.ARRIVED:
        _may(actor, c, node=when_node, owner=True)
        last = c.events.order_by("-occurred_at", "-id").first()
        if c.status not in (Status.DISPATCHED, Status.AT_NODE) or (
            last is not None and last.kind not in (Kind.DISPATCHED, Kind.DEPARTED)
        ):
            raise Conflict(_("It must leave a node before it can arrive at another."))
        here = c.current_node
        leg = (
            Leg.objects.filter(origin=here, destination=when_node).order_by("transit_days").first()
        )
        if leg is None:
            raise DomainError(
                _("There is no leg from %(here)s to %(there)s.")
                % {"here": here, "there": when_node},
                field="node",
            )
        when = _when(occurred_at, c)
        _event(actor, c, kind, when_node, when, note, leg=leg)
        _save(actor, c, before, "consignment.arrive", status=Status.AT_NODE, current_node=when_node)
        return c
    if kind == Kind.DEPARTED:
        _may(actor, c, node=c.current_node, owner=True)
        last = c.events.order_by("-occurred_at", "-id").first()
        if c.status != Status.AT_NODE or last is None or last.kind != Kind.ARRIVED:
            raise Conflict(_("It can only depart from a node it has arrived at."))
        if node is not None and node.pk != c.current_node_id:
            raise Conflict(
                _("It is at %(here)s, not at %(there)s.") % {"here": c.current_node, "there": node}
            )
        when = _when(occurred_at, c)
        _event(actor, c, kind, c.current_node, when, note)  # type: ignore[arg-type]
        _save(actor, c, before, "consignment.depart", status=Status.DISPATCHED)
        return c
    # handed over at the destination
    _may(actor, c, node=c.destination, owner=False)
    if c.status != Status.AT_NODE or c.current_node_id != c.destination_id:
        raise Conflict(_("It is handed over once it has arrived at its destination."))
    when = _when(occurred_at, c)
    _event(actor, c, kind, c.destination, when, note)
    _save(actor, c, before, "consignment.hand_over", status=Status.HANDED_OVER)
    return c


@transaction.atomic
def consignment_receive(
    *,
    actor: Any,
    consignment: Consignment,
    lines: Mapping[Any, Mapping[str, Any]],
    occurred_at: Any = None,
    note: str = "",
) -> Consignment:
    """A receipt at the destination, whole or partial: per consignment line, units received and
    written off as short, damaged or lost. What is received becomes delivered on its pledge
    line; what is written off, lost in transit; the rest stays in transit for a later receipt."""
    c = _lock(actor, consignment)
    _may(actor, c, node=c.destination, owner=False)
    if (
        c.status not in (Status.AT_NODE, Status.HANDED_OVER)
        or c.current_node_id != c.destination_id
    ):
        raise Conflict(_("It can be received once it has arrived at its destination."))
    if not lines:
        raise DomainError(_("Say what was received."), field="lines")
    rows = {line.pk: line for line in c.lines.select_for_update().select_related("consignment")}
    counts: dict[int, dict[str, int]] = {}
    for key, values in lines.items():
        line_id = int(getattr(key, "pk", key))
        if line_id not in rows:
            raise DomainError(
                _("Line %(line)s is not on this consignment.") % {"line": line_id}, field="lines"
            )
        got = {}
        for field in ("received", *DISCREPANCIES):
            v = values.get(field, 0) or 0
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise DomainError(_("Quantities are whole numbers, not negative."), field="lines")
            got[field] = v
        line = rows[line_id]
        if sum(got.values()) > line.in_transit:
            raise Conflict(
                _("Line %(line)s has %(n)s in transit: a receipt cannot account for more.")
                % {"line": line_id, "n": line.in_transit},
                field="lines",
            )
        counts[line_id] = got
    if not any(sum(g.values()) for g in counts.values()):
        raise DomainError(_("The receipt accounts for nothing."), field="lines")
    when = _when(occurred_at, c)
    before = snapshot(c)
    summary = []
    for line_id, got in sorted(counts.items()):
        line = rows[line_id]
        for field, value in got.items():
            setattr(line, field, getattr(line, field) + value)
        line.version += 1
        line.save(update_fields=["received", *DISCREPANCIES, "version", "updated_at"])
        pledge_line_shift(
            actor=actor,
            line_id=line.pledge_line_id,
            source="in_transit",
            target="delivered",
            quantity=got["received"],
            action="pledge_line.deliver",
            reason=c.reference,
        )
        pledge_line_shift(
            actor=actor,
            line_id=line.pledge_line_id,
            source="in_transit",
            target="lost",
            quantity=sum(got[f] for f in DISCREPANCIES),
            action="pledge_line.lose",
            reason=c.reference,
        )
        summary.append(f"line {line_id}: " + ", ".join(f"{v} {k}" for k, v in got.items() if v))
    _event(actor, c, Kind.RECEIVED, c.destination, when, note or "; ".join(summary))
    done = all(line.in_transit == 0 for line in rows.values())
    _save(
        actor,
        c,
        before,
        "consignment.receive",
        status=Status.RECEIVED if done else c.status,
        received_at=when if done else None,
    )
    return c


@transaction.atomic
def consignment_cancel(*, actor: Any, consignment: Consignment, reason: str = "") -> None:
    """A planned consignment is dropped (its allocated units stay allocated)."""
    c = lock_for(Consignment, actor, "delete", consignment.pk)
    if c.status != Status.PLANNED:
        raise Conflict(_("Only a planned consignment can be cancelled; this one has left."))
    before = {
        **snapshot(c),
        "lines": [list(r) for r in c.lines.values_list("pledge_line", "quantity")],
    }
    audit(actor=actor, action="consignment.cancel", obj=c, before=before, reason=reason)
    c.delete()


@transaction.atomic
def consignment_split(
    *, actor: Any, consignment: Consignment, quantities: list[int], reason: str = ""
) -> list[Consignment]:
    """Split a planned consignment into parts of the given units, in order: the consignment keeps
    the first part and a new planned consignment (same donor, ends, days and priority) takes
    each other part. Lines are shared out in their order, a line split between two parts where
    it must be; every part keeps its lines' pledge lines and allocations. Returns the parts,
    the consignment first. The owner or command staff split it, before it is dispatched."""
    c = lock_for(Consignment, actor, "change", consignment.pk)
    if c.status != Status.PLANNED:
        raise Conflict(_("Only a planned consignment can be split; this one has left."))
    try:
        wanted = [int(q) for q in quantities]
    except (TypeError, ValueError):
        raise DomainError(_("Give the parts as whole units."), field="quantities") from None
    lines = list(c.lines.order_by("pk"))
    total = sum(line.quantity for line in lines)
    if len(wanted) < 2 or min(wanted) < 1:
        raise DomainError(
            _("Give at least two parts of at least one unit each."), field="quantities"
        )
    if sum(wanted) != total:
        raise DomainError(
            _("The parts add up to %(parts)s units; the consignment has %(total)s.")
            % {"parts": sum(wanted), "total": total},
            field="quantities",
        )
    before = {**snapshot(c), "lines": [[x.pledge_line_id, x.quantity] for x in lines]}
    # share the lines out: (pledge line, allocation, quantity) per part, in order
    shares: list[list[tuple[int, int | None, int]]] = [[] for _ in wanted]
    part, room = 0, wanted[0]
    for line in lines:
        left = line.quantity
        while left:
            take = min(left, room)
            shares[part].append((line.pledge_line_id, line.allocation_id, take))
            left -= take
            room -= take
            if not room and part + 1 < len(wanted):
                part += 1
                room = wanted[part]
    # the consignment keeps the first share, a prefix of its lines: they shrink (or go)
    room = wanted[0]
    for line in lines:
        qty = min(room, line.quantity)
        room -= qty
        if not qty:
            line.delete()
        elif qty != line.quantity:
            line.quantity = qty
            line.save(update_fields=["quantity", "updated_at"])
    c.version += 1
    c.save(update_fields=["version", "updated_at"])
    parts = [c]
    for share in shares[1:]:
        parts.append(
            _make(
                actor,
                owner_id=c.owner_id,
                origin=c.origin,
                destination=c.destination,
                ready_on=c.ready_on,
                need_by=c.need_by,
                priority=c.priority,
                notes=_("Split from %(ref)s.") % {"ref": c.reference}
                + (f"\n{c.notes}" if c.notes else ""),
                lines=share,
                reason=reason or c.reference,
            )
        )
    audit(
        actor=actor,
        action="consignment.split",
        obj=c,
        before=before,
        after={
            **snapshot(c),
            "parts": [[p.reference, q] for p, q in zip(parts, wanted, strict=True)],
        },
        reason=reason,
    )
    return parts


@transaction.atomic
def consignment_set_route(
    *, actor: Any, consignment: Consignment, steps: list[tuple[Leg, dt.date]], reason: str = ""
) -> Consignment:
    """Plan the route: legs in order, each with its departure day (its arrival follows from the
    leg's transit days). The legs must chain from the origin to the destination and the days
    must not go back; the owner or command staff set it, before the consignment is received."""
    c = lock_for(Consignment, actor, "change", consignment.pk)
    if c.status == Status.RECEIVED:
        raise Conflict(_("A received consignment keeps the route it took."))
    if not steps:
        raise DomainError(_("Give at least one leg."), field="steps")
    here, earliest = c.origin_id, None
    rows = []
    for seq, (leg, departs) in enumerate(steps, start=1):
        if not isinstance(leg, Leg) or not isinstance(departs, dt.date):
            raise DomainError(_("Each step is a leg and a day."), field="steps")
        if leg.origin_id != here:
            raise DomainError(
                _("Step %(n)s leaves from %(there)s, but the route is at %(here)s.")
                % {"n": seq, "there": leg.origin, "here": Node.objects.get(pk=here)},
                field="steps",
            )
        if earliest is not None and departs < earliest:
            raise DomainError(
                _("Step %(n)s departs before the previous one arrives.") % {"n": seq},
                field="steps",
            )
        arrives = departs + dt.timedelta(days=leg.transit_days)
        rows.append(
            RouteStep(consignment=c, seq=seq, leg=leg, departs_on=departs, arrives_on=arrives)
        )
        here, earliest = leg.destination_id, arrives
    if here != c.destination_id:
        raise DomainError(_("The route does not end at the destination."), field="steps")
    before = {**snapshot(c), "route": [[s.leg_id, str(s.departs_on)] for s in c.route.all()]}
    c.route.all().delete()
    RouteStep.objects.bulk_create(rows)
    c.version += 1
    c.save(update_fields=["version", "updated_at"])
    audit(
        actor=actor,
        action="consignment.route",
        obj=c,
        before=before,
        after={**snapshot(c), "route": [[s.leg_id, str(s.departs_on)] for s in rows]},
        reason=reason,
    )
    return c
