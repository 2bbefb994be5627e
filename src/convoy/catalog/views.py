from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from convoy.core.access import restrict
from convoy.core.registry import ModelSpec, register

from . import services
from .forms import (
    CapabilityFilter,
    CapabilityForm,
    CategoryFilter,
    CategoryForm,
    ItemFilter,
    ItemForm,
)
from .models import Capability, Category, Item


def _component_choices(request: Any, obj: Capability) -> dict[str, Any]:
    items = restrict(Item.objects.all(), request.user, "view").only("pk", "name")
    return {"component_items": items}


CATEGORY = register(
    ModelSpec(
        key="category",
        plural="categories",
        model=Category,
        verbose=_("category"),
        verbose_plural=_("categories"),
        columns=[("code", _("code")), ("name", _("name"))],
        form=CategoryForm,
        filterset=CategoryFilter,
        create=services.category_create,
        update=services.category_update,
        delete=services.category_delete,
        search_fields=["code", "name"],
        menu="reference",
        sortable=["code", "name"],
    )
)
ITEM = register(
    ModelSpec(
        key="item",
        plural="items",
        model=Item,
        verbose=_("item"),
        verbose_plural=_("items"),
        columns=[
            ("name", _("name")),
            ("category__name", _("category")),
            ("unit", _("unit")),
            ("unit_value_eur", _("unit value (EUR)")),
            ("nsn", _("NSN")),
        ],
        form=ItemForm,
        filterset=ItemFilter,
        create=services.item_create,
        update=services.item_update,
        delete=services.item_delete,
        search_fields=["name", "nsn", "category__name"],
        select_related=["category"],
        menu="catalogue",
        sortable=["name", "category__name", "unit_value_eur", "nsn"],
    )
)
CAPABILITY = register(
    ModelSpec(
        key="capability",
        plural="capabilities",
        model=Capability,
        verbose=_("capability"),
        verbose_plural=_("capabilities"),
        columns=[("name", _("name")), ("coalition__name", _("coalition"))],
        form=CapabilityForm,
        filterset=CapabilityFilter,
        create=services.capability_create,
        update=services.capability_update,
        delete=services.capability_delete,
        search_fields=["name", "description"],
        select_related=["coalition"],
        detail_include="catalog/_components.html",
        detail_extra=_component_choices,
        menu="catalogue",
        sortable=["name"],
    )
)
