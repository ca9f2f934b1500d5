"""专精特新中小企业 (verified items): the scored card on firms worked out by hand, the must-meet
conditions, the score gate and the fast tracks (which still need the must-meets)."""

from decimal import Decimal

import pytest
from tests.unit.test_rulesets_support import load, points, same_in_batch

from patientcap.domain.scoring import score

ZJTX = load("specialised_sme.yaml")
WAN = 1_000_000  # fen in 1万元

AVERAGE = {
    "main_business_share": Decimal("0.85"),  # 5
    "main_business_growth_2y": Decimal("0.09"),  # 8
    "niche_years": 5,  # 2
    "lead_product_field": 2,  # 5
    "digital_maturity_level": 3,  # 5
    "quality_items": 1,  # 3
    "net_margin": Decimal("0.07"),  # 6
    "debt_ratio": Decimal("0.45"),  # 5
    "ip_grade": 3,  # 8
    "rd_expense_fen": 300 * WAN,  # 6% of ¥50M: 6
    "revenue_fen": 5_000 * WAN,  # ≥ ¥10M: the scale point
}
STRONG = {
    **AVERAGE,
    "main_business_growth_2y": Decimal("0.11"),  # 10
    "quality_items": 2,  # 5
    "net_margin": Decimal("0.11"),  # 10
    "ip_grade": 4,  # 10
    "rd_expense_fen": 600 * WAN,  # 12%: 10
}


def test_an_average_firm_scores_54_of_the_verified_70_and_fails_the_score_gate() -> None:
    ev = score(ZJTX, AVERAGE)
    assert dict(ev.dimensions) == {
        "specialisation": Decimal(20),
        "refinement": Decimal(19),
        "innovation": Decimal(14),
        "requirements": Decimal(1),
    }
    assert ev.raw_total == 54 and not ev.passed and ev.grade == "未达标"


def test_a_strong_firm_scores_67_plus_the_scale_point_and_passes() -> None:
    ev = score(ZJTX, STRONG)
    assert ev.raw_total == 68 and ev.passed and not ev.directly_qualified and ev.grade == "达标"


@pytest.mark.parametrize(
    "fast_track",
    [
        {"st_award_ranked": True},
        {"rd_expense_2y_avg_fen": 1_000 * WAN},
        {"equity_raised_2y_fen": 6_000 * WAN},
        {"maker_china_top500": True},
    ],
)
def test_a_fast_track_replaces_the_score_but_not_the_must_meet_conditions(fast_track) -> None:
    assert score(ZJTX, {**AVERAGE, **fast_track}).directly_qualified
    assert not score(ZJTX, {**AVERAGE, **fast_track, "niche_years": 1}).passed


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"niche_years": 1}, "under two years in the niche"),
        ({"rd_expense_fen": 100 * WAN - 1, "revenue_fen": 2_000 * WAN}, "R&D under ¥1M"),
        ({"rd_expense_fen": 600 * WAN, "revenue_fen": 30_000 * WAN}, "R&D 2% of revenue"),
        ({"revenue_fen": 800 * WAN, "rd_expense_fen": 200 * WAN}, "revenue under ¥10M"),
    ],
)
def test_each_must_meet_condition_blocks_even_a_strong_firm(change, why) -> None:
    assert not score(ZJTX, {**STRONG, **change}).passed, why


def test_the_equity_route_meets_the_scale_requirement_of_a_small_firm() -> None:
    small = {**STRONG, "revenue_fen": 800 * WAN, "rd_expense_fen": 200 * WAN}  # 25%: 10
    ev = score(ZJTX, {**small, "equity_raised_2y_fen": 2_000 * WAN})
    assert points(ev)["scale_requirement"] == 1 and ev.passed
    assert not score(ZJTX, {**small, "equity_raised_2y_fen": 2_000 * WAN - 1}).passed


def test_r_and_d_of_5_million_or_more_earns_the_full_10_whatever_the_ratio() -> None:
    big = {**STRONG, "rd_expense_fen": 500 * WAN, "revenue_fen": 12_500 * WAN}  # 4%
    assert points(score(ZJTX, big))["rd_input"] == 10
    assert points(score(ZJTX, {**big, "rd_expense_fen": 500 * WAN - 1}))["rd_input"] == 2


def test_the_batch_path_agrees() -> None:
    same_in_batch(
        ZJTX,
        [
            AVERAGE,
            STRONG,
            {**AVERAGE, "maker_china_top500": True},
            {**STRONG, "niche_years": 1},
            {},
        ],
    )
