"""Nations, their organisations, capability coalitions, and users' memberships."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from convoy.core.models import TimestampedModel

nation_code_validator = RegexValidator(
    r"^([A-Z]{3}|[A-Z]{4,8})$",
    _("Use an ISO 3166-1 alpha-3 code (e.g. DEU), or an upper-case pseudo-nation code (NSATU)."),
)


class Nation(TimestampedModel):
    class Kind(models.TextChoices):
        ALLY = "ally", _("NATO Ally")
        CONTRIBUTOR = "contributor", _("partner contributor")
        PARTNER = "partner", _("partner (recipient)")
        COMMAND = "command", _("command")

    access_policy = "reference"

    code = models.CharField(
        _("code"), max_length=8, unique=True, validators=[nation_code_validator]
    )
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ALLY)

    class Meta:
        ordering = ["code"]
        verbose_name = _("nation")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Coalition(TimestampedModel):
    """A capability coalition: nations around one capability, co-led by lead nations."""

    class Area(models.TextChoices):
        AIR_FORCE = "air_force", _("air force")
        ARMOUR = "armour", _("armour")
        ARTILLERY = "artillery", _("artillery")
        DEMINING = "demining", _("demining")
        DRONES = "drones", _("drones")
        IAMD = "iamd", _("integrated air and missile defence")
        IT = "it", _("IT")
        MARITIME = "maritime", _("maritime")

    access_policy = "reference"

    name = models.CharField(_("name"), max_length=120, unique=True)
    area = models.CharField(_("capability area"), max_length=16, choices=Area.choices)
    lead_nations = models.ManyToManyField(Nation, verbose_name=_("lead nations"), related_name="+")
    members = models.ManyToManyField(
        Nation, verbose_name=_("members"), related_name="coalitions", blank=True
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("coalition")

    def __str__(self) -> str:
        return self.name


class Organisation(TimestampedModel):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry")
        SERVICE = "service", _("armed service")
        DEPOT_OPERATOR = "depot_operator", _("depot operator")
        TRAINING_FACILITY = "training_facility", _("training facility")
        REPAIR_FACILITY = "repair_facility", _("repair facility")
        COMMAND = "command", _("command")
        OTHER = "other", _("other")

    access_policy = "national"

    nation = models.ForeignKey(Nation, verbose_name=_("nation"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["nation__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["nation", "name"], name="uniq_org_per_nation")
        ]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place: one nation, with roles, and the time zone pages are shown in."""

    access_policy = "reference"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="memberships")
    roles = models.JSONField(_("roles"), default=list)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} @ {self.nation.code} ({', '.join(self.roles)})"
