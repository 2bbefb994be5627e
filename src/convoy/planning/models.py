"""Plans and allocations.

A *plan* is one run of the allocation planner: its parameters, a snapshot of its inputs, the
proposed allocations with their reasons, the requirements it leaves short with theirs, and its
objective. Approving a plan turns its proposals into *allocations* and moves the pledge lines'
quantities from accepted to allocated. Allocations can also be made by hand; manual and locked
allocations are kept by every later run.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from convoy.core.models import PlanRun, TimestampedModel


class Plan(PlanRun):
    """An allocation planner run."""

    summary = models.JSONField(_("summary"), default=dict, blank=True)
    solve_seconds = models.FloatField(_("solve time (s)"), null=True, blank=True)

    class Meta(PlanRun.Meta):
        verbose_name = _("plan")

    @property
    def covered_pct(self) -> Any:
        return (self.summary or {}).get("total", {}).get("after_pct")


class PlanRow(models.Model):
    """One proposed allocation of a plan, with the reason for it."""

    access_policy = "child:plan"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rows")
    pledge_line = models.ForeignKey(
        "pledges.PledgeLine", verbose_name=_("pledge line"), on_delete=models.CASCADE
    )
    requirement = models.ForeignKey(
        "requirements.Requirement", verbose_name=_("requirement"), on_delete=models.CASCADE
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    late = models.BooleanField(_("late"), default=False)
    substitute = models.BooleanField(_("substitute"), default=False)
    km = models.PositiveIntegerField(_("distance (km)"), default=0)
    kept = models.BooleanField(_("kept (manual or locked)"), default=False)
    reason = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "requirement__priority", "requirement_id", "pledge_line_id"]
        indexes = [models.Index(fields=["plan", "requirement"])]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.pledge_line_id} -> {self.requirement_id}"


class PlanGap(models.Model):
    """A requirement a plan leaves not fully covered on time, and why."""

    access_policy = "child:plan"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="gaps")
    requirement = models.ForeignKey(
        "requirements.Requirement", verbose_name=_("requirement"), on_delete=models.CASCADE
    )
    required = models.PositiveIntegerField(_("required"))
    covered = models.PositiveIntegerField(_("covered"))
    on_time = models.PositiveIntegerField(_("covered on time"))
    code = models.CharField(_("reason"), max_length=24)
    text = models.TextField(_("explanation"))

    class Meta:
        ordering = ["plan", "requirement__priority", "requirement_id"]

    def __str__(self) -> str:
        return f"{self.requirement_id}: {self.code}"


class Allocation(TimestampedModel):
    """A quantity of a pledge line assigned to a requirement (from a plan, or by hand)."""

    access_policy = "child:pledge_line"

    class Kind(models.TextChoices):
        PLANNED = "planned", _("planned")
        MANUAL = "manual", _("manual")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        RELEASED = "released", _("released")

    pledge_line = models.ForeignKey(
        "pledges.PledgeLine",
        verbose_name=_("pledge line"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    requirement = models.ForeignKey(
        "requirements.Requirement",
        verbose_name=_("requirement"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PLANNED)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Later plans keep a locked allocation.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    reason = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("allocation")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="allocation_qty_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x line {self.pledge_line_id} -> {self.requirement}"

    @property
    def kept(self) -> bool:
        """Kept by later plans: manual or locked."""
        return self.kind == self.Kind.MANUAL or self.locked
