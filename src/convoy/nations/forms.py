from __future__ import annotations

import django_filters

from convoy.core.forms import SearchFilterSet, ServiceForm

from .models import Coalition, Nation, Organisation


class NationForm(ServiceForm):
    class Meta:
        model = Nation
        fields = ["code", "name", "kind"]


class NationFilter(SearchFilterSet):
    class Meta:
        model = Nation
        fields = ["kind"]


class CoalitionForm(ServiceForm):
    class Meta:
        model = Coalition
        fields = ["name", "area", "lead_nations", "members", "description"]


class CoalitionFilter(SearchFilterSet):
    member = django_filters.ModelChoiceFilter(
        field_name="members", queryset=Nation.objects.all(), label="Member"
    )

    class Meta:
        model = Coalition
        fields = ["area"]


class OrganisationForm(ServiceForm):
    class Meta:
        model = Organisation
        fields = ["nation", "name", "kind"]


class OrganisationFilter(SearchFilterSet):
    class Meta:
        model = Organisation
        fields = ["nation", "kind"]
