"""Background tasks (Django's tasks framework; `convoy db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_allocation_plan(plan_id: int) -> int:
    """Compute a queued allocation plan; returns the plan's id."""
    from .services import plan_compute

    return plan_compute(plan_id=plan_id).pk
