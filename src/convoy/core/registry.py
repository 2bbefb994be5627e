"""The model registry: one entry per browsable model drives its pages, URLs, exports, search and
the permission-matrix tests. Adding a model costs one ``ModelSpec``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class ActionButton:
    """A lifecycle action offered on a detail page (and as an API action)."""

    name: str
    label: Any
    permission: str  # view/add/change/delete/approve
    run: Callable[..., Any]  # run(actor=, obj=, quantity=, reason=)
    shown: Callable[[Any], bool] = lambda obj: True
    needs_quantity: bool = False
    needs_reason: bool = False
    max_quantity: Callable[[Any], int] | None = None
    style: str = ""

    def offer(self, obj: Any) -> dict[str, Any]:
        """The button for one record, with its quantity cap worked out (templates call nothing)."""
        return {"b": self, "max": self.max_quantity(obj) if self.max_quantity else None}


@dataclass
class ModelSpec:
    key: str  # url name stem: "item"
    plural: str  # url segment: "items"
    model: type[models.Model]
    verbose: Any
    verbose_plural: Any
    columns: list[tuple[str, Any]]  # (accessor, label); accessor may use "__" and "get_x_display"
    form: Any
    filterset: Any
    create: Callable[..., Any] | None
    update: Callable[..., Any] | None
    delete: Callable[..., Any] | None
    search_fields: list[str]
    select_related: list[str] = field(default_factory=list)
    prefetch: list[str] = field(default_factory=list)
    detail_fields: list[str] | None = None
    detail_include: str | None = None  # extra template included on the detail page
    list_include: str | None = None  # extra actions (a template) in the list page's head
    detail_extra: Callable[[Any, Any], dict[str, Any]] | None = None  # (request, obj) -> context
    actions: list[ActionButton] = field(default_factory=list)
    menu: str = ""  # navigation group; "" = not in menu
    ordering: list[str] = field(default_factory=list)
    sortable: list[str] = field(default_factory=list)
    searchable: bool = True  # in the platform-wide search (the audit trail has its own)
    may_add: Callable[[Any], bool] | None = None  # a narrower rule for adding than the policy's


REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    REGISTRY[spec.key] = spec
    return spec


def addable(spec: ModelSpec, user: Any) -> bool:
    """Whether ``user`` may add records of this entry (it has a create service, and the role)."""
    from .access import can_add

    return (
        spec.create is not None
        and can_add(user, spec.model)
        and (spec.may_add is None or spec.may_add(user))
    )


def require_addable(spec: ModelSpec, user: Any) -> None:
    """Refuse (403) a user who may not add records of this entry, on pages and API alike."""
    from django.utils.translation import gettext as _

    from .errors import Forbidden

    if not addable(spec, user):
        raise Forbidden(_("You may not add records of this kind."))


def resolve(obj: Any, accessor: str) -> Any:
    """Follow ``a__b__c`` from ``obj``; call ``get_x_display``-style methods."""
    value = obj
    for part in accessor.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value) and not isinstance(value, models.Manager):
            value = value()
    if isinstance(value, models.Manager):
        return ", ".join(str(v) for v in value.all())
    return value
