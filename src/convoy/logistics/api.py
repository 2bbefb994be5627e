from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
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
from convoy.core.errors import DomainError
from convoy.core.registry import require_addable

from . import services
from .forms import ConsignmentFilter
from .models import (
    Consignment,
    ConsignmentLine,
    Leg,
    Node,
    RoutingPlan,
    RoutingPlanRow,
    TrackingEvent,
)
from .views import CONSIGNMENT, LEG, NODE, ROUTING_PLAN


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


class SplitSerializer(serializers.Serializer):
    quantities = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=2, max_length=500
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ConsignmentViewSet(SpecViewSet):
    """Consignments. The donor (or command staff) creates one by hand from allocated units and
    dispatches it; hub operators record arrivals and departures at their nodes; the receiving
    nation (or command staff) records the hand-over and the receipt, with discrepancies. Every
    step keeps ``shipped = received + short + damaged + lost + in transit`` per line. DELETE
    cancels a consignment that has not left."""

    spec = CONSIGNMENT
    serializer_class = ConsignmentSerializer
    filterset_class = ConsignmentFilter  # the list page's: ?status= and ?donor= repeat
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

    @extend_schema(request=SplitSerializer, responses={201: ConsignmentSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="split", url_name="split")
    def split(self, request: Request, pk: Any = None) -> Response:
        """Split a planned consignment into parts (units, in order): it keeps the first part and
        a new planned consignment takes each other part; lines are shared out in order."""
        c = self.get_object()
        s = SplitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with self._precondition():
            parts = services.consignment_split(
                actor=request.user, consignment=c, **s.validated_data
            )
        return Response(self.get_serializer(parts, many=True).data, status=status.HTTP_201_CREATED)

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


class RoutingPlanSerializer(serializers.ModelSerializer):
    job = serializers.SerializerMethodField()

    class Meta:
        model = RoutingPlan
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "parameters",
            "inputs",
            "objective",
            "timings",
            "error",
            "job",
            "created_at",
            "approved_at",
            "version",
        ]
        read_only_fields = fields

    def get_job(self, obj: RoutingPlan) -> dict[str, Any] | None:
        job = obj.job
        if job is None:
            return None
        return {"status": job.status, "progress": job.progress, "message": job.message}


class RoutingPlanRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoutingPlanRow
        fields = [
            "consignment",
            "part",
            "quantity",
            "legs",
            "departures",
            "arrives_on",
            "days_late",
            "undelivered",
        ]


class RoutingRunSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="")
    horizon_days = serializers.IntegerField(required=False)
    time_limit = serializers.IntegerField(required=False)


class RoutingPlanViewSet(SpecViewSet):
    """Routing plans (command staff). POST queues a run (202 with the job); poll until
    ``ready``; ``routes/`` lists the proposals; ``approve`` sets the consignments' routes;
    ``compare/?a=&b=`` puts two plans side by side."""

    spec = ROUTING_PLAN
    serializer_class = RoutingPlanSerializer
    filterset_fields = ["status"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=RoutingRunSerializer, responses={202: RoutingPlanSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from . import routing_plans

        routing_plans.require_planner(request.user)
        s = RoutingRunSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        plan = routing_plans.routing_request(
            actor=request.user, title=data.pop("title", ""), parameters=data
        )
        routing_plans.routing_enqueue(plan)
        response = Response(self.get_serializer(plan).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = f"/api/routing-plans/{plan.pk}/"
        return response

    approve = lifecycle_action(
        "approve",
        doc="Set every consignment's route, splitting those the plan splits (command nation).",
        request=ReasonSerializer,
        response=RoutingPlanSerializer,
    )

    @extend_schema(responses=RoutingPlanRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="routes", url_name="routes")
    def routes(self, request: Request, pk: Any = None) -> Response:
        """The proposed routes, part by part."""
        plan = self.get_object()
        page = self.paginate_queryset(plan.rows.all())
        return self.get_paginated_response(RoutingPlanRowSerializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("a", int, required=True),
            OpenApiParameter("b", int, required=True),
        ],
        responses=inline_serializer(
            "RoutingCompare",
            {
                "objective": serializers.ListField(child=serializers.DictField()),
                "differences": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=False, methods=["get"], url_path="compare", url_name="compare")
    def compare(self, request: Request) -> Response:
        """Two plans side by side: objectives and the consignments routed differently."""
        from .views import routing_compare

        try:
            a_id, b_id = int(request.query_params["a"]), int(request.query_params["b"])
        except (KeyError, ValueError) as exc:
            raise DomainError("Give two plan ids as ?a=&b=.", field="a") from exc
        plans = []
        for pk in (a_id, b_id):
            self.kwargs["pk"] = pk
            plans.append(self.get_object())  # an invisible one: 404, and the refusal noted
        result = routing_compare(plans[0], plans[1], request.user)
        for row in result["differences"]:
            for key in ("a", "b"):
                if row[key] is not None:
                    arrives, late, undelivered = row[key]
                    row[key] = {
                        "arrives_on": arrives.isoformat() if arrives else None,
                        "days_late": late,
                        "undelivered": undelivered,
                    }
        return Response(result)
