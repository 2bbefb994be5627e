"""Admin pages for memberships, users and API tokens: every write goes through a service."""

from __future__ import annotations

import contextvars
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from convoy.core.errors import DomainError

from .models import ApiToken, Membership
from .selectors import may_manage_users
from .services import (
    api_token_revoke,
    lockout_clear,
    membership_set,
    user_delete,
    user_save,
)

User = get_user_model()

# The acting admin while the password form of ``UserAdmin`` runs (the form is not given the
# request): its ``save`` writes through ``user_save`` as that admin.
_password_actor: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "admin_password_actor", default=None
)


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


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" form, saving through ``user_save``."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        if commit:
            user_save(actor=_password_actor.get(), user=user, reason="admin: password")
        return user


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user pages; saving, deleting and password changes go through audited services."""

    change_password_form = AuditedPasswordChangeForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = getattr(form, "cleaned_data", {})
        user_save(
            actor=request.user,
            user=obj,
            groups=data.get("groups") if "groups" in data else None,
            user_permissions=(data.get("user_permissions") if "user_permissions" in data else None),
            reason="admin",
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # groups and permissions were set by user_save; only inline formsets are left
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # a user's membership and tokens go with the account (recorded in its user.delete event),
        # although their own admin pages offer no delete
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        cascaded = {str(Membership._meta.verbose_name), str(ApiToken._meta.verbose_name)}
        return deleted, counts, {p for p in perms_needed if str(p) not in cascaded}, protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        user_delete(actor=request.user, user=obj, reason="admin")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for user in queryset:
            try:
                user_delete(actor=request.user, user=user, reason="admin: bulk delete")
            except DomainError as exc:
                self.message_user(request, f"{user}: {exc.message}", level=messages.ERROR)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_manage_users(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage_users(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_manage_users(request.user) and super().has_delete_permission(request, obj)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except DomainError as exc:  # refused by the service: nothing was saved
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().delete_view(request, *args, **kwargs)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Everyone's API tokens, read-only; administrators can revoke them (audited)."""

    list_display = [
        "name",
        "user",
        "prefix",
        "status",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.display(description=_("status"))
    def status(self, obj: ApiToken) -> str:
        return obj.get_status_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made by their owner, who alone sees the key

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the record stays for the trail

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                api_token_revoke(actor=request.user, token=token, reason="admin")
            except (DomainError, Http404) as exc:
                self.message_user(request, f"{token}: {exc}", level=messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("%(n)d tokens revoked.") % {"n": done})


@admin.register(AccessAttempt)
class AccessAttemptAdmin(admin.ModelAdmin):
    """Failed sign-ins counted by django-axes, read-only; administrators can unlock (audited)."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "locked"]
    search_fields = ["username", "ip_address"]
    fields = readonly_fields = (
        "username",
        "ip_address",
        "user_agent",
        "path_info",
        "attempt_time",
        "failures_since_start",
    )
    ordering = ["-attempt_time"]
    actions = ["unlock"]

    @admin.display(description=_("locked out"), boolean=True)
    def locked(self, obj: AccessAttempt) -> bool:
        return bool(obj.failures_since_start >= settings.AXES_FAILURE_LIMIT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the "unlock" action instead: audited

    @admin.action(description=_("Unlock: forget these failed sign-ins"), permissions=["view"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        done = 0
        for attempt in queryset:
            try:
                lockout_clear(actor=request.user, attempt=attempt, reason="admin")
            except (DomainError, Http404) as exc:
                self.message_user(request, f"{attempt.username}: {exc}", level=messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("%(n)d unlocked.") % {"n": done})
