"""Background tasks (Django's tasks framework; `convoy db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_routing_plan(plan_id: int) -> int:
    """Compute a queued routing plan; returns the plan's id."""
    from .routing_plans import routing_compute

    return routing_compute(plan_id=plan_id).pk
