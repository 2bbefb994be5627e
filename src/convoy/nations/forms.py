from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

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


class ApiTokenForm(forms.Form):
    """Make a personal API token: a name and how many days it lives."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, e.g. “nightly export script”."),
    )
    days = forms.IntegerField(
        label=_("Expires in (days)"),
        min_value=1,
        max_value=settings.CONVOY_API_TOKEN_MAX_DAYS,
        initial=settings.CONVOY_API_TOKEN_DEFAULT_DAYS,
        help_text=_("1 to 365 days."),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)
