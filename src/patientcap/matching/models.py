"""Matched-credit (双融领创通) files: a firm's application to a bank for credit matched to the
public equity investment in it, the due-diligence package the bank reuses, the SLA clock's
pauses, the uploaded documents, and the history of every transition.

Amounts are integer fen. The limit is fixed at application with the policy versions it used;
the clock starts on the day due diligence is complete and its length is fixed then too.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.models import Organisation
from patientcap.enterprises.models import Enterprise


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("due diligence complete, under review")
    PAUSED = "paused", _("paused, awaiting documents")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    REFERRED = "referred", _("referred back")
    DISBURSED = "disbursed", _("disbursed")


# Files on which the bank still has something to do, and whose clock may be running.
OPEN = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.PAUSED, Status.APPROVED)
CLOCK_RUNNING = (Status.UNDER_REVIEW, Status.PAUSED, Status.APPROVED)


class RejectionReason(models.TextChoices):
    """The specific reasons a bank gives when it declines (with free text besides)."""

    REPAYMENT_CAPACITY = "repayment_capacity", _("insufficient repayment capacity")
    CASH_FLOW = "cash_flow", _("weak or unverifiable cash flow")
    CREDIT_RECORD = "credit_record", _("adverse credit record")
    DOCUMENTS = "documents", _("documents incomplete or inconsistent")
    GOVERNANCE = "governance", _("governance or related-party concerns")
    INDUSTRY = "industry", _("industry outside the bank's credit policy")
    CONCENTRATION = "concentration", _("exposure limits of the bank reached")
    OTHER = "other", _("other (see the note)")


class Application(models.Model):
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="matched_credit_applications",
        verbose_name=_("enterprise"),
    )
    bank = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="matched_credit_applications",
        verbose_name=_("bank"),
    )
    requested_fen = models.BigIntegerField(_("requested amount (fen)"))
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    applied_on = models.DateField(_("applied on"))
    # The limit at application, how it was reached and the policy versions it used.
    invest_first_fen = models.BigIntegerField(_("invest-first money (fen)"))
    angel_fen = models.BigIntegerField(_("angel fund investment (fen)"))
    invest_first_ratio = models.DecimalField(max_digits=6, decimal_places=3)
    angel_ratio = models.DecimalField(max_digits=6, decimal_places=3)
    limit_fen = models.BigIntegerField(_("matching limit (fen)"))
    policy_versions = models.JSONField(_("policy versions"), default=dict)
    qualifying_investments = models.JSONField(_("qualifying investments"), default=list)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    # The clock: started when due diligence was complete; its length fixed then.
    dd_completed_on = models.DateField(_("due diligence complete on"), null=True, blank=True)
    sla_days = models.PositiveSmallIntegerField(_("deadline (working days)"), null=True)
    sla_version = models.CharField(max_length=120, blank=True)

    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    approved_fen = models.BigIntegerField(_("approved amount (fen)"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    disbursed_fen = models.BigIntegerField(_("disbursed amount (fen)"), null=True, blank=True)
    loan_reference = models.CharField(_("loan contract number"), max_length=100, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applied_on", "-pk"]
        verbose_name = _("matched-credit application")
        verbose_name_plural = _("matched-credit applications")
        indexes = [models.Index(fields=["bank", "status"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested_fen__gt=0, requested_fen__lte=models.F("limit_fen")),
                name="matching_requested_within_limit",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_fen__isnull=True)
                | models.Q(approved_fen__gt=0, approved_fen__lte=models.F("limit_fen")),
                name="matching_approved_within_limit",
            ),
            models.CheckConstraint(
                condition=models.Q(disbursed_fen__isnull=True)
                | models.Q(disbursed_fen__gt=0, disbursed_fen__lte=models.F("approved_fen")),
                name="matching_disbursed_within_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.enterprise} → {self.bank}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def reason_labels(self) -> list[str]:
        return [str(RejectionReason(r).label) for r in self.reasons if r in RejectionReason.values]


class DiligencePackage(models.Model):
    """What the zone hands the bank when due diligence is complete: the zone's diligence report
    and investment agreement (from the investments app) and the evaluation results, as they
    stood that day (a snapshot, so the bank decides on what it was given)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="package"
    )
    items = models.JSONField(_("diligence documents"), default=list)
    evaluation = models.JSONField(_("evaluation results"), null=True, blank=True)
    summary = models.TextField(_("zone's summary"), blank=True)
    assembled_on = models.DateField(_("assembled on"))
    assembled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"package of #{self.application_id}"


class Document(models.Model):
    """A document uploaded to the file (by the firm, the zone or the bank)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Pause(models.Model):
    """The bank waits for documents from the firm: the clock stops from `started_on` until
    `ended_on` (working days in (started_on, ended_on] do not count)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField(_("paused on"))
    ended_on = models.DateField(_("resumed on"), null=True, blank=True)
    documents_requested = models.TextField(_("documents requested"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(ended_on__isnull=True),
                name="matching_one_open_pause",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.application_id} paused {self.started_on}–{self.ended_on or ''}"


class Transition(models.Model):
    """One step of a file's history: from one status to another, on a business date, by whom."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    on = models.DateField()
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"#{self.application_id} {self.from_status}→{self.to_status} {self.on}"
