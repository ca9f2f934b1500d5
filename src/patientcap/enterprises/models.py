"""The enterprise registry: each firm's profile, certifications and yearly figures, and who else
may see it (service agents by assignment, banks and guarantors by the firm's consent).

Amounts are integer fen (`*_fen`), ratios Decimal. Yearly figures are nullable field by field:
"not reported" is not zero, and later scoring must tell them apart. Counts are non-negative and
the relations between figures are CHECK constraints, so no code path can store an impossible row.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.models import Organisation


class GrowthStage(models.TextChoices):
    SEED = "seed", _("Seed")
    STARTUP = "startup", _("Startup")
    GROWTH = "growth", _("Growth")
    EXPANSION = "expansion", _("Expansion")
    MATURE = "mature", _("Mature")


class StrategicCategory(models.TextChoices):
    """The nine categories of 战略性新兴产业分类(2018)."""

    NEXT_GEN_IT = "next_gen_it", _("Next-generation information technology")
    HIGH_END_EQUIPMENT = "high_end_equipment", _("High-end equipment manufacturing")
    NEW_MATERIALS = "new_materials", _("New materials")
    BIOTECH = "biotech", _("Biotechnology")
    NEW_ENERGY_VEHICLES = "new_energy_vehicles", _("New-energy vehicles")
    NEW_ENERGY = "new_energy", _("New energy")
    ENERGY_SAVING = "energy_saving", _("Energy saving and environmental protection")
    DIGITAL_CREATIVE = "digital_creative", _("Digital creative industries")
    RELATED_SERVICES = "related_services", _("Related services")


class CertificationKind(models.TextChoices):
    HIGH_TECH_ENTERPRISE = "high_tech_enterprise", _("High-tech enterprise")
    TECH_SME = "tech_sme", _("Tech SME")
    SPECIALISED_SME = "specialised_sme", _("Specialised SME")
    LITTLE_GIANT = "little_giant", _("Little giant")
    INNOVATIVE_SME = "innovative_sme", _("Innovative SME")


class Enterprise(models.Model):
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    registration_date = models.DateField(_("registration date"), db_index=True)
    industry_code = models.CharField(_("industry code (GB/T 4754-2017)"), max_length=5)
    # The two-digit division, kept by the database itself for filtering ("" for a section).
    industry_division = models.GeneratedField(
        expression=Substr("industry_code", 2, 2),
        output_field=models.CharField(max_length=2),
        db_persist=True,
        verbose_name=_("industry division"),
    )
    strategic_emerging = models.BooleanField(_("strategic emerging industry"), default=False)
    strategic_category = models.CharField(
        _("strategic emerging industry category"),
        max_length=30,
        blank=True,
        choices=StrategicCategory.choices,
    )
    growth_stage = models.CharField(_("growth stage"), max_length=20, choices=GrowthStage.choices)
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprise",
        verbose_name=_("login organisation"),
    )
    district = models.CharField(_("district"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["growth_stage", "name"], name="ent_stage_name"),
            models.Index(fields=["industry_division", "name"], name="ent_division_name"),
            models.Index(fields=["strategic_emerging", "name"], name="ent_strategic_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(strategic_emerging=True) | Q(strategic_category=""),
                name="ent_category_needs_strategic_flag",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Certification(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="certifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=CertificationKind.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"))
    # The last day of validity as printed on the certificate ("有效期至"), inclusive.
    valid_to = models.DateField(_("valid to"))

    class Meta:
        ordering = ["kind", "-valid_to"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "valid_from"], name="cert_one_per_kind_and_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="cert_valid_to_not_before_from"
            ),
        ]
        indexes = [models.Index(fields=["kind", "valid_to", "valid_from"], name="cert_validity")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from}–{self.valid_to}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


def _non_negative(*fields: str, prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(condition=Q(**{f"{f}__gte": 0}), name=f"{prefix}_{f}_non_negative")
        for f in fields
    ]


class FinancialYear(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="financial_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    revenue_fen = models.BigIntegerField(_("revenue"), null=True, blank=True)
    main_business_revenue_fen = models.BigIntegerField(
        _("main-business revenue"), null=True, blank=True
    )
    rd_expense_fen = models.BigIntegerField(_("R&D expense"), null=True, blank=True)
    total_cost_fen = models.BigIntegerField(_("total cost"), null=True, blank=True)
    total_assets_fen = models.BigIntegerField(_("total assets"), null=True, blank=True)
    total_liabilities_fen = models.BigIntegerField(_("total liabilities"), null=True, blank=True)
    operating_cash_flow_fen = models.BigIntegerField(
        _("operating cash flow"), null=True, blank=True
    )
    orders_backlog_fen = models.BigIntegerField(_("orders backlog"), null=True, blank=True)
    top_customer_share = models.DecimalField(
        _("top customer share"), max_digits=5, decimal_places=4, null=True, blank=True
    )

    AMOUNT_FIELDS = (
        "revenue_fen", "main_business_revenue_fen", "rd_expense_fen", "total_cost_fen",
        "total_assets_fen", "total_liabilities_fen", "operating_cash_flow_fen",
        "orders_backlog_fen",
    )  # fmt: skip

    class Meta:
        ordering = ["enterprise", "-year"]
        verbose_name = _("financial year")
        verbose_name_plural = _("financial years")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="fy_one_per_year"),
            *_non_negative(
                "revenue_fen",
                "main_business_revenue_fen",
                "rd_expense_fen",
                "total_cost_fen",
                "total_assets_fen",
                "total_liabilities_fen",
                "orders_backlog_fen",
                prefix="fy",
            ),
            models.CheckConstraint(
                condition=Q(main_business_revenue_fen__lte=F("revenue_fen")),
                name="fy_main_business_within_revenue",
            ),
            models.CheckConstraint(
                condition=Q(top_customer_share__gte=0, top_customer_share__lte=1),
                name="fy_top_customer_share_ratio",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.year} #{self.enterprise_id}"


class Headcount(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="headcounts")
    year = models.PositiveSmallIntegerField(_("year"))
    total = models.PositiveIntegerField(_("total staff"), null=True, blank=True)
    tech_staff = models.PositiveIntegerField(_("tech staff"), null=True, blank=True)
    rd_staff = models.PositiveIntegerField(_("R&D staff"), null=True, blank=True)

    class Meta:
        ordering = ["enterprise", "-year"]
        verbose_name = _("headcount")
        verbose_name_plural = _("headcounts")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="hc_one_per_year"),
            *_non_negative("total", "tech_staff", "rd_staff", prefix="hc"),
            models.CheckConstraint(
                condition=Q(tech_staff__lte=F("total")), name="hc_tech_within_total"
            ),
            models.CheckConstraint(
                condition=Q(rd_staff__lte=F("total")), name="hc_rd_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.year} #{self.enterprise_id}"


class IntellectualProperty(models.Model):
    """Counts of valid IP held at the end of `year`."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="ip_snapshots"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    invention_patents = models.PositiveIntegerField(_("invention patents"), null=True, blank=True)
    utility_model_patents = models.PositiveIntegerField(
        _("utility-model patents"), null=True, blank=True
    )
    design_patents = models.PositiveIntegerField(_("design patents"), null=True, blank=True)
    software_copyrights = models.PositiveIntegerField(
        _("software copyrights"), null=True, blank=True
    )

    COUNT_FIELDS = (
        "invention_patents",
        "utility_model_patents",
        "design_patents",
        "software_copyrights",
    )

    class Meta:
        ordering = ["enterprise", "-year"]
        verbose_name = _("intellectual property")
        verbose_name_plural = _("intellectual property")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="ip_one_per_year"),
            *_non_negative(
                "invention_patents",
                "utility_model_patents",
                "design_patents",
                "software_copyrights",
                prefix="ip",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.year} #{self.enterprise_id}"


