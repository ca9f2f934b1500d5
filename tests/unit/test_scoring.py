"""Scoring one firm with the default three-dimension card: points, grade, reasons, records."""

from decimal import Decimal
from pathlib import Path

import pytest

from patientcap.domain.ruleset import RuleSet, parse_ruleset
from patientcap.domain.scoring import (
    Pick,
    ScoringError,
    evaluate,
    override,
    rescore,
    score,
)

PATH = Path(__file__).resolve().parents[2] / "policy" / "rulesets" / "tech_credit_card.yaml"

STRONG: dict[str, object] = {
    "rd_expense_fen": 700_000,
    "revenue_fen": 10_000_000,
    "revenue_fen_previous": 8_000_000,
    "invention_patents": 6,
    "class2_ip": 5,
    "conversions_per_year": 5,
    "little_giant": True,
    "high_tech_enterprise": True,
    "specialised_sme": False,
    "innovative_sme": False,
    "tech_staff": 40,
    "rd_staff": 25,
    "total_staff": 100,
    "founders_industry_years": 12,
    "key_staff_turnover": Decimal("0.05"),
    "management_completeness": 3,
    "strategic_emerging": True,
    "main_business_share": Decimal("0.9"),
    "debt_ratio": Decimal("0.3"),
    "top_customer_share": Decimal("0.2"),
    "operating_cash_flow_fen": 100,
    "cash_runway_months": 24,
}


@pytest.fixture(scope="module")
def card() -> RuleSet:
    return parse_ruleset(PATH.read_text(encoding="utf-8"), PATH.name)


def test_a_strong_firm_scores_every_maximum_except_unpicked_ranges(card: RuleSet) -> None:
    ev = score(card, STRONG, {"founder_experience": Pick(Decimal(8), "expert Li")})
    assert ev.raw_total == Decimal(100) and ev.total == Decimal("100.00")
    assert ev.grade == "A" and ev.credit_line_fen == 500_000_000 and ev.passed
    assert ev.reasons == ()
    fe = next(s for s in ev.indicators if s.key == "founder_experience")
    assert fe.picker == "expert Li" and fe.band == "≥10 years"


def test_without_a_pick_a_range_band_counts_its_lower_end(card: RuleSet) -> None:
    ev = score(card, STRONG)
    fe = next(s for s in ev.indicators if s.key == "founder_experience")
    assert fe.points == Decimal(7) and fe.picker == ""
    assert [r.indicator for r in ev.reasons] == ["founder_experience"]


def test_a_pick_outside_the_range_or_without_a_picker_is_refused(card: RuleSet) -> None:
    with pytest.raises(ScoringError, match="outside"):
        score(card, STRONG, {"founder_experience": Pick(Decimal(9), "expert Li")})
    with pytest.raises(ScoringError, match="name the expert"):
        score(card, STRONG, {"founder_experience": Pick(Decimal(8), " ")})


def test_band_edges_are_low_inclusive_high_exclusive(card: RuleSet) -> None:
    at_edge = score(card, {**STRONG, "rd_expense_fen": 600_000})  # exactly 6%
    below = score(card, {**STRONG, "rd_expense_fen": 599_999})
    rd = {ev.indicators[0].band for ev in (at_edge, below)}
    assert rd == {"≥6%", "5–6%"}


def test_missing_figures_land_in_the_missing_bin_without_crashing(card: RuleSet) -> None:
    ev = score(card, {})
    assert {s.band for s in ev.indicators} == {"missing"}
    assert ev.raw_total == 0 and ev.grade == "E"
    assert not ev.passed and ev.credit_line_fen == 0  # tech-staff points are 0: the gate fails
    assert "no figure was provided" in ev.reasons[0].text_en


def test_zero_revenue_lands_in_the_special_bin(card: RuleSet) -> None:
    ev = score(card, {**STRONG, "revenue_fen": 0})
    rd = ev.indicators[0]
    assert rd.band == "special" and rd.value is None and rd.points == 0
    assert next(s for s in ev.indicators if s.key == "revenue_growth").points == 0
    assert any("denominator is zero" in r.text_en for r in ev.reasons)


