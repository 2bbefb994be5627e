from __future__ import annotations

import django_filters

from convoy.core.forms import SearchFilterSet, ServiceForm

from .models import Requirement


class RequirementForm(ServiceForm):
    class Meta:
        model = Requirement
        fields = [
            "title",
            "item",
            "category",
            "quantity",
            "priority",
            "needed_by",
            "destination",
            "capability",
            "notes",
            "owner",
            "released_to",
            "released_to_coalitions",
        ]


class RequirementFilter(SearchFilterSet):
    needed_before = django_filters.DateFilter(field_name="needed_by", lookup_expr="lte")
    needed_after = django_filters.DateFilter(field_name="needed_by", lookup_expr="gte")
    item__category = django_filters.NumberFilter(label="Item category (id)")

    class Meta:
        model = Requirement
        fields = ["status", "priority", "category", "item", "destination", "capability", "owner"]
