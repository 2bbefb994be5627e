from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from convoy.core.access import restrict
from convoy.core.forms import DateInput, SearchFilterSet, ServiceForm

from .models import Pledge, PledgeLine


class PledgeForm(ServiceForm):
    class Meta:
        model = Pledge
        fields = [
            "title",
            "kind",
            "pledged_on",
            "notes",
            "owner",
            "released_to",
            "released_to_coalitions",
        ]


class PledgeFilter(SearchFilterSet):
    pledged_after = django_filters.DateFilter(
        field_name="pledged_on", lookup_expr="gte", label=_("Pledged from"), widget=DateInput()
    )
    pledged_before = django_filters.DateFilter(
        field_name="pledged_on", lookup_expr="lte", label=_("Pledged until"), widget=DateInput()
    )

    class Meta:
        model = Pledge
        fields = ["kind", "owner"]


class PledgeLineForm(ServiceForm):
    class Meta:
        model = PledgeLine
        fields = [
            "pledge",
            "item",
            "quantity",
            "available_from",
            "source_depot",
            "stated_value",
            "stated_currency",
            "conditions",
            "condition_capability",
            "condition_destinations",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # lines go on in-kind pledges the user may change
        pledge_field: Any = self.fields["pledge"]
        pledge_field.queryset = restrict(
            Pledge.objects.filter(kind=Pledge.Kind.IN_KIND), self.actor, "change"
        )
        if self.instance.pk:
            pledge_field.disabled = True


class PledgeLineFilter(SearchFilterSet):
    class Meta:
        model = PledgeLine
        fields = ["pledge", "item", "source_depot", "pledge__owner"]
