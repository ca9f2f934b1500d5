"""Database rows of 科企梯度贷 (tiered loans): the application with its two due diligences, the
loan with its disbursements, schedule and repayments, its servicing events (classification,
restructuring, write-off), and the claim on a default with each party's share and recoveries.

Money is integer fen; rates are exact decimals. Every decision row stores the policy versions it
used (`policy_versions`: {parameter name: "name@from#digest"}), so a later policy change never
rewrites what an earlier decision applied.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.models import Organisation
from patientcap.domain.loans import Category, DayCount, Method
from patientcap.enterprises.models import Enterprise


class Tier(models.TextChoices):
    TECH_SME = "tech_sme", _("Tech enterprise")
    HIGH_TECH = "high_tech", _("High-tech enterprise")
    HIGH_GROWTH = "high_growth", _("High-growth tech enterprise")
    LEADER = "leader", _("Leading high-level enterprise")


TIER_ORDER = [Tier.TECH_SME, Tier.HIGH_TECH, Tier.HIGH_GROWTH, Tier.LEADER]

METHOD_CHOICES = [
    (Method.EQUAL_INSTALMENTS.value, _("Equal instalments")),
    (Method.EQUAL_PRINCIPAL.value, _("Equal principal")),
    (Method.INTEREST_ONLY_BULLET.value, _("Interest only, principal at maturity")),
]
DAY_COUNT_CHOICES = [(d.value, d.value) for d in DayCount]
CATEGORY_CHOICES = [
    (Category.NORMAL.value, _("Normal")),
    (Category.SPECIAL_MENTION.value, _("Special mention")),
    (Category.SUBSTANDARD.value, _("Substandard")),
    (Category.DOUBTFUL.value, _("Doubtful")),
    (Category.LOSS.value, _("Loss")),
]
NON_PERFORMING = (Category.SUBSTANDARD.value, Category.DOUBTFUL.value, Category.LOSS.value)


class ApplicationStatus(models.TextChoices):
    DILIGENCE = "diligence", _("In due diligence")
    READY = "ready", _("Awaiting the zone's approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    CONTRACTED = "contracted", _("Contracted")


class Application(models.Model):
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="tiered_applications"
    )
    bank = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="tiered_applications_as_bank"
    )
    guarantor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="tiered_applications_as_guarantor"
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    tier_basis = models.CharField(_("why this tier"), max_length=300)
    amount_fen = models.BigIntegerField(_("amount"))
    annual_rate = models.DecimalField(_("annual rate"), max_digits=8, decimal_places=6)
    tenor_months = models.PositiveSmallIntegerField(_("tenor (months)"))
    method = models.CharField(_("repayment method"), max_length=30, choices=METHOD_CHOICES)
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DILIGENCE,
    )
    applied_on = models.DateField(_("applied on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    policy_versions = models.JSONField(_("policy versions"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applied_on", "-pk"]
        verbose_name = _("tiered-loan application")
        verbose_name_plural = _("tiered-loan applications")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="tl_app_amount")]

    def __str__(self) -> str:
        return self.reference


class Party(models.TextChoices):
    BANK = "bank", _("Bank")
    GUARANTOR = "guarantor", _("Guarantor")
    POOL = "pool", _("Risk-compensation pool")


class DueDiligence(models.Model):
    """One side's due diligence of an application: the bank's and the guarantor's run in
    parallel, each recording its opinion once."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="diligence")
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    favourable = models.BooleanField(_("favourable"))
    opinion = models.TextField(_("opinion"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided on"))

    class Meta:
        ordering = ["party"]
        constraints = [
            models.UniqueConstraint(fields=["application", "party"], name="tl_dd_once_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.party}"


class LoanStatus(models.TextChoices):
    CONTRACTED = "contracted", _("Contracted, not yet disbursed")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    DEFAULTED = "defaulted", _("Defaulted")
    WRITTEN_OFF = "written_off", _("Written off")


class Loan(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="loan")
    contract_number = models.CharField(_("contract number"), max_length=60, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="tiered_loans"
    )
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    guarantor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    amount_fen = models.BigIntegerField(_("contracted amount"))
    annual_rate = models.DecimalField(_("annual rate"), max_digits=8, decimal_places=6)
    tenor_months = models.PositiveSmallIntegerField(_("tenor (months)"))
    method = models.CharField(_("repayment method"), max_length=30, choices=METHOD_CHOICES)
    day_count = models.CharField(_("day count"), max_length=20, choices=DAY_COUNT_CHOICES)
    guarantee_fee_percent = models.DecimalField(
        _("guarantee fee (% a year)"), max_digits=6, decimal_places=3
    )
    signed_on = models.DateField(_("signed on"))
    status = models.CharField(
        _("status"), max_length=20, choices=LoanStatus.choices, default=LoanStatus.CONTRACTED
    )
    # Servicing state as of `serviced_on` (refreshed by every servicing call).
    disbursed_fen = models.BigIntegerField(_("disbursed"), default=0)
    outstanding_fen = models.BigIntegerField(_("principal outstanding"), default=0)
    dpd = models.PositiveIntegerField(_("days past due"), default=0)
    category = models.CharField(
        _("classification"), max_length=20, choices=CATEGORY_CHOICES, default="normal"
    )
    flags = models.JSONField(_("early-warning flags"), default=list)
    serviced_on = models.DateField(_("serviced on"), null=True, blank=True)
    policy_versions = models.JSONField(_("policy versions"), default=dict)

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("tiered loan")
        verbose_name_plural = _("tiered loans")
        indexes = [models.Index(fields=["bank", "status"], name="tl_loan_bank_status")]

    def __str__(self) -> str:
        return self.contract_number


class Disbursement(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="disbursements")
    number = models.PositiveSmallIntegerField(_("number"))
    date = models.DateField(_("date"))
    amount_fen = models.BigIntegerField(_("amount"))
    first_due = models.DateField(_("first payment"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="tl_disb_number"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="tl_disb_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}#{self.number}"


class Instalment(models.Model):
    """One instalment of one disbursement's schedule, with what has been paid of it."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="instalments")
    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.CASCADE, related_name="instalments"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    due = models.DateField(_("due"))
    principal_fen = models.BigIntegerField(_("principal"))
    interest_fen = models.BigIntegerField(_("interest"))
    principal_paid_fen = models.BigIntegerField(default=0)
    interest_paid_fen = models.BigIntegerField(default=0)
    penalty_paid_fen = models.BigIntegerField(default=0)
    superseded = models.BooleanField(_("superseded by a restructuring"), default=False)

    class Meta:
        ordering = ["due", "disbursement__number", "number"]
        indexes = [models.Index(fields=["loan", "superseded", "due"], name="tl_inst_due")]

    def __str__(self) -> str:
        return f"{self.loan_id}:{self.disbursement_id}#{self.number}"


class Repayment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="repayments")
    date = models.DateField(_("date"))
    amount_fen = models.BigIntegerField(_("amount"))
    penalty_fen = models.BigIntegerField(_("penalty interest"))
    interest_fen = models.BigIntegerField(_("interest"))
    principal_fen = models.BigIntegerField(_("principal"))
    overpayment_fen = models.BigIntegerField(_("overpayment"), default=0)
    order = models.CharField(_("allocation order"), max_length=100)
    reference = models.CharField(_("bank reference"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    policy_versions = models.JSONField(_("policy versions"), default=dict)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="tl_rep_amount")]

    def __str__(self) -> str:
        return f"{self.loan_id}@{self.date}"


class EventKind(models.TextChoices):
    CONTRACTED = "contracted", _("Contract signed")
    DISBURSED = "disbursed", _("Disbursed")
    CLASSIFIED = "classified", _("Classification changed")
    RESTRUCTURED = "restructured", _("Restructured")
    WRITTEN_OFF = "written_off", _("Written off")
    DEFAULTED = "defaulted", _("Defaulted")
    CLOSED = "closed", _("Closed")


class LoanEvent(models.Model):
    """The loan's history: contract, disbursements, classification changes, restructuring,
    write-off, default and closure."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="events")
    date = models.DateField(_("date"))
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.loan_id}:{self.kind}@{self.date}"


class ClaimStatus(models.TextChoices):
    FILED = "filed", _("Filed, awaiting the zone's review")
    COMPENSATED = "compensated", _("Compensated")
    REJECTED = "rejected", _("Rejected")


class Claim(models.Model):
    """The bank's claim (代偿申请) on a defaulted loan: one per default."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="claims")
    default_on = models.DateField(_("default date"))
    filed_on = models.DateField(_("filed on"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dpd = models.PositiveIntegerField(_("days past due when filed"))
    principal_fen = models.BigIntegerField(_("overdue principal"))
    interest_fen = models.BigIntegerField(_("unpaid interest"))
    interest_days = models.PositiveIntegerField(_("days of unpaid interest"))
    loss_fen = models.BigIntegerField(_("loss shared"))
    statement = models.TextField(_("bank's statement"))
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.FILED
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    rule_versions = models.JSONField(_("rule versions"), default=dict)
    entry_ids = models.JSONField(_("ledger entries"), default=list)

    class Meta:
        ordering = ["-filed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "default_on"],
                condition=~Q(status="rejected"),
                name="tl_one_claim_per_default",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class ClaimShare(models.Model):
    """What one party bears of a compensated claim, and what it has recovered."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="shares")
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    share = models.DecimalField(_("share"), max_digits=12, decimal_places=10)
    amount_fen = models.BigIntegerField(_("loss borne"))
    recovered_fen = models.BigIntegerField(_("recovered"), default=0)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "party"], name="tl_share_once"),
            models.CheckConstraint(
                condition=Q(recovered_fen__lte=models.F("amount_fen")), name="tl_share_recovered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}:{self.party}"


class Recovery(models.Model):
    """Money recovered (追偿) on a compensated claim, shared back by the loss shares."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recoveries")
    date = models.DateField(_("date"))
    amount_fen = models.BigIntegerField(_("amount"))
    parts = models.JSONField(_("shared back"))  # {party: fen}
    source = models.CharField(_("source"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entry_ids = models.JSONField(_("ledger entries"), default=list)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="tl_rec_amount")]

    def __str__(self) -> str:
        return f"{self.claim_id}@{self.date}"
