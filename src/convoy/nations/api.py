from __future__ import annotations

from convoy.core.api import NationCodeField, ServiceSerializer, SpecViewSet

from .models import Coalition, Nation, Organisation
from .views import COALITION, NATION, ORGANISATION


class NationSerializer(ServiceSerializer):
    class Meta:
        model = Nation
        fields = ["id", "code", "name", "kind", "version"]
        read_only_fields = ["version"]


class CoalitionSerializer(ServiceSerializer):
    lead_nations = NationCodeField(many=True)
    members = NationCodeField(many=True, required=False)

    class Meta:
        model = Coalition
        fields = ["id", "name", "area", "lead_nations", "members", "description", "version"]
        read_only_fields = ["version"]


class OrganisationSerializer(ServiceSerializer):
    nation = NationCodeField()

    class Meta:
        model = Organisation
        fields = ["id", "nation", "name", "kind", "version"]
        read_only_fields = ["version"]


class NationViewSet(SpecViewSet):
    spec = NATION
    serializer_class = NationSerializer
    filterset_fields = ["kind", "code"]


class CoalitionViewSet(SpecViewSet):
    spec = COALITION
    serializer_class = CoalitionSerializer
    filterset_fields = ["area"]


class OrganisationViewSet(SpecViewSet):
    spec = ORGANISATION
    serializer_class = OrganisationSerializer
    filterset_fields = ["kind", "nation"]
