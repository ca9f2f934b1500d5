"""Database rows of valuations: one saved valuation of an enterprise, its methods' results and
the written approvals of state-money prices below 90% of the assessed value.

A valuation is never edited after it is saved. A revision is a new row with `previous` pointing
at the row it revises and `version` one higher; the older row stays as it was. Values are
integer fen; every method value is a pre-money equity value (`domain.valuation`), and
`point_fen` is the post-money value (the chosen pre-money point plus the new money), the basis
other apps (invest-first conversion, unrealised value) read through `selectors`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patientcap.domain.valuation import Method, PricePosition, Stage, StateAssetOutcome
from patientcap.enterprises.models import Enterprise


class StageChoice(models.TextChoices):
    IDEA = Stage.IDEA.value, _("Idea")
    SEED = Stage.SEED.value, _("Seed")
    STARTUP = Stage.STARTUP.value, _("Startup")
    GROWTH = Stage.GROWTH.value, _("Growth")
    EXPANSION = Stage.EXPANSION.value, _("Expansion")


class MethodChoice(models.TextChoices):
    BERKUS = Method.BERKUS.value, _("Berkus")
    SCORECARD = Method.SCORECARD.value, _("Scorecard (Payne)")
    RISK_FACTOR_SUMMATION = Method.RISK_FACTOR_SUMMATION.value, _("Risk factor summation")
    VC = Method.VC.value, _("VC method")
    FIRST_CHICAGO = Method.FIRST_CHICAGO.value, _("First Chicago")
    LATEST_ROUND = Method.LATEST_ROUND.value, _("Latest-round price")
    MARKET_MULTIPLES = Method.MARKET_MULTIPLES.value, _("Market multiples")


class Purpose(models.TextChoices):
    INVESTMENT = "investment", _("New investment")
    CONVERSION = "conversion", _("Invest-first conversion")
    FAIR_VALUE = "fair_value", _("Fair value (unrealised)")
    TRANSFER = "transfer", _("Equity transfer / exit")


class PositionChoice(models.TextChoices):
    WITHIN = PricePosition.WITHIN.value, _("Within the range")
    ABOVE = PricePosition.ABOVE.value, _("Above the range")
    BELOW = PricePosition.BELOW.value, _("Below the range")


class StateOutcomeChoice(models.TextChoices):
    OK = StateAssetOutcome.OK.value, _("Meets the state-asset rules")
    NEEDS_APPROVAL = StateAssetOutcome.NEEDS_APPROVAL.value, _("Needs written approval")
    REFUSED = StateAssetOutcome.REFUSED.value, _("Refused")


class Valuation(models.Model):
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="valuations",
        verbose_name=_("enterprise"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revision",
        verbose_name=_("revises"),
    )
    valued_on = models.DateField(_("as of"), db_index=True)
    stage = models.CharField(_("stage"), max_length=20, choices=StageChoice.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    low_fen = models.BigIntegerField(_("range low"))
    high_fen = models.BigIntegerField(_("range high"))
    pre_money_fen = models.BigIntegerField(_("chosen pre-money value"))
    investment_fen = models.BigIntegerField(_("new money"), default=0)
    point_fen = models.BigIntegerField(_("post-money value"))
    inputs = models.JSONField(_("method inputs as given"), default=dict)
    weights = models.JSONField(_("method weights"), default=dict, blank=True)
    rationale = models.TextField(_("rationale"))
    spread = models.DecimalField(_("spread"), max_digits=20, decimal_places=6, null=True)
    spread_is_wide = models.BooleanField(_("wide spread"), default=False)
    proposed_price_fen = models.BigIntegerField(_("proposed price"), null=True, blank=True)
    price_position = models.CharField(
        _("price position"), max_length=10, choices=PositionChoice.choices, blank=True
    )
    price_distance_fen = models.BigIntegerField(_("distance from the range"), default=0)
    state_money = models.BooleanField(_("state money"), default=False)
    assessed_value_fen = models.BigIntegerField(_("assessed value"), null=True, blank=True)
    assessment_date = models.DateField(_("assessment base date"), null=True, blank=True)
    relisted = models.BooleanField(_("re-listed"), default=False)
    state_outcome = models.CharField(
        _("state-asset check"), max_length=20, choices=StateOutcomeChoice.choices, blank=True
    )
    state_reasons = models.JSONField(_("state-asset reasons"), default=list, blank=True)
    assessment_stale = models.BooleanField(_("assessment stale"), default=False)
    policy_version = models.CharField(_("parameters used"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-valued_on", "-version", "-id"]
        verbose_name = _("valuation")
        verbose_name_plural = _("valuations")
        indexes = [
            models.Index(fields=["enterprise", "valued_on"], name="val_enterprise_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(low_fen__gte=0) & Q(low_fen__lte=models.F("high_fen")),
                name="val_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(investment_fen__gte=0)
                & Q(point_fen=models.F("pre_money_fen") + models.F("investment_fen")),
                name="val_point_is_post_money",
            ),
            models.CheckConstraint(
                condition=Q(state_money=False)
                | (Q(assessed_value_fen__gt=0) & Q(assessment_date__isnull=False)),
                name="val_state_money_has_assessment",
            ),
            models.CheckConstraint(
                condition=Q(version=1, previous__isnull=True)
                | Q(version__gt=1, previous__isnull=False),
                name="val_version_links_previous",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.valued_on} v{self.version}"

    @property
    def needs_written_approval(self) -> bool:
        return (
            self.state_outcome == StateOutcomeChoice.NEEDS_APPROVAL
            and not self.written_approvals.exists()
        )


class MethodResult(models.Model):
    """One method's outcome in a valuation: its value (or why it was not computed), inputs and
    steps as the engine gave them, and a low/high for the football-field chart."""

    valuation = models.ForeignKey(
        Valuation, on_delete=models.CASCADE, related_name="results", verbose_name=_("valuation")
    )
    method = models.CharField(_("method"), max_length=30, choices=MethodChoice.choices)
    value_fen = models.BigIntegerField(_("value"), null=True, blank=True)
    low_fen = models.BigIntegerField(_("low"), null=True, blank=True)
    high_fen = models.BigIntegerField(_("high"), null=True, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict)
    steps = models.JSONField(_("steps"), default=list)
    not_computed = models.CharField(_("why not computed"), max_length=500, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["valuation", "id"]
        verbose_name = _("method result")
        verbose_name_plural = _("method results")
        constraints = [
            models.UniqueConstraint(
                fields=["valuation", "method"], name="val_one_result_per_method"
            ),
            models.CheckConstraint(
                condition=Q(value_fen__isnull=False) | ~Q(not_computed=""),
                name="val_result_value_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method}: {self.value_fen}"


class WrittenApproval(models.Model):
    """The approving body's written approval of a state-money price below 90% of the assessed
    value (32号令), recorded once a reviewer approved the zone officer's proposal."""

    valuation = models.ForeignKey(
        Valuation,
        on_delete=models.PROTECT,
        related_name="written_approvals",
        verbose_name=_("valuation"),
    )
    reference = models.CharField(_("approval document"), max_length=200)
    approved_on = models.DateField(_("approval date"))
    proposal_id = models.PositiveBigIntegerField(_("proposal"), unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["valuation", "id"]
        verbose_name = _("written approval")
        verbose_name_plural = _("written approvals")
        constraints = [
            models.UniqueConstraint(fields=["valuation"], name="val_one_written_approval"),
        ]

    def __str__(self) -> str:
        return self.reference
