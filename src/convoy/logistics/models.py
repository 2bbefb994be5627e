"""Places (depots, hubs, repair and training facilities, destinations, the command), the legs
between them, and consignments tracked along them to their receipt."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from convoy.core.models import OwnedModel, PlanRun, TimestampedModel


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


class Leg(TimestampedModel):
    """A link between two nodes: how long it takes and how much may leave on it per day."""

    class Mode(models.TextChoices):
        ROAD = "road", _("road")
        RAIL = "rail", _("rail")
        AIR = "air", _("air")
        SEA = "sea", _("sea")

    access_policy = "reference"

    origin = models.ForeignKey(
        Node, verbose_name=_("from"), on_delete=models.PROTECT, related_name="legs_out"
    )
    destination = models.ForeignKey(
        Node, verbose_name=_("to"), on_delete=models.PROTECT, related_name="legs_in"
    )
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.ROAD)
    transit_days = models.PositiveSmallIntegerField(
        _("transit days"), validators=[MinValueValidator(1)], default=1
    )
    daily_capacity = models.PositiveIntegerField(
        _("capacity (units/day)"), default=0, help_text=_("0 means no limit.")
    )
    km = models.PositiveIntegerField(_("distance (km)"), default=0)

    class Meta:
        ordering = ["origin__name", "destination__name", "mode"]
        verbose_name = _("leg")
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "destination", "mode"], name="leg_unique_per_mode"
            ),
            models.CheckConstraint(
                condition=~Q(origin=F("destination")), name="leg_between_two_nodes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination} ({self.get_mode_display()})"

    def clean(self) -> None:
        if self.origin_id and self.origin_id == self.destination_id:
            raise ValidationError({"destination": _("A leg links two different nodes.")})


class Consignment(OwnedModel):
    """Items moving from a depot to a destination, tracked event by event to their receipt.

    Quantities are kept per line: ``shipped = received + short + damaged + lost + in transit``,
    always (in transit is what is left, and is zero until dispatch).
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DISPATCHED = "dispatched", _("dispatched")
        AT_NODE = "at_node", _("at a node")
        HANDED_OVER = "handed_over", _("handed over")
        RECEIVED = "received", _("received")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    origin = models.ForeignKey(
        Node, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    destination = models.ForeignKey(
        Node, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    ready_on = models.DateField(_("ready on"))
    need_by = models.DateField(_("needed by"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=4, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    current_node = models.ForeignKey(
        Node,
        verbose_name=_("now at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-ready_on", "reference"]
        verbose_name = _("consignment")

    def __str__(self) -> str:
        return f"{self.reference} {self.origin} → {self.destination}"


class ConsignmentLine(TimestampedModel):
    """A quantity of one pledge line on a consignment, and what became of it."""

    access_policy = "child:consignment"

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="lines")
    pledge_line = models.ForeignKey(
        "pledges.PledgeLine",
        verbose_name=_("pledge line"),
        on_delete=models.PROTECT,
        related_name="consignment_lines",
    )
    allocation = models.ForeignKey(
        "planning.Allocation",
        verbose_name=_("allocation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consignment_lines",
    )
    quantity = models.PositiveIntegerField(_("shipped"), validators=[MinValueValidator(1)])
    received = models.PositiveIntegerField(_("received"), default=0)
    short = models.PositiveIntegerField(_("short"), default=0)
    damaged = models.PositiveIntegerField(_("damaged"), default=0)
    lost = models.PositiveIntegerField(_("lost"), default=0)

    class Meta:
        ordering = ["consignment", "id"]
        verbose_name = _("consignment line")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=F("received") + F("short") + F("damaged") + F("lost")),
                name="consignment_line_conserved",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.pledge_line.item}"

    @property
    def discrepancies(self) -> int:
        return self.short + self.damaged + self.lost

    @property
    def shipped(self) -> int:
        """What has left the depot: the line's quantity once dispatched, else nothing."""
        return 0 if self.consignment.status == Consignment.Status.PLANNED else self.quantity

    @property
    def in_transit(self) -> int:
        """Shipped and not yet received or written off (nothing before dispatch)."""
        if self.consignment.status == Consignment.Status.PLANNED:
            return 0
        return self.quantity - self.received - self.discrepancies


class TrackingEvent(TimestampedModel):
    """Something that happened to a consignment, where and when, and who said so."""

    class Kind(models.TextChoices):
        DISPATCHED = "dispatched", _("dispatched")
        ARRIVED = "arrived", _("arrived at node")
        DEPARTED = "departed", _("departed node")
        HANDED_OVER = "handed_over", _("handed over")
        RECEIVED = "received", _("received")

    access_policy = "child:consignment"

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("time"))
    node = models.ForeignKey(
        Node, verbose_name=_("node"), on_delete=models.PROTECT, related_name="+"
    )
    leg = models.ForeignKey(
        Leg,
        verbose_name=_("leg"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("tracking event")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.node} {self.occurred_at:%Y-%m-%d %H:%M}"


class RouteStep(TimestampedModel):
    """One leg of a consignment's planned route, with its planned days (set when a routing plan
    is approved, or by hand)."""

    access_policy = "child:consignment"

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="route")
    seq = models.PositiveSmallIntegerField(_("step"))
    leg = models.ForeignKey(Leg, verbose_name=_("leg"), on_delete=models.PROTECT, related_name="+")
    departs_on = models.DateField(_("departs on"))
    arrives_on = models.DateField(_("arrives on"))

    class Meta:
        ordering = ["consignment", "seq"]
        verbose_name = _("route step")
        constraints = [
            models.UniqueConstraint(fields=["consignment", "seq"], name="route_step_unique_seq"),
            models.CheckConstraint(
                condition=Q(arrives_on__gte=F("departs_on")), name="route_step_arrives_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.leg} {self.departs_on} → {self.arrives_on}"


class RoutingPlan(PlanRun):
    """A routing planner run: planned consignments scheduled over the network, for review."""

    class Meta(PlanRun.Meta):
        verbose_name = _("routing plan")


class RoutingPlanRow(models.Model):
    """One part of a consignment's proposed route: how many units, which legs on which days."""

    access_policy = "child:plan"

    plan = models.ForeignKey(RoutingPlan, on_delete=models.CASCADE, related_name="rows")
    consignment = models.ForeignKey(
        Consignment, verbose_name=_("consignment"), on_delete=models.CASCADE, related_name="+"
    )
    part = models.PositiveSmallIntegerField(_("part"), default=1)
    quantity = models.PositiveIntegerField(_("units"))
    legs = models.JSONField(_("legs"), default=list)  # leg ids, in order
    departures = models.JSONField(_("departures"), default=list)  # ISO days, one per leg
    arrives_on = models.DateField(_("arrives on"), null=True, blank=True)
    days_late = models.IntegerField(_("days late"), default=0)
    undelivered = models.PositiveIntegerField(_("undelivered units"), default=0)

    class Meta:
        ordering = ["plan", "consignment", "part"]
        verbose_name = _("proposed route")

    def __str__(self) -> str:
        return f"{self.consignment_id}/{self.part}: {self.quantity} units"
