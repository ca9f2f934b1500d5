"""Counterfactuals (what would reach the next grade), PSI, and batch input checks."""

from decimal import Decimal
from pathlib import Path

import pytest

from patientcap.domain.ruleset import parse_ruleset
from patientcap.domain.scoring import (
    ScoringError,
    counterfactuals,
    psi,
    psi_reading,
    score,
    score_batch,
)

PATH = Path(__file__).resolve().parents[2] / "policy" / "rulesets" / "tech_credit_card.yaml"
CARD = parse_ruleset(PATH.read_text(encoding="utf-8"), PATH.name)

FIRM_59: dict[str, object] = {
    "rd_expense_fen": 300, "revenue_fen": 10_000, "revenue_fen_previous": 9_000,
    "operating_cash_flow_fen": -5, "cash_runway_months": 12, "tech_staff": 3,
    "total_staff": 10, "invention_patents": 3, "debt_ratio": 1, "top_customer_share": 1,
    "main_business_share": 1, "strategic_emerging": 1, "key_staff_turnover": 0,
    "management_completeness": 2, "founders_industry_years": 6, "class2_ip": 2, "rd_staff": 1,
}  # fmt: skip


def test_counterfactuals_are_the_cheapest_actionable_moves_to_the_next_grade() -> None:
    ev = score(CARD, FIRM_59)
    assert (ev.total, ev.grade) == (Decimal("59.00"), "D")
    found = counterfactuals(CARD, FIRM_59)
    assert 1 <= len(found) <= 3
    assert all(cf.grade == "C" and cf.total >= 60 for cf in found)
    actionable = {i.key for i in CARD.indicators if i.actionable}
    assert all(ch.indicator in actionable for cf in found for ch in cf.changes)
    gains = [cf.gain for cf in found]
    assert gains == sorted(gains) and gains[0] == 1


def test_a_firm_two_moves_away_gets_pairs_and_the_top_grade_gets_none() -> None:
    low = {**FIRM_59, "class2_ip": 0, "invention_patents": 0, "rd_expense_fen": 0}
    found = counterfactuals(CARD, low, limit=50)
    assert found and all(cf.total >= 45 for cf in found)
    best: dict[str, object] = {
        **FIRM_59,
        "class2_ip": 9,
        "invention_patents": 9,
        "rd_expense_fen": 900,
        "debt_ratio": 0,
        "top_customer_share": 0,
        "tech_staff": 9,
        "rd_staff": 9,
        "conversions_per_year": 9,
        "management_completeness": 3,
        "little_giant": 1,
        "high_tech_enterprise": 1,
        "revenue_fen_previous": 1_000,
        "founders_industry_years": 20,
    }
    assert score(CARD, best).grade == "A" and counterfactuals(CARD, best) == ()


def test_a_firm_failing_the_gate_is_told_which_move_makes_it_pass() -> None:
    declined = {**FIRM_59, "tech_staff": 0}
    assert not score(CARD, declined).passed
    found = counterfactuals(CARD, declined)
    assert found[0].changes[0].indicator == "tech_staff_share"
    assert found[0].changes[0].band == "10–15%"


def test_psi_reads_stable_watch_and_shift() -> None:
    base = [Decimal(x) for x in range(100)]
    edges = [Decimal(x) for x in (20, 40, 60, 80)]
    same = psi(base, base, edges)
    assert same == 0 and psi_reading(same) == "stable"
    moved = psi(base, [s + 20 for s in base], edges)
    assert psi_reading(moved) == "shift"
    assert psi_reading(Decimal("0.1")) == "watch" and psi_reading(Decimal("0.25")) == "watch"


def test_psi_refuses_empty_populations_and_unsorted_edges() -> None:
    with pytest.raises(ScoringError, match="non-empty"):
        psi([], [Decimal(1)], [Decimal(0)])
    with pytest.raises(ScoringError, match="increasing"):
        psi([Decimal(1)], [Decimal(1)], [Decimal(2), Decimal(1)])


def test_the_batch_scorer_refuses_ragged_columns_and_floats() -> None:
    with pytest.raises(ScoringError, match="same length"):
        score_batch(CARD, {"tech_staff": [1, 2], "total_staff": [1]})
    with pytest.raises(ScoringError, match="float"):
        score_batch(CARD, {"debt_ratio": [0.5]})


def test_the_batch_scorer_handles_missing_columns_and_zero_denominators() -> None:
    result = score_batch(CARD, {"tech_staff": [3, 3], "total_staff": [10, 0]})
    assert [result.total(r) for r in range(2)] == [Decimal("10.00"), Decimal("0.00")]
    assert result.grade(1) == "E" and result.credit_line_fen(1) == 0


def test_integer_numpy_columns_score_like_lists_and_float_arrays_are_refused() -> None:
    import numpy as np

    staff, total = [3, 1, 0], [10, 10, 0]
    as_lists = score_batch(CARD, {"tech_staff": staff, "total_staff": total})
    as_arrays = score_batch(CARD, {"tech_staff": np.array(staff), "total_staff": np.array(total)})
    assert (as_lists.total_cents == as_arrays.total_cents).all()
    with pytest.raises(ScoringError, match="float array"):
        score_batch(CARD, {"tech_staff": np.array([1.0])})


def test_applying_a_counterfactual_to_the_inputs_reaches_the_promised_grade() -> None:
    fields = {i.key: i.operands[0] for i in CARD.indicators if i.formula == "field"}
    for cf in counterfactuals(CARD, FIRM_59, limit=20):
        change = cf.changes[0]
        if len(cf.changes) == 1 and change.indicator in fields and change.low is not None:
            moved = score(CARD, {**FIRM_59, fields[change.indicator]: change.low})
            assert (moved.grade, moved.total) == (cf.grade, cf.total)
