"""What an evaluation page shows: names in the user's language, the radar's dimensions, the
indicator table, the reasons and the counterfactuals, built from a stored evaluation (or a
what-if result) and its rule set. Pages and the Excel export share it."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap.domain import scoring
from patientcap.domain.money import format_yuan
from patientcap.domain.ruleset import Indicator, RuleSet
from patientcap.evaluation import inputs, whatif
from patientcap.evaluation.models import Evaluation


def chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def name(obj: Any) -> str:
    """A rule set, dimension or indicator's name in the user's language."""
    return str(obj.name_zh if chinese() else obj.name_en)


def value_text(ind: Indicator, value: Decimal | None, band: str) -> str:
    if value is None:
        return "—"
    if ind.formula in ("ratio", "growth"):
        return f"{(value * 100).quantize(Decimal('0.01'))}%"
    field = ind.operands[0]
    if ind.formula == "field" and field.endswith("_fen"):
        return format_yuan(int(value))
    if ind.formula == "field" and field in whatif.RATIO_FIELDS:
        return f"{(value * 100).quantize(Decimal('0.01'))}%"
    return f"{value.normalize():f}"


def band_text(band: str) -> str:
    return {"missing": _("missing"), "special": _("cannot be computed")}.get(band, band)


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    dimension: str
    value: str
    band: str
    points: Decimal
    maximum: Decimal
    source: str
    inputs: list[tuple[str, str]]  # (field, where its value came from)
    picker: str
    lost: bool


def rows(ruleset: RuleSet, scored: tuple[scoring.IndicatorScore, ...], sources: dict) -> list[Row]:
    dims = {d.key: name(d) for d in ruleset.dimensions}
    out = []
    for s in scored:
        ind = ruleset.indicator(s.key)
        out.append(
            Row(
                s.key,
                name(ind),
                dims[s.dimension],
                value_text(ind, s.value, s.band),
                band_text(s.band),
                s.points,
                s.maximum,
                ind.source,
                [
                    (field_label(f), inputs.source_label(sources.get(f, inputs.NOT_HELD)))
                    for f in ind.operands
                ],
                s.picker,
                s.points < s.maximum,
            )
        )
    return out


def radar(ruleset: RuleSet, dimensions: tuple[tuple[str, Decimal], ...]) -> dict[str, Any]:
    """ECharts radar data: indicator names with maxima, and the points of each dimension."""
    maxima = {d.key: d for d in ruleset.dimensions}
    return {
        "indicators": [
            {"name": name(maxima[k]), "max": float(maxima[k].maximum)} for k, _v in dimensions
        ],
        "values": [float(v) for _k, v in dimensions],
    }


def reason_texts(reasons: list[dict[str, str]] | tuple[scoring.Reason, ...]) -> list[str]:
    zh = chinese()
    out = []
    for r in reasons:
        if isinstance(r, scoring.Reason):
            out.append(r.text_zh if zh else r.text_en)
        else:
            out.append(r["zh"] if zh else r["en"])
    return out


@dataclass(frozen=True)
class Move:
    text: str
    grade: str
    total: Decimal


def moves(ruleset: RuleSet, cfs: tuple[scoring.Counterfactual, ...]) -> list[Move]:
    """Counterfactuals as sentences: what would reach the next grade."""
    out = []
    for cf in cfs:
        parts = []
        for ch in cf.changes:
            ind = ruleset.indicator(ch.indicator)
            parts.append(
                _("%(indicator)s into band %(band)s (+%(gain)s points)")
                % {"indicator": name(ind), "band": ch.band, "gain": f"{ch.gain.normalize():f}"}
            )
        out.append(Move(_(" and ").join(parts), cf.grade, cf.total))
    return out


def stored_inputs(ev: Evaluation) -> dict[str, Decimal | None]:
    from patientcap.evaluation import codec

    return codec.inputs_from_json(ev.inputs)


def stored_picks(ev: Evaluation) -> dict[str, scoring.Pick]:
    from patientcap.evaluation import codec

    return codec.picks_from_json(ev.picks)


def whatif_fields(ruleset: RuleSet, values: dict[str, Decimal | None]) -> list[dict[str, str]]:
    """The inputs the panel lets people change: each field with its kind and shown value."""
    out = []
    for field in sorted(scoring.normalise(ruleset, {})):
        out.append(
            {
                "field": field,
                "kind": whatif.kind(field),
                "label": field_label(field),
                "value": whatif.shown(field, values.get(field)),
            }
        )
    return out


# The input fields as people read them (the what-if panel's labels, the export's headings).
FIELD_LABELS = {
    "rd_expense_fen": gettext_lazy("R&D expense (yuan)"),
    "revenue_fen": gettext_lazy("Revenue (yuan)"),
    "total_cost_fen": gettext_lazy("Total cost (yuan)"),
    "revenue_fen_previous": gettext_lazy("Last year's revenue (yuan)"),
    "invention_patents": gettext_lazy("Invention patents"),
    "class2_ip": gettext_lazy("Class II IP rights"),
    "conversions_per_year": gettext_lazy("Technology conversions this year"),
    "rd_institution_level": gettext_lazy("R&D institution level"),
    "standards_drafted": gettext_lazy("Standards drafted"),
    "tech_staff": gettext_lazy("Technical staff"),
    "rd_staff": gettext_lazy("R&D staff"),
    "total_staff": gettext_lazy("Total staff"),
    "founders_industry_years": gettext_lazy("Founders' years in the industry"),
    "key_staff_turnover": gettext_lazy("Key-staff turnover (ratio)"),
    "management_completeness": gettext_lazy("CEO/CTO/CFO in post (0–3)"),
    "revenue_growth": gettext_lazy("Revenue growth (ratio)"),
    "main_business_share": gettext_lazy("Main-business share of revenue (ratio)"),
    "debt_ratio": gettext_lazy("Debt ratio"),
    "top_customer_share": gettext_lazy("Largest customer's share (ratio)"),
    "operating_cash_flow_fen": gettext_lazy("Operating cash flow (yuan)"),
    "cash_runway_months": gettext_lazy("Cash runway (months)"),
    "strategic_emerging": gettext_lazy("Strategic emerging industry (1/0)"),
    "high_tech_enterprise": gettext_lazy("High-tech enterprise (1/0)"),
    "little_giant": gettext_lazy("Little giant (1/0)"),
    "specialised_sme": gettext_lazy("Specialised SME (1/0)"),
    "innovative_sme": gettext_lazy("Innovative SME (1/0)"),
    "national_award": gettext_lazy("National award (1/0)"),
    "provincial_rd_institution": gettext_lazy("Provincial R&D institution (1/0)"),
    "led_standard": gettext_lazy("Led a standard (1/0)"),
    "revenue_growth_3y": gettext_lazy("Revenue growth over three years (高企 formula)"),
    "net_assets_growth_3y": gettext_lazy("Net-assets growth over three years (高企 formula)"),
    "rd_expense_3y_fen": gettext_lazy("R&D expense over three years (yuan)"),
    "revenue_3y_fen": gettext_lazy("Revenue over three years (yuan)"),
    "rd_expense_2y_avg_fen": gettext_lazy("Average R&D expense of two years (yuan)"),
    "main_business_growth": gettext_lazy("Main-business revenue growth (ratio)"),
    "main_business_growth_2y": gettext_lazy("Main-business growth, two-year average (ratio)"),
    "years_registered": gettext_lazy("Years since registration"),
    "high_tech_revenue_share": gettext_lazy("High-tech product revenue share (ratio)"),
    "rd_in_china_share": gettext_lazy("Share of R&D spent in China (ratio)"),
    "major_incident": gettext_lazy("Major safety, quality or environmental incident (1/0)"),
    "ip_grade": gettext_lazy("IP grade of the lead product (0–4)"),
    "ip_advancement_level": gettext_lazy("How advanced the IP is (0–4)"),
    "ip_core_support_level": gettext_lazy("IP support to the main product (0–4)"),
    "ip_self_developed": gettext_lazy("IP self-developed (1/0)"),
    "rd_management_system": gettext_lazy("R&D management system in place (1/0)"),
    "rd_institution_cooperation": gettext_lazy(
        "R&D institution and industry-university cooperation (1/0)"
    ),
    "conversion_incentives": gettext_lazy("Conversion incentives or open platform (1/0)"),
    "talent_system": gettext_lazy("Training, hiring and reward systems (1/0)"),
    "st_award_3y": gettext_lazy("S&T award in three years (1/0)"),
    "st_award_ranked": gettext_lazy("Ranked S&T award in three years (1/0)"),
    "innovation_title": gettext_lazy("Innovation demonstration title (1/0)"),
    "equity_raised_3y_fen": gettext_lazy("Equity raised in three years (yuan)"),
    "equity_raised_2y_fen": gettext_lazy("Equity raised in two years (yuan)"),
    "maker_china_top500": gettext_lazy("创客中国 top 500 (1/0)"),
    "niche_years": gettext_lazy("Years in the niche market"),
    "lead_product_field": gettext_lazy("Lead product field (0–2)"),
    "digital_maturity_level": gettext_lazy("Digital maturity level"),
    "quality_items": gettext_lazy("Quality items held"),
    "net_margin": gettext_lazy("Net margin (ratio)"),
}


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))
