from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from convoy.core.registry import ModelSpec, register

from . import services
from .forms import NodeFilter, NodeForm
from .models import Node

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
        menu="logistics",
        sortable=["name", "kind", "nation__code", "daily_capacity"],
    )
)
