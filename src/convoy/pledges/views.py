from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from convoy.core.access import restrict
from convoy.core.registry import ActionButton, ModelSpec, register

from . import services
from .forms import PledgeFilter, PledgeForm, PledgeLineFilter, PledgeLineForm
from .models import LINE_STATES, Pledge, PledgeLine


def _move_button(m: services.Move) -> ActionButton:
    def run(*, actor: Any, obj: PledgeLine, quantity: int | None = None, reason: str = "") -> Any:
        return services.pledge_line_move(
            actor=actor, line=obj, move=m.name, quantity=quantity or 0, reason=reason
        )

    return ActionButton(
        name=m.name,
        label=m.label,
        permission=m.action,
        run=run,
        shown=lambda line: getattr(line, m.source) > 0,
        needs_quantity=True,
        needs_reason=m.needs_reason,
        max_quantity=lambda line: int(getattr(line, m.source)),
        style="secondary" if m.name.startswith("withdraw") else "",
    )


LINE_BUTTONS = [_move_button(m) for m in services.MOVES.values()]


def _line_create(*, actor: Any, data: dict[str, Any], reason: str = "") -> PledgeLine:
    values = dict(data)
    pledge = values.pop("pledge")
    return services.pledge_line_add(actor=actor, pledge=pledge, data=values, reason=reason)


def _lines_context(request: HttpRequest, pledge: Pledge) -> dict[str, Any]:
    """The pledge's lines (through the choke point) with the moves the user may make."""
    lines = list(
        restrict(PledgeLine.objects.filter(pledge=pledge), request.user, "view").select_related(
            "item", "source_depot"
        )
    )
    base = PledgeLine.objects.filter(pledge=pledge)
    allowed = {
        action: set(restrict(base, request.user, action).values_list("pk", flat=True))
        for action in ("change", "approve")
    }
    rows = []
    for line in lines:
        buttons = [
            b.offer(line)
            for b in LINE_BUTTONS
            if line.pk in allowed.get(b.permission, set()) and b.shown(line)
        ]
        rows.append({"line": line, "buttons": buttons, "can_change": line.pk in allowed["change"]})
    return {"lines": rows, "line_states": [services.STATE_LABELS[s] for s in LINE_STATES]}


PLEDGE = register(
    ModelSpec(
        key="pledge",
        plural="pledges",
        model=Pledge,
        verbose=_("pledge"),
        verbose_plural=_("pledges"),
        columns=[
            ("reference", _("reference")),
            ("title", _("title")),
            ("owner__code", _("donor")),
            ("get_kind_display", _("kind")),
            ("pledged_on", _("pledged on")),
        ],
        form=PledgeForm,
        filterset=PledgeFilter,
        create=services.pledge_create,
        update=services.pledge_update,
        delete=services.pledge_delete,
        search_fields=["reference", "title", "owner__code", "owner__name", "lines__item__name"],
        select_related=["owner"],
        detail_include="pledges/_lines.html",
        detail_extra=_lines_context,
        menu="coordination",
        ordering=["-pledged_on", "reference"],
        sortable=["reference", "pledged_on", "owner__code", "kind"],
    )
)

PLEDGE_LINE = register(
    ModelSpec(
        key="pledgeline",
        plural="pledge-lines",
        model=PledgeLine,
        verbose=_("pledge line"),
        verbose_plural=_("pledge lines"),
        columns=[
            ("pledge__reference", _("pledge")),
            ("pledge__owner__code", _("donor")),
            ("item__name", _("item")),
            ("quantity", _("quantity")),
            ("offered", _("offered")),
            ("accepted", _("accepted")),
            ("allocated", _("allocated")),
            ("in_transit", _("in transit")),
            ("delivered", _("delivered")),
            ("lost", _("lost")),
            ("withdrawn", _("withdrawn")),
            ("available_from", _("available from")),
        ],
        form=PledgeLineForm,
        filterset=PledgeLineFilter,
        create=_line_create,
        update=services.pledge_line_update,
        delete=services.pledge_line_delete,
        search_fields=["pledge__reference", "item__name", "item__nsn", "pledge__owner__code"],
        select_related=["pledge", "pledge__owner", "item", "source_depot"],
        actions=LINE_BUTTONS,
        menu="coordination",
        ordering=["-pledge__pledged_on", "pk"],
        sortable=["quantity", "available_from", "item__name"],
    )
)
