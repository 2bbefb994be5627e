from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from convoy.core.access import actor_context, scope_q
from convoy.core.registry import REGISTRY

NONE = Q(pk__in=[])
MENU_GROUPS = [
    ("coordination", _("Coordination")),
    ("catalogue", _("Catalogue")),
    ("logistics", _("Logistics")),
    ("reference", _("Reference")),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    ctx = actor_context(user)
    groups = []
    for key, label in MENU_GROUPS:
        # an entry whose list would be empty for this user by rule (the audit trail) is left out
        entries = [
            s for s in REGISTRY.values() if s.menu == key and scope_q(s.model, ctx, "view") != NONE
        ]
        if entries:
            groups.append((label, entries))
    return {"menu": groups, "actor": ctx if user is not None else None}
