"""Nations, their organisations, capability coalitions, and users' memberships."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
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


class ApiToken(models.Model):
    """A user's key to the API. Only a SHA-256 hash of the key is stored: the key itself is shown
    once, when the token is made. A token expires (at most a year on) and can be revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED.value
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED.value
        return self.Status.ACTIVE.value

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)
