from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from convoy.core.access import actor_context
from convoy.core.registry import REGISTRY

MENU_GROUPS = [
    ("coordination", _("Coordination")),
    ("catalogue", _("Catalogue")),
    ("logistics", _("Logistics")),
    ("reference", _("Reference")),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    groups = []
    for key, label in MENU_GROUPS:
        entries = [s for s in REGISTRY.values() if s.menu == key]
        if entries:
            groups.append((label, entries))
    user = getattr(request, "user", None)
    return {"menu": groups, "actor": actor_context(user) if user is not None else None}
