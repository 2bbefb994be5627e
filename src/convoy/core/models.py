"""Base models: owned and releasable records, the audit trail, exchange rates."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    """Every editable record: creation and change times (UTC) and a version for concurrency."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class OwnedModel(TimestampedModel):
    """A record owned by a nation and released to other nations and coalitions."""

    access_policy = "owned"

    owner = models.ForeignKey(
        "nations.Nation",
        verbose_name=_("owner nation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_to = models.ManyToManyField(
        "nations.Nation",
        verbose_name=_("released to nations"),
        blank=True,
        related_name="+",
    )
    released_to_coalitions = models.ManyToManyField(
        "nations.Coalition",
        verbose_name=_("released to coalitions"),
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One write (or security event), appended in the transaction of the write. Never updated or
    deleted: on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002). Coordinators and
    admins search them; everyone sees the history of the records they can see."""

    occurred_at = models.DateTimeField(_("time"), db_index=True)  # stored in UTC
    # PROTECT: a user with events is deactivated, never deleted (deleting would rewrite events)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True, db_index=True)
    nation_code = models.CharField(_("nation"), max_length=8, blank=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    access_policy = "audit"

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} UTC {self.actor_username} {self.action}"


currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 currency code."))


class ExchangeRate(TimestampedModel):
    """How many EUR one unit of ``currency`` was worth on ``date`` (reference rate)."""

    access_policy = "reference"

    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    date = models.DateField(_("date"))
    eur_per_unit = models.DecimalField(
        _("EUR per unit"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="uniq_rate_per_day")
        ]
        verbose_name = _("exchange rate")

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.eur_per_unit} EUR ({self.date})"


class Job(TimestampedModel):
    """A background job of ours (the task queue runs it): status, progress and a log shown in
    the UI. Jobs are the command's work (plans): command members and coordinators see them."""

    access_policy = "command"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    log = models.TextField(_("log"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class PlanRun(TimestampedModel):
    """An optimiser run for review (allocation or routing): parameters, inputs snapshot,
    objective, timings, its job, and who ran and approved it (the command's own work)."""

    access_policy = "command"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        READY = "ready", _("ready for review")
        FAILED = "failed", _("failed")
        APPROVED = "approved", _("approved")
        SUPERSEDED = "superseded", _("superseded")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    inputs = models.JSONField(_("inputs snapshot"), default=dict, blank=True)
    objective = models.JSONField(_("objective"), default=dict, blank=True)
    timings = models.JSONField(_("timings (s)"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    job = models.ForeignKey(
        "core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
