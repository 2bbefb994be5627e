from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from convoy.core.api import NationCodeField, ServiceSerializer, SpecViewSet

from . import selectors, services
from .models import ApiToken, Coalition, Nation, Organisation
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


# --- personal API tokens -------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ApiToken.Status.choices, read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "status",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    days = serializers.IntegerField(
        min_value=1,
        max_value=settings.CONVOY_API_TOKEN_MAX_DAYS,
        default=settings.CONVOY_API_TOKEN_DEFAULT_DAYS,
        help_text="Days until the token expires (1 to 365; default 90).",
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text="The secret key. Shown this once only: store it now."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="Your API tokens", description="Your own tokens, newest first."),
    retrieve=extend_schema(summary="One of your API tokens"),
)
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Your personal API tokens: list, make (the key is in the answer, once), revoke.

    Tokens are made from a signed-in session; a request authenticated by a token may list and
    revoke but not make tokens. Someone else's token answers 404.
    """

    serializer_class = ApiTokenSerializer
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ApiToken]:
        return selectors.api_tokens_of(actor=self.request.user)

    def get_object(self) -> ApiToken:
        return selectors.api_token_or_404(
            self.get_queryset(), actor=self.request.user, pk=self.kwargs["pk"], action="view"
        )

    @extend_schema(
        summary="Make an API token",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        via = request.auth if isinstance(request.auth, ApiToken) else None
        token, key = services.api_token_create(
            actor=request.user,
            name=data.validated_data["name"],
            days=data.validated_data["days"],
            via_token=via,
        )
        body = dict(ApiTokenSerializer(token).data)
        body["key"] = key
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke an API token",
        request=RevokeSerializer,
        responses={200: ApiTokenSerializer},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        data = RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = selectors.api_token_or_404(
            selectors.api_tokens_revocable(actor=request.user),
            actor=request.user,
            pk=pk,
            action="change",
        )
        token = services.api_token_revoke(
            actor=request.user, token=token, reason=data.validated_data["reason"]
        )
        return Response(ApiTokenSerializer(token).data)
