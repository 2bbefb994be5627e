from __future__ import annotations

from django.contrib import admin

from .models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Users and their nation and roles are managed here (records go through Convoy's pages)."""

    list_display = ["user", "nation", "roles", "time_zone"]
    list_filter = ["nation"]
    search_fields = ["user__username", "nation__code"]
