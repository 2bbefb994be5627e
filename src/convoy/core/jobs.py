"""Our Job rows: status, progress and a log for background work, shown in the UI.

The task queue (Django's tasks framework) runs the work; these services record what it does.
Creating, finishing and failing a job are audited; progress ticks are operational updates in
short transactions of their own, so that pages polling the job see them while it runs.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .audit import audit
from .models import Job


@transaction.atomic
def job_create(*, actor: Any, kind: str) -> Job:
    job = Job.objects.create(kind=kind, created_by=actor)
    audit(actor=actor, action="job.create", obj=job, after={"kind": kind})
    return job


def _log(job: Job, line: str) -> str:
    stamp = timezone.now().strftime("%H:%M:%S")
    return f"{job.log}{stamp} {line}\n"


def job_start(*, job: Job, message: str = "") -> None:
    job.status, job.progress, job.message = Job.Status.RUNNING, 1, message
    job.started_at = timezone.now()
    job.log = _log(job, f"started: {message}")
    job.save(update_fields=["status", "progress", "message", "started_at", "log", "updated_at"])


def job_progress(*, job: Job, progress: int, message: str = "") -> None:
    job.progress = max(0, min(99, int(progress)))
    job.message = message[:300]
    job.log = _log(job, f"{job.progress:3d}% {message}")
    job.save(update_fields=["progress", "message", "log", "updated_at"])


@transaction.atomic
def job_finish(*, job: Job, message: str = "") -> None:
    job.status, job.progress, job.message = Job.Status.SUCCEEDED, 100, message[:300]
    job.finished_at = timezone.now()
    job.log = _log(job, f"done: {message}")
    job.save()
    audit(actor=job.created_by, action="job.finish", obj=job, after={"message": message})


@transaction.atomic
def job_fail(*, job: Job, message: str) -> None:
    job.status, job.message = Job.Status.FAILED, message[:300]
    job.finished_at = timezone.now()
    job.log = _log(job, f"failed: {message}")
    job.save()
    audit(actor=job.created_by, action="job.fail", obj=job, after={"message": message})
