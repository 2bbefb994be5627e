"""Writes on pledges and pledge lines.

A line's quantity is split over states: offered -> accepted -> allocated -> in transit ->
delivered (or lost in transit), or withdrawn (from offered, or from accepted with a reason). The
moves into and out of transit happen only through consignments (``logistics.services``), which
call :func:`pledge_line_shift`. Every move takes a
quantity, so that part of a line can move while the rest waits; the states always add up to the
pledged quantity (checked here, and by a database constraint).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from convoy.core.audit import audit, snapshot
from convoy.core.errors import Conflict, DomainError
from convoy.core.services import (
    create_record,
    delete_record,
    lock_for,
    next_reference,
    update_record,
)

from .models import LINE_STATES, Pledge, PledgeLine

STATE_LABELS = {
    "offered": gettext_lazy("offered"),
    "accepted": gettext_lazy("accepted"),
    "allocated": gettext_lazy("allocated"),
    "in_transit": gettext_lazy("in transit"),
    "delivered": gettext_lazy("delivered"),
    "lost": gettext_lazy("lost in transit"),
    "withdrawn": gettext_lazy("withdrawn"),
}


@dataclass(frozen=True)
class Move:
    name: str
    label: Any
    source: str
    target: str
    action: str
    needs_reason: bool = False


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        Move("accept", gettext_lazy("Accept"), "offered", "accepted", "approve"),
        Move("allocate", gettext_lazy("Allocate"), "accepted", "allocated", "approve"),
        Move("withdraw", gettext_lazy("Withdraw offer"), "offered", "withdrawn", "change"),
        Move(
            "withdraw_accepted",
            gettext_lazy("Withdraw commitment"),
            "accepted",
            "withdrawn",
            "change",
            needs_reason=True,
        ),
    )
}
LINE_FIELDS_LOCKED = (*LINE_STATES, "pledge")


# --- pledges -------------------------------------------------------------------------------


@transaction.atomic
def pledge_create(*, actor: Any, data: Mapping[str, Any], reason: str = "") -> Pledge:
    values = {k: v for k, v in data.items() if k != "reference"}
    values["reference"] = next_reference(Pledge, "PLG", timezone.now().year)
    return create_record(
        actor=actor, model=Pledge, data=values, action="pledge.create", reason=reason
    )


@transaction.atomic
def pledge_update(*, actor: Any, obj: Pledge, data: Mapping[str, Any], reason: str = "") -> Pledge:
    current = lock_for(Pledge, actor, "change", obj.pk)
    values = {k: v for k, v in data.items() if k != "reference"}
    if "kind" in values and values["kind"] != current.kind and current.lines.exists():
        raise Conflict(_("The kind of a pledge with lines cannot change."), field="kind")
    return update_record(
        actor=actor, obj=current, data=values, action="pledge.update", reason=reason
    )


@transaction.atomic
def pledge_delete(*, actor: Any, obj: Pledge, reason: str = "") -> None:
    current = lock_for(Pledge, actor, "delete", obj.pk)
    if any(line.committed for line in current.lines.all()):
        raise Conflict(
            _("A pledge with committed quantities cannot be deleted; withdraw its lines instead.")
        )
    delete_record(actor=actor, obj=current, action="pledge.delete", reason=reason)


# --- lines ---------------------------------------------------------------------------------


def _line_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in LINE_FIELDS_LOCKED}


@transaction.atomic
def pledge_line_add(
    *, actor: Any, pledge: Pledge, data: Mapping[str, Any], reason: str = ""
) -> PledgeLine:
    parent = lock_for(Pledge, actor, "change", pledge.pk)
    if parent.kind != Pledge.Kind.IN_KIND:
        raise Conflict(
            _("Only in-kind pledges have item lines; this one is %(kind)s.")
            % {"kind": parent.get_kind_display()}
        )
    values = _line_values(data)
    quantity = values.get("quantity")
    if not isinstance(quantity, int) or quantity < 1:
        raise DomainError(_("The quantity must be a positive whole number."), field="quantity")
    values.update(pledge=parent, offered=quantity)
    return create_record(
        actor=actor, model=PledgeLine, data=values, action="pledge_line.create", reason=reason
    )


@transaction.atomic
def pledge_line_update(
    *, actor: Any, obj: PledgeLine, data: Mapping[str, Any], reason: str = ""
) -> PledgeLine:
    current = lock_for(PledgeLine, actor, "change", obj.pk)
    values = _line_values(data)
    if "quantity" in values and values["quantity"] != current.quantity:
        if current.offered != current.quantity:
            raise Conflict(
                _("The quantity can only change while all of it is still offered."),
                field="quantity",
            )
        values["offered"] = values["quantity"]
    return update_record(
        actor=actor, obj=current, data=values, action="pledge_line.update", reason=reason
    )


@transaction.atomic
def pledge_line_delete(*, actor: Any, obj: PledgeLine, reason: str = "") -> None:
    current = lock_for(PledgeLine, actor, "delete", obj.pk)
    if current.offered + current.withdrawn != current.quantity:
        raise Conflict(_("A line with committed quantities cannot be deleted; withdraw it."))
    delete_record(actor=actor, obj=current, action="pledge_line.delete", reason=reason)


@transaction.atomic
def pledge_line_move(
    *, actor: Any, line: PledgeLine, move: str, quantity: int, reason: str = ""
) -> PledgeLine:
    """Move ``quantity`` of a line from one state to the next."""
    m = MOVES.get(move)
    if m is None:
        raise DomainError(_("Unknown action %(name)s.") % {"name": move}, field="move")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise DomainError(_("The quantity must be a positive whole number."), field="quantity")
    current = lock_for(PledgeLine, actor, m.action, line.pk)
    available = getattr(current, m.source)
    if quantity > available:
        raise Conflict(
            _("Cannot %(move)s %(quantity)s: only %(available)s %(state)s on this line.")
            % {
                "move": str(m.label).lower(),
                "quantity": quantity,
                "available": available,
                "state": STATE_LABELS[m.source],
            },
            field="quantity",
        )
    if m.needs_reason and not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    before = snapshot(current)
    setattr(current, m.source, available - quantity)
    setattr(current, m.target, getattr(current, m.target) + quantity)
    current.version += 1
    assert sum(getattr(current, s) for s in LINE_STATES) == current.quantity
    current.save(update_fields=[m.source, m.target, "version", "updated_at"])
    audit(actor=actor, action=f"pledge_line.{m.name}", obj=current, before=before, reason=reason)
    return current


def pledge_line_shift(
    *, actor: Any, line_id: int, source: str, target: str, quantity: int, action: str, reason: str
) -> PledgeLine:
    """Move ``quantity`` of a line between two states as the consequence of a write the caller
    has already authorised (a consignment dispatched or received): locked, checked, audited."""
    if source not in LINE_STATES or target not in LINE_STATES or quantity < 0:
        raise ValueError(f"bad shift {source} -> {target} of {quantity}")
    line = PledgeLine.objects.select_for_update().get(pk=line_id)
    if getattr(line, source) < quantity:
        raise Conflict(
            _("Only %(available)s %(state)s on %(line)s.")
            % {"available": getattr(line, source), "state": STATE_LABELS[source], "line": line}
        )
    if not quantity:
        return line
    before = snapshot(line)
    setattr(line, source, getattr(line, source) - quantity)
    setattr(line, target, getattr(line, target) + quantity)
    line.version += 1
    assert sum(getattr(line, s) for s in LINE_STATES) == line.quantity
    line.save(update_fields=[source, target, "version", "updated_at"])
    audit(actor=actor, action=action, obj=line, before=before, reason=reason)
    return line


def pledge_line_accept(
    *, actor: Any, line: PledgeLine, quantity: int, reason: str = ""
) -> PledgeLine:
    return pledge_line_move(actor=actor, line=line, move="accept", quantity=quantity, reason=reason)
