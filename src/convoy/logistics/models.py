"""Places: depots, hubs, repair and training facilities, destinations, the command."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from convoy.core.models import TimestampedModel


class Node(TimestampedModel):
    class Kind(models.TextChoices):
        DEPOT = "depot", _("donor depot")
        HUB = "hub", _("logistic hub")
        REPAIR = "repair", _("repair facility")
        TRAINING = "training", _("training facility")
        DESTINATION = "destination", _("partner destination")
        COMMAND = "command", _("command")

    access_policy = "national"

    name = models.CharField(_("name"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    nation = models.ForeignKey(
        "nations.Nation", verbose_name=_("nation"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "nations.Organisation",
        verbose_name=_("operated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nodes",
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    daily_capacity = models.PositiveIntegerField(_("daily throughput (pallets/day)"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("node")

    def __str__(self) -> str:
        return self.name
