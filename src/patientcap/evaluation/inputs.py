"""A firm's scoring inputs, read from the registry: exact values (Decimal, int, bool; never
float) for the closed list of rule-set fields, each with the data source it came from.

The figures of the latest year with financial figures on or before the evaluation day are used
(headcount, IP and team of the same year; last year's revenue for growth). Ratios the registry
does not store are derived here exactly (main-business share, debt ratio); a ratio whose
denominator is missing or zero stays missing (None), so it lands in the rule set's missing bin.
Fields the registry does not hold (conversions, management completeness, cash runway, …) are
missing, with a source saying so. Certifications count when valid on the evaluation day.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from patientcap.domain.ruleset import FIELDS, mean_growth
from patientcap.enterprises.models import (
    Certification,
    CertificationKind,
    Enterprise,
    FinancialYear,
    Headcount,
    IntellectualProperty,
    Team,
)

Value = Decimal | int | bool | None
NOT_HELD = "none:"
CERTIFICATION_FIELDS = {
    "high_tech_enterprise": CertificationKind.HIGH_TECH_ENTERPRISE,
    "little_giant": CertificationKind.LITTLE_GIANT,
    "specialised_sme": CertificationKind.SPECIALISED_SME,
    "innovative_sme": CertificationKind.INNOVATIVE_SME,
}


# Where an input came from, as stored ("kind:detail") and as shown.
SOURCE_LABELS = {
    "none": _("not held in the registry"),
    "financial": _("financial year %(detail)s"),
    "growth": _("financial years %(detail)s"),
    "headcount": _("headcount %(detail)s"),
    "ip": _("intellectual property %(detail)s"),
    "team": _("team %(detail)s"),
    "certifications": _("certifications valid on %(detail)s"),
    "profile": _("enterprise profile"),
    "entered": _("entered by %(detail)s"),
    "file": _("file %(detail)s"),
}


def source_label(source: str) -> str:
    """A stored source ("financial:2024") in the user's language."""
    kind, _sep, detail = source.partition(":")
    label = SOURCE_LABELS.get(kind)
    if label is None:
        return source
    text = str(label)
    return text % {"detail": detail} if "%(detail)s" in text else text


@dataclass(frozen=True)
class Inputs:
    year: int | None  # the year of the figures used (None: no financial year on file)
    values: dict[str, Value]
    sources: dict[str, str]  # field -> "kind:detail" (see SOURCE_LABELS)


def _ratio(top: int | None, bottom: int | None) -> Decimal | None:
    if top is None or not bottom:
        return None
    return Decimal(top) / Decimal(bottom)


def _by_year(rows: Iterable[Any], year: int | None) -> Any:
    return next((r for r in rows if r.year == year), None) if year is not None else None


