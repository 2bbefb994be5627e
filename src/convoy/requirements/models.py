"""The partner's needs: an item or a category, a quantity, a priority, a date and a place."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from convoy.core.models import OwnedModel


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("1 – critical")
    HIGH = 2, _("2 – high")
    MEDIUM = 3, _("3 – medium")
    ROUTINE = 4, _("4 – routine")


class Requirement(OwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        VALIDATED = "validated", _("validated")
        FULFILLED = "fulfilled", _("fulfilled")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requirements",
        help_text=_("For a need any item of the category can meet; leave empty with an item."),
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        choices=Priority.choices,
        default=Priority.MEDIUM,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    needed_by = models.DateField(_("needed by"))
    destination = models.ForeignKey(
        "logistics.Node",
        verbose_name=_("destination"),
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    capability = models.ForeignKey(
        "catalog.Capability",
        verbose_name=_("capability"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requirements",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["priority", "needed_by", "reference"]
        verbose_name = _("requirement")
        constraints = [
            models.CheckConstraint(
                condition=(Q(item__isnull=False, category__isnull=True))
                | (Q(item__isnull=True, category__isnull=False)),
                name="requirement_item_xor_category",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="requirement_qty_positive"),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="requirement_priority_1_4"
            ),
        ]
        indexes = [models.Index(fields=["status", "priority"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if bool(self.item_id) == bool(self.category_id):
            raise ValidationError(
                {"item": _("Give either an item or a category (one of them, not both).")}
            )