def test_negative_cash_flow_is_tolerated_when_rd_and_runway_meet_the_threshold(
    card: RuleSet,
) -> None:
    ocf = lambda ev: next(s for s in ev.indicators if s.key == "operating_cash_flow")  # noqa: E731
    tolerated = ocf(score(card, {**STRONG, "operating_cash_flow_fen": -1}))
    assert tolerated.band == "R&D cash-flow tolerance" and tolerated.points == 4
    short = ocf(score(card, {**STRONG, "operating_cash_flow_fen": -1, "cash_runway_months": 11}))
    assert short.band == "negative" and short.points == 0
    low_rd = score(card, {**STRONG, "operating_cash_flow_fen": -1, "rd_expense_fen": 499_999})
    assert ocf(low_rd).points == 0


def test_reasons_are_at_most_four_scored_indicators_ordered_by_points_lost(card: RuleSet) -> None:
    weak = {
        **STRONG,
        "invention_patents": 0,
        "class2_ip": 0,
        "debt_ratio": Decimal("0.8"),
        "revenue_fen_previous": 20_000_000,
        "top_customer_share": Decimal("0.9"),
    }
    ev = score(card, weak)
    assert len(ev.reasons) == 4
    assert [r.indicator for r in ev.reasons] == [
        "invention_patents",
        "revenue_growth",
        "class2_ip",
        "debt_ratio",
    ]
    losses = [r.lost for r in ev.reasons]
    assert losses == sorted(losses, reverse=True)
    assert all(
        r.text_zh and r.text_en and r.code.startswith("tech-credit-card.") for r in ev.reasons
    )
    keys = {i.key for i in card.indicators}
    assert {r.indicator for r in ev.reasons} <= keys


def test_the_gate_fails_on_zero_tech_staff_points_unless_directly_qualified(card: RuleSet) -> None:
    few = {**STRONG, "tech_staff": 5}
    assert score(card, few).passed and score(card, few).directly_qualified
    plain = {**few, "little_giant": False, "high_tech_enterprise": False}
    ev = score(card, plain)
    assert not ev.passed and ev.credit_line_fen == 0


def test_floats_are_refused_as_inputs(card: RuleSet) -> None:
    with pytest.raises(ScoringError, match="float"):
        score(card, {**STRONG, "debt_ratio": 0.3})


def test_rescore_reproduces_a_stored_evaluation_exactly(card: RuleSet) -> None:
    record = evaluate(card, STRONG, {"founder_experience": Pick(Decimal(8), "expert Li", "15 yrs")})
    assert rescore(record, card) == record.evaluation


def test_rescore_refuses_a_different_rule_set_version(card: RuleSet) -> None:
    record = evaluate(card, STRONG)
    other = parse_ruleset(PATH.read_text(encoding="utf-8") + "\n# edited\n", PATH.name)
    with pytest.raises(ScoringError, match="scored with"):
        rescore(record, other)


def test_an_override_without_a_reason_is_refused(card: RuleSet) -> None:
    ev = score(card, STRONG)
    with pytest.raises(ScoringError, match="reason"):
        override(card, ev, grade="B", by="officer Wang", reason="  ")
    done = override(card, ev, grade="B", by="officer Wang", reason="Pending litigation")
    assert done.credit_line_fen == 400_000_000 and done.evaluation.grade == "A"
    with pytest.raises(ScoringError, match="unknown grade"):
        override(card, ev, grade="Z", by="officer Wang", reason="x")


def test_huge_and_non_finite_figures_never_crash_the_scorer(card: RuleSet) -> None:
    ev = score(card, {**STRONG, "operating_cash_flow_fen": -(10**40), "cash_runway_months": 0,
                      "debt_ratio": Decimal("Infinity")})  # fmt: skip
    ocf = next(s for s in ev.indicators if s.key == "operating_cash_flow")
    assert ocf.band == "negative"
    assert next(s for s in ev.indicators if s.key == "debt_ratio").band == "missing"
    assert any("-1000000000000000000000000000000000000000" in r.text_en for r in ev.reasons)
