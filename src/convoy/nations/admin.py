from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Membership
from .services import membership_set


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Users' nation and roles; saving goes through the audited service."""

    list_display = ["user", "nation", "roles", "time_zone"]
    list_filter = ["nation"]
    search_fields = ["user__username", "nation__code"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        membership_set(
            actor=request.user,
            user=obj.user,
            nation=obj.nation,
            roles=list(obj.roles),
            time_zone=obj.time_zone,
            reason="admin",
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
