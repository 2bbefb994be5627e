"""Plans and allocations in the API: run (202 + a job to poll), review, compare, approve."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from convoy.core.api import ReasonSerializer, ServiceSerializer, SpecViewSet, lifecycle_action
from convoy.core.errors import DomainError
from convoy.core.models import Job

from . import services
from .models import Allocation, Plan, PlanGap, PlanRow
from .views import ALLOCATION, PLAN, compare


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "message", "log", "started_at", "finished_at"]
        read_only_fields = fields


class PlanSerializer(ServiceSerializer):
    job = JobSerializer(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "parameters",
            "inputs",
            "objective",
            "summary",
            "timings",
            "solve_seconds",
            "error",
            "job",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "version",
        ]
        read_only_fields = fields


class PlanRunSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    km_per_day = serializers.FloatField(required=False, min_value=50, max_value=2000)
    handling_days = serializers.IntegerField(required=False, min_value=0, max_value=60)


class PlanRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanRow
        fields = [
            "pledge_line",
            "requirement",
            "quantity",
            "late",
            "substitute",
            "km",
            "kept",
            "reason",
        ]


class PlanGapSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanGap
        fields = ["requirement", "required", "covered", "on_time", "code", "text"]


class PlanViewSet(SpecViewSet):
    """Allocation plans (command staff). POST runs the planner in the background."""

    spec = PLAN
    serializer_class = PlanSerializer
    filterset_fields = ["status"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        request=PlanRunSerializer,
        responses={202: PlanSerializer},
        description=(
            "Queue an allocation run with optional parameters (road km per day, handling days). "
            "Answers 202 with the queued plan; poll it (or its job) until status is ready."
        ),
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.require_planner(request.user)
        s = PlanRunSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        plan = services.plan_request(
            actor=request.user, title=data.pop("title", ""), parameters=data
        )
        services.plan_enqueue(plan)
        response = Response(self.get_serializer(plan).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = f"/api/plans/{plan.pk}/"
        return response

    approve = lifecycle_action(
        "approve",
        doc="Apply a ready plan: create its allocations, move pledge-line quantities (command).",
        request=ReasonSerializer,
        response=PlanSerializer,
    )

    def _page(self, qs: Any, serializer: Any) -> Response:
        page = self.paginate_queryset(qs)
        data = serializer(page if page is not None else qs, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(responses=PlanRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="allocations", url_name="rows")
    def rows(self, request: Request, pk: Any = None) -> Response:
        """The plan's proposed allocations, with the reason for each."""
        plan = self.get_object()
        return self._page(PlanRow.objects.filter(plan=plan).order_by("id"), PlanRowSerializer)

    @extend_schema(responses=PlanGapSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="gaps", url_name="gaps")
    def gaps(self, request: Request, pk: Any = None) -> Response:
        """Requirements the plan leaves not fully covered on time, and why."""
        plan = self.get_object()
        return self._page(PlanGap.objects.filter(plan=plan).order_by("id"), PlanGapSerializer)

    @extend_schema(
        parameters=[
            OpenApiParameter("a", OpenApiTypes.INT, required=True),
            OpenApiParameter("b", OpenApiTypes.INT, required=True),
        ],
        responses=inline_serializer("PlanComparison", {"a": serializers.DictField()}),
    )
    @action(detail=False, methods=["get"], url_path="compare", url_name="compare")
    def compare(self, request: Request) -> Response:
        """Two plans side by side: objective levels and coverage by priority and category."""
        try:
            a_id, b_id = int(request.query_params["a"]), int(request.query_params["b"])
        except (KeyError, ValueError) as exc:
            raise DomainError("Give two plan ids as ?a=&b=.", field="a") from exc
        plans = {}
        for key, pk in (("a", a_id), ("b", b_id)):
            self.kwargs["pk"] = pk
            plans[key] = self.get_object()
        return Response(compare(plans["a"], plans["b"]))


class AllocationSerializer(ServiceSerializer):
    class Meta:
        model = Allocation
        fields = [
            "id",
            "pledge_line",
            "requirement",
            "quantity",
            "kind",
            "locked",
            "status",
            "plan",
            "reason",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["kind", "status", "plan", "version", "created_at", "updated_at"]
        extra_kwargs = {"quantity": {"min_value": 1}}


class AllocationViewSet(SpecViewSet):
    """Allocations. Donors see those of their own pledges; the command makes, locks, unlocks and
    releases them (POST makes a manual allocation, kept by every later plan)."""

    spec = ALLOCATION
    serializer_class = AllocationSerializer
    filterset_fields = ["status", "kind", "locked", "plan", "requirement", "pledge_line"]
    http_method_names = ["get", "post", "head", "options"]

    lock = lifecycle_action(
        "lock",
        doc="Keep this allocation in every later plan.",
        request=ReasonSerializer,
        response=AllocationSerializer,
    )
    unlock = lifecycle_action(
        "unlock",
        doc="Let later plans redo this allocation.",
        request=ReasonSerializer,
        response=AllocationSerializer,
    )
    release = lifecycle_action(
        "release",
        doc="Give the quantity back to the pledge line (reason required).",
        request=ReasonSerializer,
        response=AllocationSerializer,
    )
