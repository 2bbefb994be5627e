from __future__ import annotations

from typing import Any

from rest_framework import serializers

from convoy.core.api import (
    NationCodeField,
    QuantitySerializer,
    ServiceSerializer,
    SpecViewSet,
    lifecycle_action,
)

from .models import LINE_STATES, Pledge, PledgeLine
from .views import PLEDGE, PLEDGE_LINE

STATE_FIELDS = list(LINE_STATES)


class PledgeLineSerializer(ServiceSerializer):
    available_from = serializers.DateField(input_formats=["iso-8601"])

    class Meta:
        model = PledgeLine
        fields = [
            "id",
            "pledge",
            "item",
            "quantity",
            *STATE_FIELDS,
            "available_from",
            "source_depot",
            "conditions",
            "condition_capability",
            "condition_destinations",
            "stated_value",
            "stated_currency",
            "version",
        ]
        read_only_fields = [*STATE_FIELDS, "version"]
        extra_kwargs = {"quantity": {"min_value": 1}}

    def validate_pledge(self, value: Pledge) -> Pledge:
        if self.instance is not None and value.pk != self.instance.pledge_id:
            raise serializers.ValidationError("A line cannot move to another pledge.")
        return value


class PledgeSerializer(ServiceSerializer):
    owner = NationCodeField(required=False, allow_null=True)
    released_to = NationCodeField(many=True, required=False)
    pledged_on = serializers.DateField(input_formats=["iso-8601"])
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Pledge
        fields = [
            "id",
            "reference",
            "title",
            "kind",
            "pledged_on",
            "notes",
            "owner",
            "released_to",
            "released_to_coalitions",
            "lines",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["reference", "version", "created_at", "updated_at"]

    def get_lines(self, obj: Pledge) -> list[int]:
        return [line.pk for line in obj.lines.all()]


class PledgeViewSet(SpecViewSet):
    spec = PLEDGE
    serializer_class = PledgeSerializer
    filterset_fields = ["kind", "owner"]

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("lines")


def _move(name: str, doc: str, attr: str = "") -> Any:
    return lifecycle_action(
        name, doc=doc, request=QuantitySerializer, response=PledgeLineSerializer, attr=attr
    )


class PledgeLineViewSet(SpecViewSet):
    spec = PLEDGE_LINE
    serializer_class = PledgeLineSerializer
    filterset_fields = ["pledge", "item", "source_depot"]

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        from . import services

        data = dict(serializer.validated_data)
        pledge = data.pop("pledge")
        serializer.instance = services.pledge_line_add(
            actor=self.request.user, pledge=pledge, data=data
        )

    accept = _move("accept", "offered -> accepted (command approvers): the pledge is committed.")
    allocate = _move("allocate", "accepted -> allocated (command approvers).")
    withdraw = _move("withdraw", "offered -> withdrawn (donor editors).")
    withdraw_accepted = _move("withdraw_accepted", "accepted -> withdrawn, with a reason.")
