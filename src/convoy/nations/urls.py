"""The account's API-token pages and the token API (``/api/tokens/``).

The token API has its own router: the main router in ``convoy.urls`` holds the registry's record
kinds (every registration there is a ``SpecViewSet`` with a model spec, as its tests expect).
"""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

router = SimpleRouter()
router.register("tokens", api.ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("account/tokens/", views.account_tokens, name="account_tokens"),
    path(
        "account/tokens/<int:pk>/revoke/", views.account_token_revoke, name="account_token_revoke"
    ),
    path("api/", include(router.urls)),
]
