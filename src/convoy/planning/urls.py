from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("plans/run/", views.plan_run, name="plan_run"),
    path("plans/compare/", views.plan_compare, name="plan_compare"),
    path("plans/<int:pk>/progress/", views.plan_progress, name="plan_progress"),
    path("plans/<int:pk>/allocations.csv", views.plan_rows_csv, name="plan_rows_csv"),
    path("plans/<int:pk>/gaps.csv", views.plan_gaps_csv, name="plan_gaps_csv"),
]
