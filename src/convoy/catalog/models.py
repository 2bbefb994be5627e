"""The catalogue: categories, items with their compatibility, and capability packages."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from convoy.core.models import TimestampedModel

from .nsn import normalise_nsn, validate_nsn


class Category(TimestampedModel):
    access_policy = "reference"

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Item(TimestampedModel):
    access_policy = "reference"

    name = models.CharField(_("name"), max_length=160, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="items"
    )
    unit = models.CharField(_("unit of issue"), max_length=24, default="each")
    unit_value_eur = models.DecimalField(
        _("unit value (EUR)"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    nsn = models.CharField(
        _("NSN"), max_length=16, blank=True, validators=[validate_nsn], db_index=True
    )
    description = models.TextField(_("description"), blank=True)
    substitutes = models.ManyToManyField(
        "self",
        verbose_name=_("substitutes for"),
        symmetrical=False,
        blank=True,
        related_name="substituted_by",
        help_text=_("Items this item can stand in for."),
    )
    consumes = models.ManyToManyField(
        "self",
        verbose_name=_("consumes"),
        symmetrical=False,
        blank=True,
        related_name="consumed_by",
        help_text=_("Ammunition or spares this system needs."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("item")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.nsn:
            self.nsn = normalise_nsn(self.nsn)


class Capability(TimestampedModel):
    """A package that makes a force able to do something: systems, munitions, crews, support."""

    access_policy = "reference"

    name = models.CharField(_("name"), max_length=160, unique=True)
    coalition = models.ForeignKey(
        "nations.Coalition",
        verbose_name=_("coalition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="capabilities",
    )
    description = models.TextField(_("description"), blank=True)
    items = models.ManyToManyField(
        Item, through="CapabilityComponent", verbose_name=_("components"), blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return self.name


class CapabilityComponent(models.Model):
    access_policy = "child:capability"

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="components")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(
        _("quantity per unit"), validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["capability", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["capability", "item"], name="uniq_component")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item}"
