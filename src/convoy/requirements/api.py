from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from convoy.catalog.models import Category
from convoy.core.api import NationCodeField, ReasonSerializer, ServiceSerializer, SpecViewSet

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
    def view(self: RequirementViewSet, request: Request, pk: Any = None) -> Response:
        return self.run_action(request, name)

    # DRF's @action records the function's name: set it before decorating.
    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc
    decorate = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name)
    schema = extend_schema(request=ReasonSerializer, responses=RequirementSerializer)
    return schema(decorate(view))


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
