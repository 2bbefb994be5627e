from __future__ import annotations

from typing import Any

from rest_framework import serializers

from convoy.catalog.models import Category
from convoy.core.api import (
    NationCodeField,
    ReasonSerializer,
    ServiceSerializer,
    SpecViewSet,
    lifecycle_action,
)

from .models import Requirement
from .views import REQUIREMENT


class RequirementSerializer(ServiceSerializer):
    owner = NationCodeField(required=False, allow_null=True)
    released_to = NationCodeField(many=True, required=False)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), required=False, allow_null=True
    )
    needed_by = serializers.DateField(input_formats=["iso-8601"])

    class Meta:
        model = Requirement
        fields = [
            "id",
            "reference",
            "title",
            "item",
            "category",
            "quantity",
            "priority",
            "needed_by",
            "destination",
            "capability",
            "status",
            "notes",
            "owner",
            "released_to",
            "released_to_coalitions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["reference", "status", "version", "created_at", "updated_at"]
        extra_kwargs = {"quantity": {"min_value": 1}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        item = attrs.get("item", getattr(self.instance, "item", None))
        category = attrs.get("category", getattr(self.instance, "category", None))
        if bool(item) == bool(category):
            raise serializers.ValidationError(
                {"item": ["Give either an item or a category (one of them, not both)."]}
            )
        return attrs


def _transition(name: str, doc: str) -> Any:
    return lifecycle_action(name, doc=doc, request=ReasonSerializer, response=RequirementSerializer)


class RequirementViewSet(SpecViewSet):
    spec = REQUIREMENT
    serializer_class = RequirementSerializer
    filterset_fields = [
        "status",
        "priority",
        "item",
        "category",
        "destination",
        "capability",
        "owner",
    ]

    submit = _transition("submit", "draft -> submitted (owner nation's editors).")
    validate = _transition("validate", "submitted -> validated (command approvers).")
    return_to_draft = _transition("return_to_draft", "submitted -> draft, with a reason.")
    fulfil = _transition("fulfil", "validated -> fulfilled (command approvers).")
    cancel = _transition("cancel", "draft/submitted/validated -> cancelled, with a reason.")
