"""高新技术企业: the hard thresholds (with the revenue-dependent R&D floor) and the 创新能力评价
score (> 70 to pass, expert ranges, the growth formula), on firms worked out by hand."""

from decimal import Decimal

from tests.unit.test_rulesets_support import load, points, same_in_batch

from patientcap.domain.ruleset import mean_growth
from patientcap.domain.scoring import Pick, score

THRESHOLDS = load("high_tech_thresholds.yaml")
INNOVATION = load("high_tech_innovation.yaml")
WAN = 1_000_000  # fen in 1万元

# A firm meeting every threshold: ¥40M revenue (≤ ¥50M, so the 5% floor), 5.5% R&D over 3 years.
MEETS = {
    "years_registered": 3,
    "invention_patents": 0,
    "class2_ip": 2,
    "tech_staff": 15,
    "total_staff": 100,
    "high_tech_revenue_share": Decimal("0.65"),
    "rd_expense_3y_fen": 550 * WAN,
    "revenue_3y_fen": 10_000 * WAN,
    "revenue_fen": 4_000 * WAN,
    "rd_in_china_share": Decimal("0.9"),
    "major_incident": 0,
}


def test_a_firm_meeting_every_threshold_passes_with_nine_of_nine() -> None:
    ev = score(THRESHOLDS, MEETS)
    assert (ev.raw_total, ev.passed, ev.grade) == (Decimal(9), True, "符合")
    assert ev.reasons == ()


def test_the_r_and_d_floor_follows_the_latest_revenue_band() -> None:
    # 4.5% over three years: short of 5% at ¥50M revenue, enough at ¥50M + 1 fen (4% band).
    firm = {**MEETS, "rd_expense_3y_fen": 450 * WAN}
    at_edge = score(THRESHOLDS, {**firm, "revenue_fen": 5_000 * WAN})
    assert points(at_edge)["rd_floor_small"] == 0 and not at_edge.passed
    assert at_edge.reasons[0].indicator == "rd_floor_small"
    above = score(THRESHOLDS, {**firm, "revenue_fen": 5_000 * WAN + 1})
    assert above.passed
    # 3.5%: fails the 4% floor up to ¥200M, meets the 3% floor above it.
    firm = {**MEETS, "rd_expense_3y_fen": 350 * WAN}
    assert not score(THRESHOLDS, {**firm, "revenue_fen": 20_000 * WAN}).passed
    assert score(THRESHOLDS, {**firm, "revenue_fen": 20_000 * WAN + 1}).passed


def test_each_missing_or_failed_threshold_blocks_and_is_a_reason() -> None:
    ev = score(THRESHOLDS, {**MEETS, "tech_staff": 9, "high_tech_revenue_share": None})
    assert ev.raw_total == 7 and not ev.passed
    assert {r.indicator for r in ev.reasons} == {"tech_staff_share", "high_tech_revenue_share"}
    assert not score(THRESHOLDS, {**MEETS, "major_incident": 1}).passed
    assert not score(THRESHOLDS, {**MEETS, "years_registered": 0}).passed
    assert not score(THRESHOLDS, {**MEETS, "class2_ip": 0}).passed
    assert not score(THRESHOLDS, {**MEETS, "revenue_3y_fen": 0}).passed  # no ratio: no floor met
    same_in_batch(
        THRESHOLDS,
        [MEETS, {**MEETS, "rd_expense_3y_fen": 450 * WAN}, {**MEETS, "revenue_fen": None}, {}],
    )


def test_the_growth_formula_follows_the_official_special_cases() -> None:
    assert mean_growth(1_000, 1_200, 1_500) == Decimal("0.225")  # ½(1.2 + 1.25) − 1
    assert mean_growth(0, 1_000, 1_300) == Decimal("0.3")  # Y1 = 0: last two years only
    assert mean_growth(None, 1_000, 1_300) == Decimal("0.3")  # operating two years
    assert mean_growth(500, 0, 800) == 0  # Y2 = 0 scores 0
    assert mean_growth(1_000, None, 1_300) is None and mean_growth(1, 2, None) is None
    assert mean_growth(1_000, 900, 810) == Decimal("-0.1")


def _innovative(**picks: int) -> tuple[dict, dict[str, Pick]]:
    firm = {
        "ip_advancement_level": 4,  # high: 7–8
        "ip_core_support_level": 3,  # fairly strong: 5–6
        "invention_patents": 2,  # class I: the waiver gives 8
        "class2_ip": 1,
        "ip_self_developed": 1,  # 1–6
        "conversions_per_year": Decimal("3.3"),  # ≥3: 13–18
        "rd_management_system": 1,  # 1–6
        "rd_institution_cooperation": 1,  # 1–6
        "conversion_incentives": 0,  # 0
        "talent_system": 1,  # 1–4
        "net_assets_growth_3y": mean_growth(1_000 * WAN, 1_200 * WAN, 1_500 * WAN),  # 22.5%: 5–6
        "revenue_growth_3y": mean_growth(2_000 * WAN, 2_600 * WAN, 3_380 * WAN),  # 30%: 7–8
    }
    return firm, {k: Pick(Decimal(v), "王评审", "材料充分") for k, v in picks.items()}


def test_without_picks_each_range_counts_its_lower_end() -> None:
    firm, _ = _innovative()
    ev = score(INNOVATION, firm)
    # IP 7 + 5 + 8 + 1 = 21; conversion 13; management 1 + 1 + 0 + 1 = 3; growth 5 + 7 = 12.
    assert dict(ev.dimensions) == {
        "ip": Decimal(21),
        "conversion": Decimal(13),
        "rd_management": Decimal(3),
        "growth": Decimal(12),
    }
    assert ev.total == Decimal("49.00") and not ev.passed and ev.grade == "≤70"
    same_in_batch(INNOVATION, [firm, {}, {**firm, "revenue_growth_3y": Decimal(0)}])


def test_expert_picks_lift_the_total_and_only_above_70_passes() -> None:
    picks = {
        "ip_advancement": 8,
        "ip_core_support": 6,
        "ip_acquisition": 5,
        "conversions": 18,
        "rd_management_system": 5,
        "rd_institution_cooperation": 4,
        "talent_system": 4,
        "net_assets_growth": 5,
        "revenue_growth": 7,
    }
    firm, chosen = _innovative(**picks)
    # IP 8 + 6 + 8 + 5 = 27; conversion 18; management 5 + 4 + 0 + 4 = 13; growth 5 + 7 = 12.
    at_70 = score(INNOVATION, firm, chosen)
    assert at_70.total == Decimal("70.00") and not at_70.passed
    firm, chosen = _innovative(**{**picks, "net_assets_growth": 6, "revenue_growth": 8})
    passing = score(INNOVATION, firm, chosen)
    assert passing.total == Decimal("72.00") and passing.passed and passing.grade == ">70"
    assert next(s for s in passing.indicators if s.key == "conversions").picker == "王评审"


def test_growth_at_or_below_zero_scores_nothing_and_just_above_scores_the_first_band() -> None:
    firm, _ = _innovative()
    for g, expected in ((Decimal(0), 0), (Decimal("-0.2"), 0), (Decimal("0.01"), 1)):
        assert points(score(INNOVATION, {**firm, "revenue_growth_3y": g}))["revenue_growth"] == (
            expected
        )
    # both edges of the 35% band
    assert points(score(INNOVATION, {**firm, "revenue_growth_3y": Decimal("0.35")}))[
        "revenue_growth"
    ] == Decimal(9)
    assert points(score(INNOVATION, {**firm, "revenue_growth_3y": Decimal("0.3499")}))[
        "revenue_growth"
    ] == Decimal(7)
