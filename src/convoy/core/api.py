"""API bases: viewsets read through ``restrict`` and write through the model's services."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from .access import restrict
from .concurrency import etag, expecting, parse_if_match
from .errors import DomainError, Forbidden, problem
from .imports import import_rows, parse_csv
from .registry import ModelSpec, require_addable
from .security import note_refusal


class NationCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        from convoy.nations.models import Nation

        kwargs.setdefault("queryset", Nation.objects.all())
        super().__init__(slug_field="code", **kwargs)


class ServiceSerializer(serializers.ModelSerializer):
    """Validates input; the viewset hands ``validated_data`` to the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for f in self.fields.values():
            target: Any = getattr(f, "child_relation", f)
            qs = getattr(target, "queryset", None)
            if isinstance(qs, QuerySet) and not f.read_only:
                target.queryset = restrict(qs, user, "view")


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        'The ETag of your read (e.g. "v3"): the write is refused with 412 if the record changed '
        "since. Leave it out for an unconditional write."
    ),
)


class SpecViewSet(viewsets.ModelViewSet):
    """CRUD for one registry entry. Reads: ``restrict(user, "view")``; writes: services."""

    spec: ModelSpec
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        spec = self.spec
        qs = restrict(spec.model._default_manager.all(), self.request.user, "view")
        if spec.select_related:
            qs = qs.select_related(*spec.select_related)
        if spec.prefetch:
            qs = qs.prefetch_related(*spec.prefetch)
        return qs.order_by(*(spec.ordering or ["pk"]))

    @property
    def search_fields(self) -> list[str]:
        return self.spec.search_fields

    @property
    def ordering_fields(self) -> list[str]:
        return self.spec.sortable

    def get_object(self) -> Any:
        """The record from the visible queryset; an invisible one answers 404 (refusal noted)."""
        try:
            return super().get_object()
        except Http404:
            pk = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            note_refusal(self.request.user, self.spec.model, pk, "view")
            raise

    def _precondition(self) -> AbstractContextManager[None]:
        """This request's ``If-Match``, checked on the record when its service locks it (the
        record is not read here: the view reads it once, the service locks it)."""
        pk = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        version = parse_if_match(self.request.headers.get("If-Match"))
        return expecting(self.spec.model, pk, version)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # the right to add is checked before the input, so a refusal never looks like bad input
        require_addable(self.spec, request.user)
        return super().create(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return with_etag(super().retrieve(request, *args, **kwargs))

    @extend_schema(parameters=[IF_MATCH])
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with self._precondition():
            return with_etag(super().update(request, *args, **kwargs))

    @extend_schema(parameters=[IF_MATCH])
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with self._precondition():
            return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        if self.spec.create is None:
            raise Forbidden("not allowed")
        data = dict(serializer.validated_data)
        if "owner" in data and data["owner"] is None:
            data.pop("owner")
        serializer.instance = self.spec.create(actor=self.request.user, data=data)

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        assert self.spec.update is not None
        serializer.instance = self.spec.update(
            actor=self.request.user, obj=serializer.instance, data=dict(serializer.validated_data)
        )

    def perform_destroy(self, instance: Any) -> None:
        assert self.spec.delete is not None
        self.spec.delete(actor=self.request.user, obj=instance)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={
            201: inline_serializer(
                "ImportResult",
                {"created": serializers.IntegerField(), "ids": serializers.ListField()},
            ),
            400: OpenApiResponse(description="problem+json with errors by row and column"),
        },
        description="Import a CSV file (the add form's columns): every row or none.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_csv(self, request: Request) -> Response:
        require_addable(self.spec, request.user)
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("Send the CSV as the multipart field 'file'.", field="file")
        result = import_rows(self.spec, request.user, parse_csv(upload.read()))
        if not result.ok:
            return problem(
                400,
                "The file has problems; nothing was imported.",
                code="invalid",
                rows=[
                    {"row": e.row, "field": e.field, "message": str(e.message)}
                    for e in result.errors
                ],
            )
        return Response(
            {"created": len(result.created), "ids": [o.pk for o in result.created]},
            status=status.HTTP_201_CREATED,
        )

    def run_action(self, request: Request, name: str, **kwargs: Any) -> Response:
        obj = self.get_object()
        button = next(b for b in self.spec.actions if b.name == name)
        body = request.data if isinstance(request.data, dict) else {}
        quantity = body.get("quantity")
        if button.needs_quantity:
            s = QuantitySerializer(data=body)
            s.is_valid(raise_exception=True)
            quantity = s.validated_data["quantity"]
        with self._precondition():
            obj = button.run(
                actor=request.user, obj=obj, quantity=quantity, reason=str(body.get("reason", ""))
            )
        return with_etag(Response(self.get_serializer(obj).data))


def with_etag(response: Response) -> Response:
    """``ETag: "v<version>"`` on a single record's response; send it back as ``If-Match``."""
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("version"), int):
        response["ETag"] = etag(data["version"])
    return response


class QuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def lifecycle_action(name: str, *, doc: str, request: Any, response: Any, attr: str = "") -> Any:
    """A POST ``/{id}/<name>/`` action that runs the spec's button ``name``.

    DRF's ``@action`` records the function's name when it decorates, so the name is set first;
    ``attr`` names the attribute where ``name`` would shadow a viewset method (``dispatch``).
    """

    def view(self: SpecViewSet, request: Request, pk: Any = None) -> Response:
        return self.run_action(request, name)

    view.__name__ = view.__qualname__ = attr or name
    view.__doc__ = doc
    routed = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name)
    return extend_schema(request=request, responses=response, parameters=[IF_MATCH])(routed(view))
