from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from convoy.core.access import restrict
from convoy.core.forms import DateInput, SearchFilterSet, ServiceForm
from convoy.nations.models import Nation
from convoy.pledges.models import PledgeLine

from .models import Consignment, Leg, Node, RoutingPlan, TrackingEvent


class NodeForm(ServiceForm):
    class Meta:
        model = Node
        fields = [
            "name",
            "kind",
            "nation",
            "organisation",
            "latitude",
            "longitude",
            "daily_capacity",
        ]


class NodeFilter(SearchFilterSet):
    class Meta:
        model = Node
        fields = ["kind", "nation"]


class LegForm(ServiceForm):
    class Meta:
        model = Leg
        fields = ["origin", "destination", "mode", "transit_days", "daily_capacity", "km"]


class LegFilter(SearchFilterSet):
    class Meta:
        model = Leg
        fields = ["mode", "origin", "destination"]


@extend_schema_field(OpenApiTypes.STR)  # a nation code, e.g. DEU; repeat it for several
class DonorFilter(django_filters.ModelMultipleChoiceFilter):
    """Owner nations by code (``?donor=DEU&donor=POL``)."""


class ConsignmentFilter(SearchFilterSet):
    """The consignment list's filters; a map flow links here with its layer's statuses and the
    map's donor and date filters (``?status=`` and ``?donor=`` repeat)."""

    status = django_filters.MultipleChoiceFilter(
        choices=Consignment.Status.choices,
        label=_("Status"),
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    donor = DonorFilter(
        field_name="owner__code",
        to_field_name="code",
        queryset=Nation.objects.order_by("code"),
        label=_("Donor"),
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    since = django_filters.DateFilter(
        field_name="ready_on",
        lookup_expr="gte",
        label=_("Ready from"),
        widget=DateInput(),
    )
    until = django_filters.DateFilter(
        field_name="ready_on",
        lookup_expr="lte",
        label=_("Ready until"),
        widget=DateInput(),
    )

    class Meta:
        model = Consignment
        fields = ["status", "origin", "destination", "priority", "donor", "since", "until"]


class SplitForm(forms.Form):
    """Parts of a planned consignment, in units: the first stays, each other one is new."""

    quantities = forms.CharField(
        label=_("parts (units, comma-separated)"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "40, 20, 10"}),
    )

    def clean_quantities(self) -> list[int]:
        raw = [p.strip() for p in self.cleaned_data["quantities"].replace(";", ",").split(",")]
        try:
            return [int(p) for p in raw if p]
        except ValueError:
            raise forms.ValidationError(_("Give whole units, separated by commas.")) from None


class TrackForm(forms.Form):
    """An arrival, a departure or a hand-over (the node is where it arrives)."""

    kind = forms.ChoiceField(
        label=_("event"),
        choices=[
            (TrackingEvent.Kind.ARRIVED, TrackingEvent.Kind.ARRIVED.label),
            (TrackingEvent.Kind.DEPARTED, TrackingEvent.Kind.DEPARTED.label),
            (TrackingEvent.Kind.HANDED_OVER, TrackingEvent.Kind.HANDED_OVER.label),
        ],
    )
    node = forms.ModelChoiceField(
        label=_("node (arrivals)"), queryset=Node.objects.all(), required=False
    )
    occurred_at = forms.DateTimeField(
        label=_("time (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class ReceiveForm(forms.Form):
    """One row of numbers per consignment line still in transit."""

    occurred_at = forms.DateTimeField(
        label=_("time (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    FIELDS = ("received", "short", "damaged", "lost")

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            for name in self.FIELDS:
                self.fields[f"{name}_{line.pk}"] = forms.IntegerField(
                    label=f"{name} ({line})", min_value=0, required=False
                )

    def counts(self) -> dict[int, dict[str, int]]:
        out = {}
        for line in self.lines:
            got = {n: self.cleaned_data.get(f"{n}_{line.pk}") or 0 for n in self.FIELDS}
            if any(got.values()):
                out[line.pk] = got
        return out

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"line": line, "fields": [self[f"{n}_{line.pk}"] for n in self.FIELDS]}
            for line in self.lines
        ]


class ConsignmentForm(ServiceForm):
    """A consignment by hand: allocated units of one pledge line, from its depot."""

    pledge_line = forms.ModelChoiceField(
        label=_("pledge line (allocated units)"), queryset=PledgeLine.objects.none()
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1)

    class Meta:
        model = Consignment
        fields = ["destination", "ready_on", "need_by", "priority", "notes"]

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        field = self.fields["pledge_line"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            restrict(PledgeLine.objects.all(), actor, "change")
            .filter(allocated__gt=0, source_depot__isnull=False)
            .select_related("pledge", "item")
        )
        self.order_fields(["pledge_line", "quantity", "destination", "ready_on", "need_by"])


class RoutingPlanFilter(SearchFilterSet):
    class Meta:
        model = RoutingPlan
        fields = ["status"]


class RoutingRunForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    horizon_days = forms.IntegerField(
        label=_("horizon (days)"), min_value=7, max_value=180, initial=60
    )
    time_limit = forms.IntegerField(
        label=_("time limit (s)"), min_value=1, max_value=120, initial=25
    )


class RoutingCompareForm(forms.Form):
    a = forms.ModelChoiceField(label=_("plan A"), queryset=RoutingPlan.objects.none())
    b = forms.ModelChoiceField(label=_("plan B"), queryset=RoutingPlan.objects.none())

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = restrict(RoutingPlan.objects.all(), actor, "view").exclude(
            status__in=[RoutingPlan.Status.QUEUED, RoutingPlan.Status.RUNNING]
        )
        for name in ("a", "b"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = visible
