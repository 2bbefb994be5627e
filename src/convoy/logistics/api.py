from __future__ import annotations

from convoy.core.api import NationCodeField, ServiceSerializer, SpecViewSet

from .models import Node
from .views import NODE


class NodeSerializer(ServiceSerializer):
    nation = NationCodeField()

    class Meta:
        model = Node
        fields = [
            "id",
            "name",
            "kind",
            "nation",
            "organisation",
            "latitude",
            "longitude",
            "daily_capacity",
            "version",
        ]
        read_only_fields = ["version"]


class NodeViewSet(SpecViewSet):
    spec = NODE
    serializer_class = NodeSerializer
    filterset_fields = ["kind", "nation", "nation__code"]
