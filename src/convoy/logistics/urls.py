from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path(
        "consignments/from-allocations/",
        views.consignments_from_allocations,
        name="consignments_from_allocations",
    ),
    path("consignments/<int:pk>/track/", views.consignment_track, name="consignment_track"),
    path("consignments/<int:pk>/receive/", views.consignment_receive, name="consignment_receive"),
    path("consignments/<int:pk>/waybill/", views.consignment_waybill, name="consignment_waybill"),
]