def build(enterprise: Enterprise, as_of: dt.date) -> Inputs:
    """Inputs of one firm; uses prefetched relations when `with_figures` loaded them."""
    years = sorted(
        (fy for fy in enterprise.financial_years.all() if fy.year <= as_of.year),
        key=lambda fy: fy.year,
    )
    fy = years[-1] if years else None
    year = fy.year if fy else None
    prev = _by_year(years, year - 1) if year else None
    hc = _by_year(enterprise.headcounts.all(), year)
    ip = _by_year(enterprise.ip_snapshots.all(), year)
    team = _by_year(enterprise.teams.all(), year)
    values: dict[str, Value] = dict.fromkeys(sorted(FIELDS))
    fin = f"financial:{year}"
    sources: dict[str, str] = dict.fromkeys(sorted(FIELDS), NOT_HELD)
    if fy is not None:
        for name in ("rd_expense_fen", "revenue_fen", "total_cost_fen", "operating_cash_flow_fen"):
            values[name] = getattr(fy, name)
            sources[name] = fin
        values["top_customer_share"] = fy.top_customer_share
        values["main_business_share"] = _ratio(fy.main_business_revenue_fen, fy.revenue_fen)
        values["debt_ratio"] = _ratio(fy.total_liabilities_fen, fy.total_assets_fen)
        for name in ("top_customer_share", "main_business_share", "debt_ratio"):
            sources[name] = fin
    if prev is not None:
        values["revenue_fen_previous"] = prev.revenue_fen
        sources["revenue_fen_previous"] = f"financial:{prev.year}"
        if fy is not None and fy.revenue_fen is not None and prev.revenue_fen:
            values["revenue_growth"] = (
                Decimal(fy.revenue_fen) - Decimal(prev.revenue_fen)
            ) / Decimal(prev.revenue_fen)
        sources["revenue_growth"] = f"growth:{prev.year}–{year}"
    if hc is not None:
        values.update(tech_staff=hc.tech_staff, rd_staff=hc.rd_staff, total_staff=hc.total)
        for name in ("tech_staff", "rd_staff", "total_staff"):
            sources[name] = f"headcount:{year}"
    if ip is not None:
        values["invention_patents"] = ip.invention_patents
        parts = [ip.utility_model_patents, ip.design_patents, ip.software_copyrights]
        known = [p for p in parts if p is not None]
        values["class2_ip"] = sum(known) if known else None
        sources["invention_patents"] = sources["class2_ip"] = f"ip:{year}"
    if team is not None:
        values["founders_industry_years"] = team.founders_max_industry_years
        values["key_staff_turnover"] = team.key_staff_turnover
        sources["founders_industry_years"] = sources["key_staff_turnover"] = f"team:{year}"
    if year is not None:
        _derived(values, sources, years, year)
    values["years_registered"] = _whole_years(enterprise.registration_date, as_of)
    sources["years_registered"] = "profile:"
    held = {c.kind for c in enterprise.certifications.all() if c.is_valid_on(as_of)}
    for name, kind in CERTIFICATION_FIELDS.items():
        values[name] = kind in held
        sources[name] = f"certifications:{as_of.isoformat()}"
    values["strategic_emerging"] = enterprise.strategic_emerging
    sources["strategic_emerging"] = "profile:"
    return Inputs(year, values, sources)


def _whole_years(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def _growth(now: int | None, before: int | None) -> Decimal | None:
    if now is None or not before:
        return None
    return (Decimal(now) - Decimal(before)) / Decimal(before)


def _derived(
    values: dict[str, Value], sources: dict[str, str], years: list[Any], year: int
) -> None:
    """The fields `domain.ruleset.DERIVED_FIELDS` defines over several years of figures."""
    fy = {f.year: f for f in years}
    last3 = [fy.get(y) for y in (year - 2, year - 1, year)]

    def figures(name: str, rows: list[Any]) -> list[int | None]:
        return [getattr(r, name) if r is not None else None for r in rows]

    revenue = figures("revenue_fen", last3)
    rd = figures("rd_expense_fen", last3)
    main = figures("main_business_revenue_fen", last3)
    net = [
        None if r is None or r.total_assets_fen is None or r.total_liabilities_fen is None
        else r.total_assets_fen - r.total_liabilities_fen
        for r in last3
    ]  # fmt: skip
    span = f"growth:{year - 2}–{year}"
    values["revenue_growth_3y"] = mean_growth(*revenue)
    values["net_assets_growth_3y"] = mean_growth(*net)
    # Sums over the years on file (a younger firm has fewer); unknown when this year's is.
    for name, series in (("rd_expense_3y_fen", rd), ("revenue_3y_fen", revenue)):
        values[name] = None if series[2] is None else sum(x for x in series if x is not None)
    values["rd_expense_2y_avg_fen"] = (
        None if rd[1] is None or rd[2] is None else Decimal(rd[1] + rd[2]) / 2
    )
    values["main_business_growth"] = _growth(main[2], main[1])
    earlier = _growth(main[1], main[0])
    latest = values["main_business_growth"]
    values["main_business_growth_2y"] = (
        None if earlier is None or latest is None else (earlier + latest) / 2
    )
    for name in (
        "revenue_growth_3y", "net_assets_growth_3y", "rd_expense_3y_fen", "revenue_3y_fen",
        "rd_expense_2y_avg_fen", "main_business_growth", "main_business_growth_2y",
    ):  # fmt: skip
        sources[name] = span


def with_figures(queryset: "QuerySet[Enterprise]") -> "QuerySet[Enterprise]":
    """The enterprises with every relation `build` reads, in five extra queries in all."""
    return queryset.prefetch_related(
        Prefetch("financial_years", FinancialYear.objects.order_by("year")),
        Prefetch("headcounts", Headcount.objects.all()),
        Prefetch("ip_snapshots", IntellectualProperty.objects.all()),
        Prefetch("teams", Team.objects.all()),
        Prefetch("certifications", Certification.objects.all()),
    )
