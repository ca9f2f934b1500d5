"""Evaluations of registry firms on versioned scoring rule sets, and what people do about them.

- `RuleSetSnapshot`: the exact text of a rule set file as it was scored (keyed by its SHA-256),
  so an evaluation can be reproduced after the file has changed or gone.
- `Evaluation`: one firm scored on one rule set version: the inputs used with their data
  source, expert picks with the picker, per-indicator input/band/points, dimension totals, the
  total, grade and credit line, the reasons, who and when. `computed_*` keep what the rule set
  gave; `grade` and `credit_line_fen` are what holds now (a human override may change them).
- `Override`: a human decision replacing the grade, always with a written reason (one that
  changes the credit line is decided under maker-checker).
- `Objection`: the enterprise disputes an evaluation with a reason and evidence; a reviewer
  answers within the 20-day clock of 征信业管理条例.
- `BatchRun`: one scoring of the whole registry (a background job), whose evaluations make the
  downloadable workbook.

Decimals are stored as text in the JSON snapshots (never float), money as integer fen.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patientcap.enterprises.models import Enterprise


class RuleSetSnapshot(models.Model):
    digest = models.CharField(_("SHA-256"), max_length=64, unique=True)
    ruleset_id = models.CharField(_("rule set"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    source_name = models.CharField(_("file"), max_length=200)
    text = models.TextField(_("rule set text"))
    stored_at = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        ordering = ["ruleset_id", "version"]
        verbose_name = _("rule set snapshot")
        verbose_name_plural = _("rule set snapshots")

    def __str__(self) -> str:
        return f"{self.ruleset_id} v{self.version} ({self.digest[:12]})"


class BatchRun(models.Model):
    ruleset_id = models.CharField(_("rule set"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    as_of = models.DateField(_("as of"))
    job = models.OneToOneField(
        "core.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    scored = models.PositiveIntegerField(_("firms scored"), default=0)
    engine = models.CharField(_("engine"), max_length=200, blank=True)  # in-process or Dask address

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("batch scoring")
        verbose_name_plural = _("batch scorings")

    def __str__(self) -> str:
        return f"batch #{self.pk} {self.ruleset_id} v{self.version} on {self.as_of}"


class Evaluation(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="evaluations")
    snapshot = models.ForeignKey(RuleSetSnapshot, on_delete=models.PROTECT, related_name="+")
    ruleset_id = models.CharField(_("rule set"), max_length=80)
    ruleset_version = models.CharField(_("version"), max_length=40)
    ruleset_digest = models.CharField(_("rule set SHA-256"), max_length=64)
    batch = models.ForeignKey(
        BatchRun, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations"
    )
    data_year = models.PositiveSmallIntegerField(_("figures of year"), null=True, blank=True)
    evaluated_on = models.DateField(_("evaluated on"))
    evaluated_at = models.DateTimeField(_("evaluated at"), auto_now_add=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # {field: "decimal text" | null}, {field: source label}, {indicator: {points, picker, reason}}
    inputs = models.JSONField(_("inputs"))
    sources = models.JSONField(_("data sources"))
    picks = models.JSONField(_("expert picks"), default=dict, blank=True)
    # [{key, dimension, value, band, points, max, source, picker}], [[dimension, points]]
    indicators = models.JSONField(_("indicators"))
    dimensions = models.JSONField(_("dimensions"))
    # [{code, indicator, lost, zh, en}]
    reasons = models.JSONField(_("reasons"))
    raw_total = models.DecimalField(_("raw total"), max_digits=12, decimal_places=4)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    passed = models.BooleanField(_("passes the gates"))
    directly_qualified = models.BooleanField(_("directly qualified"))
    computed_grade = models.CharField(_("computed grade"), max_length=10)
    computed_credit_line_fen = models.BigIntegerField(_("computed credit line"))
    grade = models.CharField(_("grade"), max_length=10)
    credit_line_fen = models.BigIntegerField(_("credit line"))

    class Meta:
        ordering = ["-evaluated_on", "-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        indexes = [
            models.Index(
                fields=["enterprise", "ruleset_id", "-evaluated_on", "-id"], name="eval_latest"
            ),
            models.Index(fields=["ruleset_id", "evaluated_on"], name="eval_ruleset_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_line_fen__gte=0, computed_credit_line_fen__gte=0),
                name="eval_credit_line_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ruleset_id} v{self.ruleset_version} #{self.enterprise_id}: {self.grade}"

    @property
    def overridden(self) -> bool:
        return (self.grade, self.credit_line_fen) != (
            self.computed_grade,
            self.computed_credit_line_fen,
        )


class Override(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="overrides")
    previous_grade = models.CharField(_("previous grade"), max_length=10)
    previous_credit_line_fen = models.BigIntegerField(_("previous credit line"))
    grade = models.CharField(_("grade"), max_length=10)
    credit_line_fen = models.BigIntegerField(_("credit line"))
    reason = models.TextField(_("reason"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposal = models.ForeignKey(
        "approvals.Proposal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="override_needs_reason"),
        ]

    def __str__(self) -> str:
        return f"override of evaluation #{self.evaluation_id}: {self.previous_grade} → {self.grade}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Objection(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="objections")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due by"))
    clock_rule = models.CharField(_("clock rule"), max_length=200)
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence"))
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_on", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason="") & ~Q(evidence=""), name="objection_reason_and_evidence"
            ),
            models.CheckConstraint(
                condition=Q(status=ObjectionStatus.OPEN) | ~Q(decision=""),
                name="objection_decision_written",
            ),
        ]

    def __str__(self) -> str:
        return f"objection #{self.pk} to evaluation #{self.evaluation_id} ({self.status})"
