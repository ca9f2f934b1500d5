"""Database rows of the invest-first (先投(研)后股) programme.

A *project* is one firm's application for invest-first money. It moves through stages:
applied → under review → approved / rejected → agreement signed → disbursing → converted /
written off → exited. Reviewers attach scores and opinions; the committee decision, each
tranche's disbursement, the conversion, the write-off and the exit are made through maker-checker
(`actions.py`) and keep the proposal that authorised them. The agreement keeps its tranches,
milestones (with evidence uploads and every verdict, oldest first), conversion terms (variants
A–E of `domain.captable.Variant`), buyback terms and the loss tolerance with the policy version
in force when it was signed. Money is integer fen; ratios and rates are Decimal.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patientcap.enterprises.models import Enterprise

# The holder name of the zone's invest-first stakes on every cap table.
HOLDER = "财政先投后股资金"


class Stage(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SIGNED = "signed", _("Agreement signed")
    DISBURSING = "disbursing", _("Disbursing")
    CONVERTED = "converted", _("Converted")
    WRITTEN_OFF = "written_off", _("Written off")
    EXITED = "exited", _("Exited")


# Stages in which a project holds pool money that is neither written off nor exited.
OUTSTANDING = (Stage.DISBURSING, Stage.CONVERTED)
LIVE = (Stage.APPLIED, Stage.UNDER_REVIEW, Stage.APPROVED, Stage.SIGNED, Stage.DISBURSING)


class Variant(models.TextChoices):
    NEXT_ROUND = "A", _("A. Next market round, with a discount")
    AGREED_VALUATION = "B", _("B. Agreed valuation")
    FIXED_PERCENTAGE = "C", _("C. Fixed percentage")
    CAPPED = "D", _("D. Capped (lower of A and B)")
    NO_CONVERSION = "E", _("E. No conversion")


class ExitRoute(models.TextChoices):
    BUYBACK = "buyback", _("Buyback by founders or the company")
    SECONDARY = "secondary_sale", _("Sale in a later round")
    MERGER = "merger_acquisition", _("Merger or acquisition")
    IPO = "ipo", _("IPO")


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUBMITTED = "submitted", _("Evidence submitted")
    MET = "met", _("Met")
    FAILED = "failed", _("Failed")


class Project(models.Model):
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="invest_first_projects",
        verbose_name=_("enterprise"),
    )
    title = models.CharField(_("title"), max_length=200)
    plan = models.TextField(_("plan"))
    requested_fen = models.BigIntegerField(_("requested amount (fen)"))
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLIED, db_index=True
    )
    applied_on = models.DateField(_("applied on"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applied by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applied_on", "-pk"]
        verbose_name = _("invest-first project")
        verbose_name_plural = _("invest-first projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_fen__gt=0), name="investments_project_requested_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Review(models.Model):
    """A reviewer's manual score (0–100) and opinion; `evaluation_id` links an evaluation run
    of the evaluation app when the score came from a rule set."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    opinion = models.TextField(_("opinion"))
    evaluation_id = models.PositiveIntegerField(_("evaluation"), null=True, blank=True)
    reviewed_on = models.DateField(_("reviewed on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="investments_review_score"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.score}"


class Decision(models.Model):
    """The investment committee's decision, made by one person and checked by another."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="decision")
    approved = models.BooleanField(_("approved"))
    amount_fen = models.BigIntegerField(_("approved amount (fen)"), default=0)
    decided_on = models.DateField(_("decided on"))
    comment = models.TextField(_("comment"), blank=True)
    proposal_id = models.PositiveIntegerField(null=True, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.project_id}: {'approved' if self.approved else 'rejected'}"


class Agreement(models.Model):
    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="agreement")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    signed_on = models.DateField(_("signed on"))
    variant = models.CharField(_("conversion variant"), max_length=1, choices=Variant.choices)
    discount = models.DecimalField(_("discount"), max_digits=6, decimal_places=4, default=0)
    agreed_valuation_fen = models.BigIntegerField(
        _("agreed post-money valuation (fen)"), null=True, blank=True
    )
    fixed_fraction = models.DecimalField(
        _("fixed stake"), max_digits=10, decimal_places=8, null=True, blank=True
    )
    conversion_deadline = models.DateField(_("conversion deadline"))
    trigger_event = models.CharField(_("trigger event"), max_length=300, blank=True)
    buyback_rate = models.DecimalField(
        _("buyback interest rate"), max_digits=8, decimal_places=6, null=True, blank=True
    )
    buyback_floor_fen = models.BigIntegerField(_("buyback floor (fen)"), default=0)
    buyback_cap_fen = models.BigIntegerField(_("buyback cap (fen)"), null=True, blank=True)
    # The loss tolerance in force at signing and the policy version it came from (blank when the
    # agreement predates the parameter); a write-off applies the tolerance in force on its date.
    loss_tolerance = models.DecimalField(
        _("loss tolerance"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    policy_version = models.CharField(_("policy version"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="investments_agreement_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.amount_fen} fen"


class Tranche(models.Model):
    """A planned payment of the agreement and, once paid, its disbursement entry."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposal_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="investments_tranche_no"),
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="investments_tranche_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}#{self.number}: {self.amount_fen} fen"


class Milestone(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="milestones")
    number = models.PositiveSmallIntegerField(_("number"))
    what = models.CharField(_("what"), max_length=200)
    measure = models.CharField(_("measure"), max_length=200)
    target = models.CharField(_("target"), max_length=100)
    due_on = models.DateField(_("due on"))
    evidence_required = models.CharField(_("evidence required"), max_length=300)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PENDING,
    )

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="investments_milestone_no"
            ),
            models.UniqueConstraint(
                fields=["agreement", "what"], name="investments_milestone_what"
            ),
        ]

    def __str__(self) -> str:
        return self.what


