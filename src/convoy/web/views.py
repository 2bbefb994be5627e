"""Dashboard, global search and the API's read-only summaries."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from convoy.core.access import restrict
from convoy.core.registry import REGISTRY
from convoy.core.views import search_q
from convoy.planning.selectors import coverage, donor_totals

SEARCH_LIMIT = 10


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    cov = coverage(actor=request.user)
    donors = donor_totals(actor=request.user)
    chart = {
        "priorities": [r.label for r in cov.by_priority],
        "committed": [float(r.committed) / 1e6 for r in cov.by_priority],
        "pledged": [float(r.pledged) / 1e6 for r in cov.by_priority],
        "unmet": [max(float(r.unmet), 0.0) / 1e6 for r in cov.by_priority],
        "donors": [d.code for d in donors[:15]],
        "donor_committed": [float(d.committed) / 1e6 for d in donors[:15]],
        "donor_pledged": [float(d.pledged) / 1e6 for d in donors[:15]],
    }
    return render(
        request,
        "web/dashboard.html",
        {"coverage": cov, "donors": donors, "chart": json.dumps(chart)},
    )


def search_results(user: Any, text: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Records matching ``text`` by name or code, across every registered model (restricted)."""
    groups: list[dict[str, Any]] = []
    if len(text.strip()) < 2:
        return groups
    for spec in REGISTRY.values():
        if not spec.searchable:
            continue
        qs = restrict(spec.model._default_manager.all(), user, "view").filter(search_q(spec, text))
        if spec.select_related:
            qs = qs.select_related(*spec.select_related)
        hits = list(qs.distinct()[: limit + 1])
        if hits:
            groups.append(
                {
                    "spec": spec,
                    "label": str(spec.verbose_plural),
                    "hits": [
                        {"obj": o, "url": reverse(f"{spec.key}_detail", args=[o.pk])}
                        for o in hits[:limit]
                    ],
                    "more": len(hits) > limit,
                    "list_url": reverse(f"{spec.key}_list") + "?" + urlencode({"q": text}),
                }
            )
    return groups


@login_required
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    groups = search_results(request.user, text)
    template = (
        "web/_search_results.html" if request.headers.get("HX-Request") else "web/search.html"
    )
    return render(request, template, {"q": text, "groups": groups})


@extend_schema(
    responses=inline_serializer(
        "Dashboard",
        {
            "coverage_by_priority": serializers.ListField(child=serializers.DictField()),
            "coverage_by_category": serializers.ListField(child=serializers.DictField()),
            "total": serializers.DictField(),
            "donors": serializers.ListField(child=serializers.DictField()),
        },
    )
)
@api_view(["GET"])
def dashboard_api(request: Request) -> Response:
    """Coverage by priority and category, and totals by donor, in EUR (what you may see)."""
    cov = coverage(actor=request.user)
    return Response(
        {
            "coverage_by_priority": [r.as_dict() for r in cov.by_priority],
            "coverage_by_category": [r.as_dict() for r in cov.by_category],
            "total": cov.total.as_dict(),
            "requirements_by_status": cov.statuses,
            "donors": [d.as_dict() for d in donor_totals(actor=request.user)],
        }
    )


@extend_schema(
    responses=inline_serializer(
        "SearchResults",
        {"results": serializers.ListField(child=serializers.DictField())},
    )
)
@api_view(["GET"])
def search_api(request: Request) -> Response:
    """Search records by name or code across the platform (``?q=``; what you may see)."""
    text = str(request.query_params.get("q", ""))
    out = []
    for g in search_results(request.user, text):
        for hit in g["hits"]:
            out.append(
                {
                    "type": g["spec"].key,
                    "id": hit["obj"].pk,
                    "label": str(hit["obj"]),
                    "url": hit["url"],
                }
            )
    return Response({"results": out})
