from __future__ import annotations

from django.urls import path

from . import map as map_views
from . import views

urlpatterns = [
    path("routing-plans/run/", views.routing_plan_run, name="routing_plan_run"),
    path("routing-plans/compare/", views.routing_plan_compare, name="routing_plan_compare"),
    path(
        "routing-plans/<int:pk>/progress/",
        views.routing_plan_progress,
        name="routing_plan_progress",
    ),
    path("map/", map_views.map_page, name="map"),
    path("api/map/", map_views.map_api, name="api-map"),
    path("hub-load/", views.hub_load, name="hub_load"),
    path("api/hub-load/", views.hub_load_api, name="api-hub-load"),
    path(
        "consignments/from-allocations/",
        views.consignments_from_allocations,
        name="consignments_from_allocations",
    ),
    path("consignments/<int:pk>/track/", views.consignment_track, name="consignment_track"),
    path("consignments/<int:pk>/receive/", views.consignment_receive, name="consignment_receive"),
    path("consignments/<int:pk>/split/", views.consignment_split, name="consignment_split"),
    path("consignments/<int:pk>/waybill/", views.consignment_waybill, name="consignment_waybill"),
]
