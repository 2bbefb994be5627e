from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from convoy.catalog.models import Category
from convoy.core.forms import DateInput, SearchFilterSet, ServiceForm

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
    needed_after = django_filters.DateFilter(
        field_name="needed_by", lookup_expr="gte", label=_("Needed from"), widget=DateInput()
    )
    needed_before = django_filters.DateFilter(
        field_name="needed_by", lookup_expr="lte", label=_("Needed until"), widget=DateInput()
    )
    any_category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(),
        method="filter_any_category",
        label=_("Category (item or category-level)"),
    )

    class Meta:
        model = Requirement
        fields = ["status", "priority", "item", "destination", "capability", "owner"]

    def filter_any_category(self, queryset: QuerySet[Requirement], name: str, value: Any) -> Any:
        if not value:
            return queryset
        return queryset.filter(Q(category=value) | Q(item__category=value))
