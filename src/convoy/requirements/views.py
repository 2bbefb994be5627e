from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from convoy.core.registry import ActionButton, ModelSpec, register

from . import services
from .forms import RequirementFilter, RequirementForm
from .models import Requirement


def _button(t: services.Transition) -> ActionButton:
    def run(*, actor: Any, obj: Requirement, quantity: int | None = None, reason: str = "") -> Any:
        return services.requirement_transition(
            actor=actor, requirement=obj, transition=t.name, reason=reason
        )

    return ActionButton(
        name=t.name,
        label=t.label,
        permission=t.action,
        run=run,
        shown=lambda obj: obj.status in t.sources,
        needs_reason=t.needs_reason,
        style="secondary" if t.name in ("cancel", "return_to_draft") else "",
    )


REQUIREMENT = register(
    ModelSpec(
        key="requirement",
        plural="requirements",
        model=Requirement,
        verbose=_("requirement"),
        verbose_plural=_("requirements"),
        columns=[
            ("reference", _("reference")),
            ("title", _("title")),
            ("get_priority_display", _("priority")),
            ("quantity", _("quantity")),
            ("needed_by", _("needed by")),
            ("destination__name", _("destination")),
            ("get_status_display", _("status")),
        ],
        form=RequirementForm,
        filterset=RequirementFilter,
        create=services.requirement_create,
        update=services.requirement_update,
        delete=services.requirement_delete,
        search_fields=["reference", "title", "item__name", "item__nsn", "category__name"],
        select_related=["item", "category", "destination", "owner", "capability"],
        actions=[_button(t) for t in services.TRANSITIONS.values()],
        menu="coordination",
        ordering=["priority", "needed_by", "reference"],
        sortable=["reference", "priority", "quantity", "needed_by", "status"],
    )
)
