"""Evaluation results to and from the JSON kept on an `Evaluation` row (Decimals as text)."""

from decimal import Decimal
from typing import Any

from patientcap.domain import scoring


def dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def inputs_json(values: dict[str, Decimal | None]) -> dict[str, str | None]:
    return {k: text(v) for k, v in sorted(values.items())}


def inputs_from_json(data: dict[str, str | None]) -> dict[str, Decimal | None]:
    return {k: dec(v) for k, v in data.items()}


def picks_json(picks: dict[str, scoring.Pick]) -> dict[str, dict[str, str]]:
    return {
        k: {"points": str(p.points), "picker": p.picker, "reason": p.reason}
        for k, p in sorted(picks.items())
    }


def picks_from_json(data: dict[str, dict[str, str]]) -> dict[str, scoring.Pick]:
    return {
        k: scoring.Pick(Decimal(p["points"]), p["picker"], p.get("reason", ""))
        for k, p in data.items()
    }


def indicators_json(ev: scoring.Evaluation) -> list[dict[str, Any]]:
    return [
        {
            "key": s.key,
            "dimension": s.dimension,
            "value": text(s.value),
            "band": s.band,
            "points": str(s.points),
            "max": str(s.maximum),
            "source": s.source,
            "picker": s.picker,
        }
        for s in ev.indicators
    ]


def reasons_json(ev: scoring.Evaluation) -> list[dict[str, str]]:
    return [
        {
            "code": r.code,
            "indicator": r.indicator,
            "lost": str(r.lost),
            "zh": r.text_zh,
            "en": r.text_en,
        }
        for r in ev.reasons
    ]


def dimensions_json(ev: scoring.Evaluation) -> list[list[str]]:
    return [[k, str(v)] for k, v in ev.dimensions]


def from_json(row: Any) -> scoring.Evaluation:
    """The domain evaluation a stored row holds (to compare with a rescore)."""
    return scoring.Evaluation(
        row.ruleset_id,
        row.ruleset_version,
        row.ruleset_digest,
        tuple(
            scoring.IndicatorScore(
                i["key"],
                i["dimension"],
                dec(i["value"]),
                i["band"],
                Decimal(i["points"]),
                Decimal(i["max"]),
                i["source"],
                i["picker"],
            )
            for i in row.indicators
        ),
        tuple((k, Decimal(v)) for k, v in row.dimensions),
        Decimal(row.raw_total),
        Decimal(row.total),
        row.passed,
        row.directly_qualified,
        row.computed_grade,
        row.computed_credit_line_fen,
        tuple(
            scoring.Reason(r["code"], r["indicator"], Decimal(r["lost"]), r["zh"], r["en"])
            for r in row.reasons
        ),
    )
