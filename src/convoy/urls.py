from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from convoy.catalog.api import CapabilityViewSet, CategoryViewSet, ItemViewSet
from convoy.catalog.urls import urlpatterns as catalog_urls
from convoy.core.auditlog import AuditEventViewSet
from convoy.core.rates import ExchangeRateViewSet
from convoy.core.views import registry_urls
from convoy.logistics.api import (
    ConsignmentViewSet,
    LegViewSet,
    NodeViewSet,
    RoutingPlanViewSet,
)
from convoy.logistics.urls import urlpatterns as logistics_urls
from convoy.nations.api import CoalitionViewSet, NationViewSet, OrganisationViewSet
from convoy.planning.api import AllocationViewSet, PlanViewSet
from convoy.planning.urls import urlpatterns as planning_urls
from convoy.pledges.api import PledgeLineViewSet, PledgeViewSet
from convoy.requirements.api import RequirementViewSet
from convoy.web import views as web

router = DefaultRouter()
router.register("nations", NationViewSet, basename="api-nation")
router.register("coalitions", CoalitionViewSet, basename="api-coalition")
router.register("organisations", OrganisationViewSet, basename="api-organisation")
router.register("categories", CategoryViewSet, basename="api-category")
router.register("items", ItemViewSet, basename="api-item")
router.register("capabilities", CapabilityViewSet, basename="api-capability")
router.register("nodes", NodeViewSet, basename="api-node")
router.register("legs", LegViewSet, basename="api-leg")
router.register("consignments", ConsignmentViewSet, basename="api-consignment")
router.register("routing-plans", RoutingPlanViewSet, basename="api-routingplan")
router.register("exchange-rates", ExchangeRateViewSet, basename="api-exchangerate")
router.register("requirements", RequirementViewSet, basename="api-requirement")
router.register("pledges", PledgeViewSet, basename="api-pledge")
router.register("pledge-lines", PledgeLineViewSet, basename="api-pledgeline")
router.register("audit-events", AuditEventViewSet, basename="api-auditevent")
router.register("plans", PlanViewSet, basename="api-plan")
router.register("allocations", AllocationViewSet, basename="api-allocation")

urlpatterns = [
    path("", web.dashboard, name="dashboard"),
    path("search/", web.search, name="search"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("convoy.nations.urls")),  # account/tokens/ and api/tokens/
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/dashboard/", web.dashboard_api, name="api-dashboard"),
    path("api/search/", web.search_api, name="api-search"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *catalog_urls,
    *planning_urls,
    *logistics_urls,
    *registry_urls(),
]
