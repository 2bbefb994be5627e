from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from convoy.core.access import restrict
from convoy.core.forms import SearchFilterSet, ServiceForm
from convoy.pledges.models import PledgeLine
from convoy.requirements.models import Requirement

from .models import Allocation, Plan


class PlanFilter(SearchFilterSet):
    class Meta:
        model = Plan
        fields = ["status"]


class AllocationFilter(SearchFilterSet):
    class Meta:
        model = Allocation
        fields = ["status", "kind", "locked", "plan", "requirement", "pledge_line"]


class AllocationForm(ServiceForm):
    """A manual allocation (kept by every later plan)."""

    class Meta:
        model = Allocation
        fields = ["pledge_line", "requirement", "quantity", "locked", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.actor
        line_field: Any = self.fields["pledge_line"]
        line_field.queryset = restrict(PledgeLine.objects.all(), user, "approve").filter(
            accepted__gt=0
        )
        req_field: Any = self.fields["requirement"]
        req_field.queryset = restrict(Requirement.objects.all(), user, "view").filter(
            status=Requirement.Status.VALIDATED
        )


class RunForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    km_per_day = forms.FloatField(
        label=_("road km per day"), initial=500, min_value=50, max_value=2000
    )
    handling_days = forms.IntegerField(
        label=_("handling days per shipment"), initial=2, min_value=0, max_value=60
    )


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("plan A"))
    b = forms.IntegerField(label=_("plan B"))
