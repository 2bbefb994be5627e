from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from convoy.core.api import (
    NationCodeField,
    ReasonSerializer,
    ServiceSerializer,
    SpecViewSet,
    lifecycle_action,
    with_etag,
)
from convoy.core.registry import require_addable

from . import services
from .models import Consignment, ConsignmentLine, Leg, Node, TrackingEvent
from .views import CONSIGNMENT, LEG, NODE


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


class LegSerializer(ServiceSerializer):
    class Meta:
        model = Leg
        fields = [
            "id",
            "origin",
            "destination",
            "mode",
            "transit_days",
            "daily_capacity",
            "km",
            "version",
        ]
        read_only_fields = ["version"]


class LegViewSet(SpecViewSet):
    """Legs between nodes (shared reference data: command staff change them)."""

    spec = LEG
    serializer_class = LegSerializer
    filterset_fields = ["mode", "origin", "destination"]


class ConsignmentLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="pledge_line.item.name", read_only=True)
    in_transit = serializers.IntegerField(read_only=True)

    class Meta:
        model = ConsignmentLine
        fields = [
            "id",
            "pledge_line",
            "allocation",
            "item",
            "quantity",
            "received",
            "short",
            "damaged",
            "lost",
            "in_transit",
        ]


class TrackingEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)

    class Meta:
        model = TrackingEvent
        fields = ["id", "kind", "occurred_at", "node", "leg", "actor", "note"]


class ConsignmentSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.code", read_only=True)
    lines = ConsignmentLineSerializer(many=True, read_only=True)
    events = TrackingEventSerializer(many=True, read_only=True)

    class Meta:
        model = Consignment
        fields = [
            "id",
            "reference",
            "owner",
            "origin",
            "destination",
            "ready_on",
            "need_by",
            "priority",
            "status",
            "current_node",
            "dispatched_at",
            "received_at",
            "notes",
            "lines",
            "events",
            "version",
        ]
        read_only_fields = fields


class NewLineSerializer(serializers.Serializer):
    pledge_line = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1)


class NewConsignmentSerializer(serializers.Serializer):
    origin = serializers.PrimaryKeyRelatedField(queryset=Node.objects.all())
    destination = serializers.PrimaryKeyRelatedField(queryset=Node.objects.all())
    ready_on = serializers.DateField()
    need_by = serializers.DateField(required=False, allow_null=True)
    priority = serializers.IntegerField(min_value=1, max_value=4, required=False, default=4)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    lines = NewLineSerializer(many=True)


class TrackSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[TrackingEvent.Kind.ARRIVED, TrackingEvent.Kind.DEPARTED, "handed_over"]
    )
    node = serializers.PrimaryKeyRelatedField(
        queryset=Node.objects.all(), required=False, allow_null=True
    )
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReceiptLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    received = serializers.IntegerField(min_value=0, default=0)
    short = serializers.IntegerField(min_value=0, default=0)
    damaged = serializers.IntegerField(min_value=0, default=0)
    lost = serializers.IntegerField(min_value=0, default=0)


class ReceiptSerializer(serializers.Serializer):
    lines = ReceiptLineSerializer(many=True)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConsignmentViewSet(SpecViewSet):
    """Consignments. The donor (or command staff) creates one by hand from allocated units and
    dispatches it; hub operators record arrivals and departures at their nodes; the receiving
    nation (or command staff) records the hand-over and the receipt, with discrepancies. Every
    step keeps ``shipped = received + short + damaged + lost + in transit`` per line. DELETE
    cancels a consignment that has not left."""

    spec = CONSIGNMENT
    serializer_class = ConsignmentSerializer
    filterset_fields = ["status", "origin", "destination", "priority"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("lines__pledge_line__item", "events")

    @extend_schema(request=NewConsignmentSerializer, responses={201: ConsignmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_addable(self.spec, request.user)
        s = NewConsignmentSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        c = services.consignment_create(actor=request.user, data=dict(s.validated_data))
        return Response(self.get_serializer(c).data, status=status.HTTP_201_CREATED)

    dispatch_consignment = lifecycle_action(
        "dispatch",
        doc="It leaves its depot: the lines' units go from allocated to in transit.",
        request=ReasonSerializer,
        response=ConsignmentSerializer,
        attr="dispatch_consignment",
    )

    @extend_schema(request=TrackSerializer, responses=ConsignmentSerializer)
    @action(detail=True, methods=["post"], url_path="track", url_name="track")
    def track(self, request: Request, pk: Any = None) -> Response:
        """Record an arrival at a node (over an existing leg), a departure or the hand-over."""
        c = self.get_object()
        s = TrackSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with self._precondition():
            c = services.consignment_track(actor=request.user, consignment=c, **s.validated_data)
        return with_etag(Response(self.get_serializer(c).data))

    @extend_schema(request=ReceiptSerializer, responses=ConsignmentSerializer)
    @action(detail=True, methods=["post"], url_path="receive", url_name="receive")
    def receive(self, request: Request, pk: Any = None) -> Response:
        """A receipt, whole or partial: per line, received, short, damaged and lost units."""
        c = self.get_object()
        s = ReceiptSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        lines = {row.pop("line"): row for row in s.validated_data["lines"]}
        with self._precondition():
            c = services.consignment_receive(
                actor=request.user,
                consignment=c,
                lines=lines,
                occurred_at=s.validated_data.get("occurred_at"),
                note=s.validated_data.get("note", ""),
            )
        return with_etag(Response(self.get_serializer(c).data))

    @extend_schema(request=None, responses={201: ConsignmentSerializer(many=True)})
    @action(
        detail=False,
        methods=["post"],
        url_path="from-allocations",
        url_name="from-allocations",
    )
    def from_allocations(self, request: Request) -> Response:
        """Command staff: consignments for every active allocation not yet consigned, grouped
        by donor, depot, destination and ready day."""
        made = services.consignments_from_allocations(actor=request.user)
        return Response(self.get_serializer(made, many=True).data, status=status.HTTP_201_CREATED)
