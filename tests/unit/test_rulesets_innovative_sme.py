"""创新型中小企业评价: the six indicators on firms worked out by hand, both edges of the bands,
the pass mark of 60 with each block's minimum, and the direct pass."""

from decimal import Decimal

import pytest
from tests.unit.test_rulesets_support import load, points, same_in_batch

from patientcap.domain.scoring import score

SME = load("innovative_sme.yaml")
WAN = 1_000_000  # fen in 1万元

GOOD = {
    "ip_grade": 3,  # self-developed class I: 15
    "rd_expense_fen": 350 * WAN,  # 3.5% of ¥100M: 15
    "revenue_fen": 10_000 * WAN,
    "main_business_growth": Decimal("0.12"),  # 15
    "debt_ratio": Decimal("0.60"),  # 5
    "strategic_emerging": True,  # 10
    "main_business_share": Decimal("0.65"),  # 15
}
WEAK = {
    "ip_grade": 1,  # class II only: 5
    "rd_expense_fen": 150 * WAN,  # 1.5%: 5
    "revenue_fen": 10_000 * WAN,
    "main_business_growth": Decimal("-0.02"),  # 0
    "debt_ratio": Decimal("0.80"),  # 0
    "strategic_emerging": False,  # 5
    "main_business_share": Decimal("0.52"),  # 5
}


def test_a_firm_worked_out_by_hand_scores_75_and_passes() -> None:
    ev = score(SME, GOOD)
    assert dict(ev.dimensions) == {
        "innovation": Decimal(30),
        "growth": Decimal(20),
        "specialisation": Decimal(25),
    }
    assert (ev.total, ev.passed, ev.directly_qualified) == (Decimal("75.00"), True, False)


def test_a_weak_firm_scores_20_with_its_four_biggest_losses_as_reasons() -> None:
    ev = score(SME, WEAK)
    assert ev.total == Decimal("20.00") and not ev.passed and ev.grade == "<60"
    assert [r.indicator for r in ev.reasons] == [
        "main_business_growth",
        "ip",
        "rd_intensity",
        "main_business_share",
    ]
    assert ev.reasons[0].text_zh.startswith("上年度主营业务收入增长率为-0.02")


# 60 points in all, but only 5 of the 15 the growth block needs.
STALLED = {**GOOD, "main_business_growth": Decimal("-0.02")}


def test_sixty_points_do_not_pass_when_a_block_is_below_its_minimum() -> None:
    ev = score(SME, STALLED)
    assert dict(ev.dimensions)["growth"] == Decimal(5)
    assert ev.total == Decimal("60.00") and not ev.passed


@pytest.mark.parametrize(
    "title",
    [
        {"st_award_3y": True},
        {"high_tech_enterprise": True},
        {"innovation_title": True},
        {"provincial_rd_institution": True},
        {"equity_raised_3y_fen": 500 * WAN},
    ],
)
def test_any_one_direct_condition_passes_whatever_the_score(title) -> None:
    ev = score(SME, {**WEAK, **title})
    assert ev.passed and ev.directly_qualified and ev.total == Decimal("20.00")


def test_new_equity_just_under_500_wan_does_not_pass_directly() -> None:
    assert not score(SME, {**WEAK, "equity_raised_3y_fen": 500 * WAN - 1}).passed


@pytest.mark.parametrize(
    ("change", "key", "expected"),
    [
        ({"rd_expense_fen": 500 * WAN}, "rd_intensity", 20),  # exactly 5%: the upper band
        ({"rd_expense_fen": 500 * WAN - 1}, "rd_intensity", 15),
        ({"debt_ratio": Decimal("0.55")}, "debt_ratio", 5),
        ({"debt_ratio": Decimal("0.5499")}, "debt_ratio", 10),
        ({"debt_ratio": Decimal("0.75")}, "debt_ratio", 0),
        ({"main_business_growth": Decimal(0)}, "main_business_growth", 5),
        ({"main_business_growth": Decimal("-0.0001")}, "main_business_growth", 0),
        ({"main_business_share": Decimal("0.70")}, "main_business_share", 20),
        ({"main_business_share": None}, "main_business_share", 0),
        ({"revenue_fen": 0}, "rd_intensity", 0),  # zero revenue: the special bin
        ({"strategic_emerging": None}, "strategic_emerging", 5),
    ],
)
def test_band_edges(change, key, expected) -> None:
    assert points(score(SME, {**GOOD, **change}))[key] == expected


def test_the_batch_path_agrees() -> None:
    same_in_batch(SME, [GOOD, WEAK, STALLED, {**WEAK, "high_tech_enterprise": True}, {}])