class Evidence(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to="investments/evidence/%Y/%m/")
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField(_("submitted on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submitted_on", "pk"]

    def __str__(self) -> str:
        return self.file.name


class Verdict(models.Model):
    """A reviewer's verdict on a milestone's evidence; never edited, a later verdict supersedes."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="verdicts")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="verdicts")
    met = models.BooleanField(_("met"))
    comment = models.TextField(_("comment"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("given on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["given_on", "pk"]

    def __str__(self) -> str:
        return f"{self.milestone_id}: {'met' if self.met else 'not met'}"


class Conversion(models.Model):
    """The conversion to equity: the terms applied, shares and stake (exact), the rounding
    residue, the reclassification entry and the policy version in force."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="conversion")
    converted_on = models.DateField(_("converted on"))
    variant = models.CharField(_("variant"), max_length=1, choices=Variant.choices)
    trigger_occurred = models.BooleanField(_("trigger event occurred"), default=False)
    amount_fen = models.BigIntegerField(_("amount converted (fen)"))
    shares = models.BigIntegerField(_("shares"))
    price = models.DecimalField(
        _("price per share (fen)"), max_digits=30, decimal_places=10, null=True, blank=True
    )
    stake = models.DecimalField(_("stake"), max_digits=12, decimal_places=10)
    residue_fen = models.DecimalField(_("rounding residue (fen)"), max_digits=30, decimal_places=10)
    round_id = models.PositiveIntegerField(null=True, blank=True)
    terms = models.JSONField(_("terms"))
    policy_version = models.CharField(_("policy version"), max_length=200, blank=True)
    entry = models.ForeignKey("ledger.Entry", on_delete=models.PROTECT, related_name="+")
    proposal_id = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.project_id}: {self.shares} shares"


class DiligenceReview(models.Model):
    """The diligence review (尽职调查) a write-off rests on: what was checked and concluded."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="diligence")
    reviewed_on = models.DateField(_("reviewed on"))
    findings = models.TextField(_("findings"))
    duly_diligent = models.BooleanField(_("the team acted with due diligence"), default=True)
    recovered_fen = models.BigIntegerField(_("recoverable (fen)"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.reviewed_on}"


class WriteOff(models.Model):
    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="write_off")
    diligence = models.ForeignKey(DiligenceReview, on_delete=models.PROTECT, related_name="+")
    written_off_on = models.DateField(_("written off on"))
    disbursed_fen = models.BigIntegerField(_("disbursed (fen)"))
    recovered_fen = models.BigIntegerField(_("recovered (fen)"))
    loss_fen = models.BigIntegerField(_("loss (fen)"))
    loss_ratio = models.DecimalField(_("loss ratio"), max_digits=12, decimal_places=8)
    tolerance = models.DecimalField(_("loss tolerance"), max_digits=6, decimal_places=4)
    policy_version = models.CharField(_("policy version"), max_length=200)
    entry = models.ForeignKey("ledger.Entry", on_delete=models.PROTECT, related_name="+")
    proposal_id = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.project_id}: {self.loss_fen} fen"


class Exit(models.Model):
    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="exit")
    route = models.CharField(_("route"), max_length=30, choices=ExitRoute.choices)
    exited_on = models.DateField(_("exited on"))
    buyer = models.CharField(_("buyer"), max_length=200, blank=True)
    shares = models.BigIntegerField(_("shares sold"), null=True, blank=True)
    cost_fen = models.BigIntegerField(_("cost (fen)"))
    proceeds_fen = models.BigIntegerField(_("proceeds (fen)"))
    gain_fen = models.BigIntegerField(_("realised gain or loss (fen)"))
    multiple = models.DecimalField(_("multiple"), max_digits=16, decimal_places=8)
    terms = models.JSONField(_("terms"), default=dict)
    entry = models.ForeignKey("ledger.Entry", on_delete=models.PROTECT, related_name="+")
    proposal_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(proceeds_fen__gte=0), name="investments_exit_proceeds_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.route}"
