"""Writes on requirements and their lifecycle: draft -> submitted -> validated -> fulfilled,
or cancelled from any open state. Each transition is audited and refused when not allowed."""

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

from .models import Requirement

S = Requirement.Status


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str
    action: str  # the permission action it needs
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("submit", gettext_lazy("Submit"), frozenset({S.DRAFT}), S.SUBMITTED, "change"),
        Transition(
            "validate", gettext_lazy("Validate"), frozenset({S.SUBMITTED}), S.VALIDATED, "approve"
        ),
        Transition(
            "return_to_draft",
            gettext_lazy("Return to draft"),
            frozenset({S.SUBMITTED}),
            S.DRAFT,
            "approve",
            needs_reason=True,
        ),
        Transition(
            "fulfil",
            gettext_lazy("Mark fulfilled"),
            frozenset({S.VALIDATED}),
            S.FULFILLED,
            "approve",
        ),
        Transition(
            "cancel",
            gettext_lazy("Cancel"),
            frozenset({S.DRAFT, S.SUBMITTED, S.VALIDATED}),
            S.CANCELLED,
            "change",
            needs_reason=True,
        ),
    )
}
EDITABLE = frozenset({S.DRAFT, S.SUBMITTED})
IMMUTABLE_FIELDS = ("status", "reference")


def _clean_data(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in IMMUTABLE_FIELDS}


@transaction.atomic
def requirement_create(*, actor: Any, data: Mapping[str, Any], reason: str = "") -> Requirement:
    values = _clean_data(data)
    values["status"] = S.DRAFT
    values["reference"] = next_reference(Requirement, "REQ", timezone.now().year)
    return create_record(
        actor=actor, model=Requirement, data=values, action="requirement.create", reason=reason
    )


@transaction.atomic
def requirement_update(
    *, actor: Any, obj: Requirement, data: Mapping[str, Any], reason: str = ""
) -> Requirement:
    current = lock_for(Requirement, actor, "change", obj.pk)
    if current.status not in EDITABLE:
        raise Conflict(
            _("A %(status)s requirement cannot be edited; only draft and submitted ones can.")
            % {"status": current.get_status_display()}
        )
    return update_record(
        actor=actor, obj=current, data=_clean_data(data), action="requirement.update", reason=reason
    )


@transaction.atomic
def requirement_delete(*, actor: Any, obj: Requirement, reason: str = "") -> None:
    current = lock_for(Requirement, actor, "delete", obj.pk)
    if current.status != S.DRAFT:
        raise Conflict(_("Only a draft requirement can be deleted; cancel it instead."))
    delete_record(actor=actor, obj=current, action="requirement.delete", reason=reason)


@transaction.atomic
def requirement_transition(
    *, actor: Any, requirement: Requirement, transition: str, reason: str = ""
) -> Requirement:
    """Move a requirement along its lifecycle; refuse an illegal move with a clear message."""
    t = TRANSITIONS.get(transition)
    if t is None:
        raise DomainError(
            _("Unknown transition %(name)s.") % {"name": transition}, field="transition"
        )
    current = lock_for(Requirement, actor, t.action, requirement.pk)
    if current.status not in t.sources:
        allowed = ", ".join(sorted(str(S(s).label) for s in t.sources))
        raise Conflict(
            _("Cannot %(action)s a %(status)s requirement (only from: %(allowed)s).")
            % {
                "action": str(t.label).lower(),
                "status": current.get_status_display(),
                "allowed": allowed,
            }
        )
    if t.needs_reason and not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    before = snapshot(current)
    current.status = t.target
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    audit(actor=actor, action=f"requirement.{t.name}", obj=current, before=before, reason=reason)
    return current


def requirement_submit(*, actor: Any, requirement: Requirement, reason: str = "") -> Requirement:
    return requirement_transition(
        actor=actor, requirement=requirement, transition="submit", reason=reason
    )


def requirement_validate(*, actor: Any, requirement: Requirement, reason: str = "") -> Requirement:
    return requirement_transition(
        actor=actor, requirement=requirement, transition="validate", reason=reason
    )


def requirement_cancel(*, actor: Any, requirement: Requirement, reason: str) -> Requirement:
    return requirement_transition(
        actor=actor, requirement=requirement, transition="cancel", reason=reason
    )
