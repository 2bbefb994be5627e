"""Donor nations' offers. A pledge has a kind; in-kind pledges have lines of items whose
quantities are tracked per state (offered, accepted, allocated, in transit, delivered, lost in
transit, withdrawn); the states of a line always add up to its pledged quantity. Units go in transit
and are delivered (or written off as short, damaged or lost) only through consignments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from convoy.core.models import OwnedModel, TimestampedModel, currency_validator

LINE_STATES = (
    "offered",
    "accepted",
    "allocated",
    "in_transit",
    "delivered",
    "lost",
    "withdrawn",
)
COMMITTED_STATES = ("accepted", "allocated", "in_transit", "delivered", "lost")


class Pledge(OwnedModel):
    class Kind(models.TextChoices):
        IN_KIND = "in_kind", _("in kind")
        FUNDING = "funding", _("funding")
        TRAINING = "training", _("training")
        SERVICE = "service", _("service")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.IN_KIND)
    pledged_on = models.DateField(_("pledged on"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-pledged_on", "reference"]
        verbose_name = _("pledge")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def donor(self) -> Any:
        return self.owner


class PledgeLine(TimestampedModel):
    access_policy = "child:pledge"

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="pledge_lines",
    )
    quantity = models.PositiveIntegerField(_("pledged quantity"), validators=[MinValueValidator(1)])
    offered = models.PositiveIntegerField(_("offered"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    allocated = models.PositiveIntegerField(_("allocated"), default=0)
    in_transit = models.PositiveIntegerField(_("in transit"), default=0)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    lost = models.PositiveIntegerField(
        _("lost in transit"), default=0, help_text=_("Short, damaged or lost on receipt.")
    )
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    available_from = models.DateField(_("available from"))
    source_depot = models.ForeignKey(
        "logistics.Node",
        verbose_name=_("source depot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledge_lines",
    )
    conditions = models.TextField(_("conditions"), blank=True)
    condition_capability = models.ForeignKey(
        "catalog.Capability",
        verbose_name=_("only for capability"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    condition_destinations = models.ManyToManyField(
        "logistics.Node", verbose_name=_("only to destinations"), blank=True, related_name="+"
    )
    stated_value = models.DecimalField(
        _("stated value"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    stated_currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[currency_validator]
    )

    class Meta:
        ordering = ["pledge", "id"]
        verbose_name = _("pledge line")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    quantity=F("offered")
                    + F("accepted")
                    + F("allocated")
                    + F("in_transit")
                    + F("delivered")
                    + F("lost")
                    + F("withdrawn")
                ),
                name="pledge_line_states_add_up",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="pledge_line_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item}"

    @property
    def committed(self) -> int:
        return self.accepted + self.allocated + self.in_transit + self.delivered + self.lost

    @property
    def state_counts(self) -> dict[str, int]:
        return {s: getattr(self, s) for s in LINE_STATES}