class Team(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="teams")
    year = models.PositiveSmallIntegerField(_("year"))
    founders_max_industry_years = models.PositiveSmallIntegerField(
        _("founders' longest industry experience (years)"), null=True, blank=True
    )
    founders_avg_industry_years = models.DecimalField(
        _("founders' average industry experience (years)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
    )
    key_staff_turnover = models.DecimalField(
        _("key staff turnover"), max_digits=5, decimal_places=4, null=True, blank=True
    )

    class Meta:
        ordering = ["enterprise", "-year"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="team_one_per_year"),
            *_non_negative(
                "founders_max_industry_years", "founders_avg_industry_years", prefix="team"
            ),
            models.CheckConstraint(
                condition=Q(founders_avg_industry_years__lte=F("founders_max_industry_years")),
                name="team_avg_within_max",
            ),
            models.CheckConstraint(
                condition=Q(key_staff_turnover__gte=0, key_staff_turnover__lte=1),
                name="team_turnover_ratio",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.year} #{self.enterprise_id}"


class ServiceAssignment(models.Model):
    """A service agent (陪跑员) assigned to a firm for the half-open period [since, until)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_assignments",
        verbose_name=_("agent"),
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="service_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["enterprise", "-since"]
        verbose_name = _("service assignment")
        verbose_name_plural = _("service assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__gt=F("since")), name="assign_until_after_since"
            ),
        ]
        indexes = [models.Index(fields=["agent", "since"], name="assign_agent_since")]

    def __str__(self) -> str:
        return f"agent #{self.agent_id} → enterprise #{self.enterprise_id} from {self.since}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


class EnterpriseAccessGrant(models.Model):
    """A firm's consent that a bank or guarantor may read its registry data (PIPL art. 13/23);
    revoking ends the access at once. Rows are kept after revocation as the consent record."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="access_grants"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="enterprise_grants",
        verbose_name=_("organisation"),
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["enterprise", "-granted_at"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            # One live grant per firm and organisation; a revoked one may be granted again.
            models.UniqueConstraint(
                fields=["enterprise", "organisation"],
                condition=Q(revoked_at__isnull=True),
                name="grant_one_live_per_org",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "revoked_at"], name="grant_org_live")]

    def __str__(self) -> str:
        return f"organisation #{self.organisation_id} → enterprise #{self.enterprise_id}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


# The four kinds of yearly figures, by the name used in services, forms and the workbook layout.
# Typed loosely on purpose: they share `enterprise` and `year` but no base class.
YEARLY: dict[str, Any] = {
    "financial": FinancialYear,
    "headcount": Headcount,
    "ip": IntellectualProperty,
    "team": Team,
}
