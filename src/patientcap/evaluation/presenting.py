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
from patientcap.evaluation import batch, inputs, whatif
from patientcap.evaluation.models import Evaluation


def chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def name(obj: Any) -> str:
    """A rule set, dimension or indicator's name in the user's language."""
    return str(obj.name_zh if chinese() else obj.name_en)


def ruleset_of(ev: Evaluation) -> RuleSet:
    """The exact rule set the evaluation was scored with (parsed once per process)."""
    snap = ev.snapshot
    return batch._parsed(snap.text, snap.source_name)


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
}


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))
