from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from convoy.core.api import ServiceSerializer, SpecViewSet

from . import services
from .models import Capability, CapabilityComponent, Category, Item
from .nsn import normalise_nsn
from .views import CAPABILITY, CATEGORY, ITEM


class CategorySerializer(ServiceSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "version"]
        read_only_fields = ["version"]


class ItemSerializer(ServiceSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())

    class Meta:
        model = Item
        fields = [
            "id",
            "name",
            "category",
            "unit",
            "unit_value_eur",
            "nsn",
            "description",
            "substitutes",
            "consumes",
            "version",
        ]
        read_only_fields = ["version"]

    def validate_nsn(self, value: str) -> str:
        if not value:
            return value
        from django.core.exceptions import ValidationError

        try:
            return normalise_nsn(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class ComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CapabilityComponent
        fields = ["item", "quantity"]


class CapabilitySerializer(ServiceSerializer):
    components = ComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Capability
        fields = ["id", "name", "coalition", "description", "components", "version"]
        read_only_fields = ["version"]


class ComponentInputSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=Item.objects.all())
    quantity = serializers.IntegerField(min_value=0)


class CategoryViewSet(SpecViewSet):
    spec = CATEGORY
    serializer_class = CategorySerializer


class ItemViewSet(SpecViewSet):
    spec = ITEM
    serializer_class = ItemSerializer
    filterset_fields = ["category", "category__code", "nsn"]


class CapabilityViewSet(SpecViewSet):
    spec = CAPABILITY
    serializer_class = CapabilitySerializer
    filterset_fields = ["coalition"]

    @extend_schema(request=ComponentInputSerializer, responses=CapabilitySerializer)
    @action(detail=True, methods=["post"], url_path="set-component")
    def set_component(self, request: Request, pk: Any = None) -> Response:
        """Set how many of an item one unit of the capability needs (0 removes it)."""
        cap = self.get_object()
        s = ComponentInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        cap = services.capability_set_component(
            actor=request.user,
            capability=cap,
            item=s.validated_data["item"],
            quantity=s.validated_data["quantity"],
        )
        return Response(CapabilitySerializer(cap, context={"request": request}).data)
