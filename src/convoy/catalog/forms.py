from __future__ import annotations

import django_filters

from convoy.core.forms import SearchFilterSet, ServiceForm

from .models import Capability, Category, Item


class CategoryForm(ServiceForm):
    class Meta:
        model = Category
        fields = ["code", "name"]


class CategoryFilter(SearchFilterSet):
    class Meta:
        model = Category
        fields: list[str] = []


class ItemForm(ServiceForm):
    class Meta:
        model = Item
        fields = [
            "name",
            "category",
            "unit",
            "unit_value_eur",
            "nsn",
            "description",
            "substitutes",
            "consumes",
        ]


class ItemFilter(SearchFilterSet):
    min_value = django_filters.NumberFilter(field_name="unit_value_eur", lookup_expr="gte")
    max_value = django_filters.NumberFilter(field_name="unit_value_eur", lookup_expr="lte")

    class Meta:
        model = Item
        fields = ["category"]


class CapabilityForm(ServiceForm):
    class Meta:
        model = Capability
        fields = ["name", "coalition", "description"]


class CapabilityFilter(SearchFilterSet):
    class Meta:
        model = Capability
        fields = ["coalition"]
