"""The audit search: coordinators find events by actor, nation, object, action and time range,
on a page (with CSV export) and in the API. Read-only: events are appended by ``core.audit``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .api import SpecViewSet
from .forms import DateInput, SearchFilterSet
from .models import AuditEvent
from .registry import REGISTRY, ModelSpec, register


def _object_types() -> list[tuple[str, str]]:
    labels = {s.model._meta.label_lower: str(s.verbose) for s in REGISTRY.values()}
    labels.update({"auth.user": "user", "http.request": "request"})
    return sorted(labels.items(), key=lambda kv: kv[1])


class AuditEventFilter(SearchFilterSet):
    # exact matches on indexed columns: the trail grows by every write and sign-in
    actor = django_filters.CharFilter(field_name="actor_username", label=_("actor (username)"))
    nation = django_filters.CharFilter(method="filter_nation", label=_("nation code"))
    object_type = django_filters.ChoiceFilter(choices=_object_types, label=_("object type"))
    object_id = django_filters.CharFilter(label=_("object id"))
    action = django_filters.CharFilter(
        lookup_expr="istartswith", label=_("action (starts with, e.g. requirement. or security.)")
    )
    since = django_filters.DateFilter(
        field_name="occurred_at",
        method="filter_since",
        label=_("from (UTC date)"),
        widget=DateInput,
    )
    until = django_filters.DateFilter(
        field_name="occurred_at", method="filter_until", label=_("to (UTC date)"), widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_nation(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(nation_code=value.strip().upper())

    @staticmethod
    def _utc(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)

    def filter_since(self, qs: QuerySet[Any], name: str, value: dt.date) -> QuerySet[Any]:
        return qs.filter(occurred_at__gte=self._utc(value))

    def filter_until(self, qs: QuerySet[Any], name: str, value: dt.date) -> QuerySet[Any]:
        return qs.filter(occurred_at__lt=self._utc(value + dt.timedelta(days=1)))


# an event's fields as its page shows them (before/after go in a table of their own)
EVENT_FIELDS = [
    "occurred_at",
    "actor_username",
    "nation_code",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "reason",
    "prev_hash",
    "hash",
]


def _diff(request: Any, event: AuditEvent) -> dict[str, Any]:
    before, after = event.before or {}, event.after or {}
    keys = sorted(set(before) | set(after))
    return {"diff": [(k, before.get(k), after.get(k)) for k in keys]}


AUDIT = register(
    ModelSpec(
        key="auditevent",
        plural="audit",
        model=AuditEvent,
        verbose=_("audit event"),
        verbose_plural=_("audit events"),
        columns=[
            ("occurred_at", _("time")),
            ("actor_username", _("actor")),
            ("nation_code", _("nation")),
            ("action", _("action")),
            ("object_type", _("object type")),
            ("object_id", _("object id")),
            ("object_repr", _("object")),
            ("reason", _("reason")),
        ],
        form=None,
        filterset=AuditEventFilter,
        create=None,
        update=None,
        delete=None,
        search_fields=["actor_username", "action", "object_repr", "reason", "request_id"],
        detail_fields=EVENT_FIELDS,
        detail_include="core/_audit_event.html",
        detail_extra=_diff,
        menu="reference",
        ordering=["-id"],
        sortable=["occurred_at", "actor_username", "nation_code", "action", "object_type"],
        searchable=False,
    )
)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", *EVENT_FIELDS, "before", "after"]
        read_only_fields = fields


class AuditEventViewSet(SpecViewSet):
    """The audit trail (coordinators and admins). Filters as on the page."""

    spec = AUDIT
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    http_method_names = ["get", "head", "options"]
