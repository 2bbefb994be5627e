from __future__ import annotations

from convoy.core.forms import SearchFilterSet, ServiceForm

from .models import Node


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
