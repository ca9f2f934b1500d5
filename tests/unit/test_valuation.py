"""Valuation methods: the reference's worked examples, refusals of bad input, and the doctests."""

import datetime as dt
import doctest
from decimal import Decimal
from typing import Any

import pytest

from patientcap.domain import valuation
from patientcap.domain.money import from_yuan
from patientcap.domain.valuation import (
    PAYNE_WEIGHTS,
    RFS_STEP_USD,
    BerkusCaps,
    BerkusFactor,
    LatestRoundResult,
    MarketMultiplesResult,
    Method,
    PricePosition,
    Risk,
    Scenario,
    Stage,
    StateAssetOutcome,
    TargetUnreachable,
    ValuationError,
    ValuationResult,
    assessment_expires,
    berkus,
    check_price,
    check_state_transfer,
    first_chicago,
    latest_round,
    market_multiples,
    methods_for_stage,
    months_between,
    reconcile,
    risk_factor_summation,
    scorecard,
    usd_to_fen,
    vc_method,
    vc_sensitivity,
)

USD = BerkusCaps.from_usd(Decimal(1))  # the reference's caps, one yuan per dollar
WAN = from_yuan(10_000)


def test_the_docstring_examples_hold():
    result = doctest.testmod(valuation)
    assert result.failed == 0 and result.attempted > 10


def test_valuation_errors_are_value_errors():
    assert issubclass(ValuationError, ValueError)


# --- stage table -------------------------------------------------------------------------


def test_pre_revenue_stages_get_berkus_scorecard_and_risk_factor_summation():
    for stage in (Stage.IDEA, Stage.SEED):
        methods = methods_for_stage(stage, has_round=False)
        assert {Method.BERKUS, Method.SCORECARD, Method.RISK_FACTOR_SUMMATION} <= set(methods)


def test_revenue_stages_get_vc_first_chicago_and_market_multiples():
    for stage in (Stage.GROWTH, Stage.EXPANSION):
        methods = set(methods_for_stage(stage, has_round=False))
        assert {Method.VC, Method.FIRST_CHICAGO, Method.MARKET_MULTIPLES} <= methods
        assert Method.BERKUS not in methods


def test_every_stage_has_at_least_two_methods_and_the_latest_round_when_a_round_exists():
    for stage in Stage:
        assert len(methods_for_stage(stage, has_round=False)) >= 2
        assert Method.LATEST_ROUND in methods_for_stage(stage, has_round=True)
        assert Method.LATEST_ROUND not in methods_for_stage(stage, has_round=False)


def test_a_stage_given_as_text_is_read():
    assert methods_for_stage("seed", has_round=False) == methods_for_stage(  # type: ignore[arg-type]
        Stage.SEED, has_round=False
    )


# --- Berkus ------------------------------------------------------------------------------


def test_berkus_caps_are_the_reference_figures_at_the_deployment_rate():
    caps = BerkusCaps.from_usd(Decimal("7.2"))
    assert caps.factor_cap_fen == from_yuan(3_600_000)
    assert caps.pre_revenue_cap_fen == from_yuan(14_400_000)
    assert caps.after_rollout_cap_fen == from_yuan(18_000_000)
    assert caps.min_year5_revenue_fen == from_yuan(144_000_000)


def test_berkus_sums_the_factors_and_counts_missing_ones_as_zero():
    r = berkus(
        factors={BerkusFactor.SOUND_IDEA: 50 * WAN, BerkusFactor.PROTOTYPE: 30 * WAN},
        caps=USD,
        year5_revenue_potential_fen=from_yuan(25_000_000),
    )
    assert r.method is Method.BERKUS
    assert r.value_fen == 80 * WAN
    assert r.inputs["management_team_fen"] == "0"
    assert any("not assessed" in s for s in r.steps)


def test_berkus_after_rollout_allows_the_full_two_and_a_half_million():
    r = berkus(
        factors=dict.fromkeys(BerkusFactor, 50 * WAN),
        caps=USD,
        year5_revenue_potential_fen=from_yuan(25_000_000),
        rolled_out=True,
    )
    assert r.value_fen == 250 * WAN


def test_berkus_refuses_a_factor_above_its_cap():
    with pytest.raises(ValuationError, match="above its cap"):
        berkus(
            factors={BerkusFactor.PROTOTYPE: 50 * WAN + 1},
            caps=USD,
            year5_revenue_potential_fen=from_yuan(25_000_000),
        )


def test_berkus_refuses_a_negative_factor_and_an_unknown_factor():
    with pytest.raises(ValuationError, match="at least zero"):
        berkus(
            factors={BerkusFactor.PROTOTYPE: -1},
            caps=USD,
            year5_revenue_potential_fen=from_yuan(25_000_000),
        )
    with pytest.raises(ValuationError, match="unknown Berkus factors"):
        berkus(
            factors={"luck": 1},  # type: ignore[dict-item]
            caps=USD,
            year5_revenue_potential_fen=from_yuan(25_000_000),
        )


def test_berkus_is_refused_for_a_firm_that_cannot_reach_the_year5_revenue():
    with pytest.raises(ValuationError, match="revenue in year 5"):
        berkus(factors={}, caps=USD, year5_revenue_potential_fen=from_yuan(20_000_000))


# --- scorecard ---------------------------------------------------------------------------


def test_payne_weights_add_up_to_one():
    assert sum(PAYNE_WEIGHTS.values()) == 1
    assert PAYNE_WEIGHTS["team"] == Decimal("0.30")


def test_an_average_firm_is_worth_the_regional_median():
    r = scorecard(median_pre_money_fen=800 * WAN, ratios=dict.fromkeys(PAYNE_WEIGHTS, Decimal(1)))
    assert r.value_fen == 800 * WAN


def test_scorecard_worked_example():
    # Team 125%, opportunity 150%, product 100%, competition 75%, marketing 80%,
    # further investment 100%, other 100%: Σ = 0.375+0.375+0.15+0.075+0.08+0.05+0.05 = 1.155
    ratios = {
        "team": Decimal("1.25"),
        "opportunity_size": Decimal("1.5"),
        "product_technology": Decimal(1),
        "competitive_environment": Decimal("0.75"),
        "marketing_sales_partnerships": Decimal("0.8"),
        "need_for_further_investment": Decimal(1),
        "other": Decimal(1),
    }
    r = scorecard(median_pre_money_fen=1000 * WAN, ratios=ratios)
    assert r.value_fen == 1155 * WAN


def test_scorecard_refuses_weights_that_do_not_add_up_to_one():
    weights = {**PAYNE_WEIGHTS, "team": Decimal("0.31")}
    with pytest.raises(ValuationError, match=r"add up to 1\.01, not 1"):
        scorecard(
            median_pre_money_fen=WAN, ratios=dict.fromkeys(weights, Decimal(1)), weights=weights
        )


def test_scorecard_refuses_missing_unknown_or_negative_ratios():
    ratios = dict.fromkeys(PAYNE_WEIGHTS, Decimal(1))
    del ratios["team"]
    with pytest.raises(ValuationError, match="missing \\['team'\\]"):
        scorecard(median_pre_money_fen=WAN, ratios=ratios)
    with pytest.raises(ValuationError, match="unknown \\['luck'\\]"):
        scorecard(
            median_pre_money_fen=WAN,
            ratios={**dict.fromkeys(PAYNE_WEIGHTS, Decimal(1)), "luck": Decimal(1)},
        )
    with pytest.raises(ValuationError, match="cannot be negative"):
        scorecard(
            median_pre_money_fen=WAN,
            ratios={**dict.fromkeys(PAYNE_WEIGHTS, Decimal(1)), "team": Decimal(-1)},
        )


def test_scorecard_refuses_a_float_ratio():
    with pytest.raises(ValuationError, match="must be a Decimal, not float"):
        scorecard(
            median_pre_money_fen=WAN,
            ratios={**dict.fromkeys(PAYNE_WEIGHTS, Decimal(1)), "team": 1.2},  # type: ignore[dict-item]
        )


# --- risk factor summation ---------------------------------------------------------------


def test_rfs_step_is_the_conventional_250k_dollars():
    assert usd_to_fen(RFS_STEP_USD, Decimal(1)) == 25 * WAN


def test_rfs_adds_250k_per_step():
    scores = {Risk.MANAGEMENT: 2, Risk.TECHNOLOGY: 1, Risk.LITIGATION: -1, Risk.FUNDING: -2}
    r = risk_factor_summation(base_fen=200 * WAN, step_fen=25 * WAN, scores=scores)
    assert r.value_fen == 200 * WAN
    scores[Risk.LUCRATIVE_EXIT] = 2
    r = risk_factor_summation(base_fen=200 * WAN, step_fen=25 * WAN, scores=scores)
    assert r.value_fen == 250 * WAN
    assert len([k for k in r.inputs if k.startswith("score_")]) == 12


def test_rfs_refuses_a_score_outside_minus_two_to_plus_two():
    with pytest.raises(ValuationError, match=r"-2\.\.\+2"):
        risk_factor_summation(base_fen=WAN, step_fen=WAN, scores={Risk.STAGE: 3})


def test_rfs_refuses_when_the_risks_wipe_out_the_base():
    with pytest.raises(ValuationError, match="exceed the base"):
        risk_factor_summation(base_fen=WAN, step_fen=WAN, scores={Risk.STAGE: -1})


# --- VC method ---------------------------------------------------------------------------


def test_vc_method_with_a_target_return_compounds_over_the_years():
    r = vc_method(
        exit_metric_fen=from_yuan(50_000_000),
        exit_multiple=Decimal(4),
        investment_fen=from_yuan(4_000_000),
        target_return=Decimal("0.5"),
        years=5,
    )
    # TV = 200M; M = 1.5^5 = 7.59375; post = 26,337,448.56; pre = 22,337,448.56
    assert r.terminal_value_fen == from_yuan(200_000_000)
    assert r.post_money_fen == from_yuan(Decimal("26337448.56"))
    assert r.value_fen == from_yuan(Decimal("22337448.56"))
    assert r.required_ownership == Decimal(r.inputs["investment_fen"]) / r.post_money_fen


def test_vc_method_with_dilution_matches_the_reference_ownership_formula():
    tv, invest, m = from_yuan(300_000_000), from_yuan(5_000_000), Decimal(10)
    dilutions = [Decimal("0.2"), Decimal("0.25")]
    r = vc_method(
        exit_metric_fen=from_yuan(100_000_000),
        exit_multiple=Decimal(3),
        investment_fen=invest,
        target_multiple=m,
        future_dilutions=dilutions,
    )
    retention = Decimal("0.6")
    assert r.retention == retention
    # F = I · M / (TV · R) = 5M × 10 / (300M × 0.6) = 0.2777…
    assert r.required_ownership == Decimal(invest) * m / (Decimal(tv) * retention)
    assert r.post_money_fen == from_yuan(18_000_000)
    assert r.value_fen == from_yuan(13_000_000)


def test_vc_method_new_shares_and_price():
    r = vc_method(
        exit_metric_fen=from_yuan(100_000_000),
        exit_multiple=Decimal(3),
        investment_fen=from_yuan(5_000_000),
        target_multiple=Decimal(10),
        shares_before=5_000_000,
    )
    # F = 1/6: y = 5M × (1/6) / (5/6) = 1M new shares at ¥5
    assert r.new_shares == Decimal(1_000_000)
    assert r.price_per_share_fen == Decimal(500)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"exit_multiple": Decimal(-3)}, "exit multiple must be above zero"),
        ({"target_return": Decimal(-1), "target_multiple": None}, "-100% or lower"),
        ({"target_return": Decimal("0.3")}, "either a target return or a target multiple"),
        ({"target_multiple": None}, "either a target return or a target multiple"),
        ({"target_multiple": Decimal(0)}, "target multiple must be above zero"),
        ({"future_dilutions": [Decimal(1)]}, "must be in \\[0, 1\\)"),
        ({"shares_before": 0}, "shares outstanding .* must be above zero"),
        ({"investment_fen": from_yuan(30_000_000)}, "not below the post-money"),
        ({"investment_fen": 0}, "investment_fen must be above zero"),
        ({"years": -1, "target_return": Decimal("0.3"), "target_multiple": None}, "between 0"),
        ({"exit_multiple": 3.0}, "must be a Decimal, not float"),
    ],
)
def test_vc_method_refuses_bad_input(changes, message):
    args: dict[str, Any] = {
        "exit_metric_fen": from_yuan(100_000_000),
        "exit_multiple": Decimal(3),
        "investment_fen": from_yuan(5_000_000),
        "target_multiple": Decimal(10),
    }
    with pytest.raises(ValuationError, match=message):
        vc_method(**(args | changes))


# --- First Chicago -----------------------------------------------------------------------


def test_first_chicago_discounts_each_scenario_from_its_exit_year():
    r = first_chicago(
        discount_rate=Decimal("0.2"),
        scenarios=[
            Scenario("success", Decimal("0.3"), from_yuan(144_000_000), years=2),
            Scenario("sideways", Decimal("0.5"), from_yuan(36_000_000), years=2),
            Scenario("failure", Decimal("0.2"), from_yuan(1_000_000)),
        ],
    )
    # 0.3 × 100M + 0.5 × 25M + 0.2 × 1M = 42.7M
    assert r.value_fen == from_yuan(42_700_000)
    assert r.method is Method.FIRST_CHICAGO


def test_first_chicago_refuses_probabilities_that_do_not_add_up_to_one():
    with pytest.raises(ValuationError, match=r"add up to 0\.9, not 1"):
        first_chicago(
            discount_rate=Decimal(0),
            scenarios=[
                Scenario("success", Decimal("0.4"), WAN),
                Scenario("failure", Decimal("0.5"), 0),
            ],
        )


@pytest.mark.parametrize(
    ("scenarios", "rate", "message"),
    [
        ([Scenario("a", Decimal(1), WAN)], Decimal("-1.5"), "-100% or lower"),
        ([], Decimal(0), "at least one scenario"),
        ([Scenario("a", Decimal("1.2"), WAN)], Decimal(0), "must be in \\[0, 1\\]"),
        ([Scenario("a", Decimal(1), -WAN)], Decimal(0), "at least zero"),
        ([Scenario("a", Decimal("0.5"), 1)] * 2, Decimal(0), "names repeat"),
    ],
)
def test_first_chicago_refuses_bad_input(scenarios, rate, message):
    with pytest.raises(ValuationError, match=message):
        first_chicago(scenarios=scenarios, discount_rate=rate)


# --- latest round ------------------------------------------------------------------------


def test_latest_round_is_price_times_fully_diluted_shares_and_fresh_within_a_year():
    r = latest_round(
        price_per_share_yuan=Decimal("3.20"),
        fully_diluted_shares=12_500_000,
        round_date=dt.date(2026, 1, 15),
        as_of=dt.date(2026, 11, 27),
    )
    assert isinstance(r, LatestRoundResult)
    assert r.value_fen == from_yuan(40_000_000)
    assert (r.months_since_round, r.stale) == (10, False)


def test_latest_round_adjustment_needs_a_reason_and_is_applied():
    args: dict[str, Any] = {
        "price_per_share_yuan": Decimal(2),
        "fully_diluted_shares": 1_000_000,
        "round_date": dt.date(2026, 1, 1),
        "as_of": dt.date(2026, 3, 1),
        "adjustment": Decimal("1.1"),
    }
    with pytest.raises(ValuationError, match="needs a reason"):
        latest_round(**args)
    r = latest_round(**args, adjustment_reason="pilot customer signed")
    assert r.value_fen == from_yuan(2_200_000)
    assert any("pilot customer signed" in s for s in r.steps)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fully_diluted_shares": 0}, "share count must be above zero"),
        ({"price_per_share_yuan": Decimal(0)}, "price per share must be above zero"),
        ({"round_date": dt.date(2027, 1, 1)}, "after the valuation date"),
        ({"adjustment": Decimal(0), "adjustment_reason": "x"}, "adjustment factor"),
    ],
)
def test_latest_round_refuses_bad_input(changes, message):
    args: dict[str, Any] = {
        "price_per_share_yuan": Decimal(2),
        "fully_diluted_shares": 1_000_000,
        "round_date": dt.date(2026, 1, 1),
        "as_of": dt.date(2026, 3, 1),
    }
    with pytest.raises(ValuationError, match=message):
        latest_round(**(args | changes))


def test_months_between_counts_whole_months_only():
    assert months_between(dt.date(2025, 1, 31), dt.date(2025, 2, 28)) == 0
    assert months_between(dt.date(2025, 1, 31), dt.date(2025, 3, 31)) == 2
    assert months_between(dt.date(2025, 11, 27), dt.date(2026, 11, 27)) == 12


def test_a_round_exactly_twelve_months_old_is_not_yet_stale():
    args: dict[str, Any] = {"price_per_share_yuan": Decimal(1), "fully_diluted_shares": 1}
    fresh = latest_round(**args, round_date=dt.date(2025, 11, 27), as_of=dt.date(2026, 11, 27))
    stale = latest_round(**args, round_date=dt.date(2025, 10, 26), as_of=dt.date(2026, 11, 27))
    assert not fresh.stale and stale.stale


# --- market multiples --------------------------------------------------------------------


def test_market_multiples_use_the_median_and_report_the_range():
    r = market_multiples(
        metric_fen=from_yuan(20_000_000),
        metric_name="revenue",
        comparables={"A": Decimal("1.5"), "B": Decimal("2.5"), "C": Decimal(4), "D": Decimal(8)},
    )
    assert isinstance(r, MarketMultiplesResult)
    assert r.median_multiple == Decimal("3.25")
    assert r.value_fen == from_yuan(65_000_000)
    assert (r.low_fen, r.high_fen) == (from_yuan(30_000_000), from_yuan(160_000_000))


def test_market_multiples_refuse_a_negative_multiple_no_comparables_and_a_loss():
    with pytest.raises(ValuationError, match="multiple of B is negative"):
        market_multiples(
            metric_fen=WAN, metric_name="EBITDA", comparables={"A": Decimal(2), "B": Decimal(-1)}
        )
    with pytest.raises(ValuationError, match="at least one comparable"):
        market_multiples(metric_fen=WAN, metric_name="EBITDA", comparables={})
    with pytest.raises(ValuationError, match="EBITDA must be above zero"):
        market_multiples(metric_fen=-WAN, metric_name="EBITDA", comparables={"A": Decimal(2)})


# --- reconciliation and price flags -------------------------------------------------------


def _result(method, value):
    return ValuationResult(method, value, {}, ())


def test_reconciliation_range_and_weighted_point():
    results = [
        _result(Method.BERKUS, 1500 * WAN),
        _result(Method.SCORECARD, 1800 * WAN),
        _result(Method.RISK_FACTOR_SUMMATION, 2100 * WAN),
    ]
    rec = reconcile(
        results,
        weights={
            Method.BERKUS: Decimal("0.25"),
            Method.SCORECARD: Decimal("0.5"),
            Method.RISK_FACTOR_SUMMATION: Decimal("0.25"),
        },
        rationale="scorecard has the best regional data",
        not_computed={Method.LATEST_ROUND: "no round yet"},
    )
    assert (rec.low_fen, rec.high_fen, rec.point_fen) == (1500 * WAN, 2100 * WAN, 1800 * WAN)
    assert rec.spread == Decimal("0.4") and not rec.spread_is_wide
    assert rec.not_computed == {Method.LATEST_ROUND: "no round yet"}


def test_a_chosen_point_must_lie_in_the_range_and_have_a_rationale():
    results = [_result(Method.BERKUS, 100), _result(Method.SCORECARD, 200)]
    assert reconcile(results, chosen_fen=150, rationale="midpoint").point_fen == 150
    with pytest.raises(ValuationError, match="outside the range"):
        reconcile(results, chosen_fen=250, rationale="optimistic")
    with pytest.raises(ValuationError, match="needs a rationale"):
        reconcile(results, chosen_fen=150, rationale="  ")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": {Method.BERKUS: Decimal("0.5"), Method.SCORECARD: Decimal("0.4")}}, "not 1"),
        ({"weights": {Method.BERKUS: Decimal(1)}}, "cover exactly"),
        ({"weights": {Method.BERKUS: Decimal(2), Method.SCORECARD: Decimal(-1)}}, "negative"),
        ({}, "either method weights or a chosen amount"),
    ],
)
def test_reconciliation_refuses_bad_weights(kwargs, message):
    results = [_result(Method.BERKUS, 100), _result(Method.SCORECARD, 200)]
    with pytest.raises(ValuationError, match=message):
        reconcile(results, rationale="r", **kwargs)


def test_reconciliation_refuses_no_results_and_repeated_methods():
    with pytest.raises(ValuationError, match="at least one"):
        reconcile([], chosen_fen=0, rationale="r")
    with pytest.raises(ValuationError, match="only once"):
        reconcile([_result(Method.VC, 1), _result(Method.VC, 2)], chosen_fen=1, rationale="r")


def test_prices_outside_the_range_are_flagged_with_the_distance():
    below = check_price(80, low_fen=100, high_fen=300)
    assert (below.position, below.distance_fen, below.distance_ratio) == (
        PricePosition.BELOW,
        20,
        Decimal("0.2"),
    )
    inside = check_price(300, low_fen=100, high_fen=300)
    assert (inside.position, inside.distance_fen) == (PricePosition.WITHIN, 0)
    with pytest.raises(ValuationError, match="low end is above"):
        check_price(1, low_fen=3, high_fen=2)


def test_a_price_above_a_zero_range_is_infinitely_far_out():
    check = check_price(5, low_fen=0, high_fen=0)
    assert (check.position, check.distance_ratio) == (PricePosition.ABOVE, Decimal("Infinity"))
    assert check_price(0, low_fen=0, high_fen=0).position is PricePosition.WITHIN


# --- state-owned assets ------------------------------------------------------------------

BASE = dt.date(2026, 1, 10)


def _state(price, *, as_of=dt.date(2026, 6, 1), **kw):
    return check_state_transfer(
        price_fen=price, assessed_value_fen=1000 * WAN, assessment_base_date=BASE, as_of=as_of, **kw
    )


def test_a_price_at_the_assessed_value_with_a_current_assessment_is_ok():
    check = _state(1000 * WAN)
    assert check.outcome is StateAssetOutcome.OK
    assert (check.floor_fen, check.approval_below_fen) == (1000 * WAN, 900 * WAN)


def test_a_first_listing_below_the_assessed_value_is_refused():
    check = _state(1000 * WAN - 1)
    assert check.outcome is StateAssetOutcome.REFUSED
    assert "below the assessed value" in check.reasons[0]


def test_a_relisting_down_to_ninety_percent_is_ok_and_below_needs_written_approval():
    assert _state(900 * WAN, relisted=True).outcome is StateAssetOutcome.OK
    check = _state(900 * WAN - 1, relisted=True)
    assert check.outcome is StateAssetOutcome.NEEDS_APPROVAL
    assert "written approval" in check.reasons[0]
    approved = _state(900 * WAN - 1, relisted=True, written_approval_ref="国资批〔2026〕12号")
    assert approved.outcome is StateAssetOutcome.OK
    assert "国资批〔2026〕12号" in approved.reasons[0]


def test_an_assessment_older_than_one_year_is_stale_and_refused():
    on_anniversary = _state(1000 * WAN, as_of=dt.date(2027, 1, 10))
    day_after = _state(1000 * WAN, as_of=dt.date(2027, 1, 11))
    assert on_anniversary.outcome is StateAssetOutcome.OK and not on_anniversary.stale
    assert day_after.outcome is StateAssetOutcome.REFUSED and day_after.stale
    assert "attach a new assessment" in day_after.reasons[0]


def test_a_stale_assessment_stays_refused_even_with_an_approval():
    check = _state(800 * WAN, as_of=dt.date(2027, 2, 1), relisted=True, written_approval_ref="x")
    assert check.outcome is StateAssetOutcome.REFUSED


def test_an_assessment_dated_after_the_check_or_worth_nothing_is_refused():
    with pytest.raises(ValuationError, match="after the check date"):
        _state(1, as_of=dt.date(2025, 12, 31))
    with pytest.raises(ValuationError, match="assessed value must be above zero"):
        check_state_transfer(
            price_fen=1, assessed_value_fen=0, assessment_base_date=BASE, as_of=BASE
        )


def test_an_assessment_of_29_february_expires_on_28_february():
    assert assessment_expires(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_vc_sensitivity_grid_marks_unreachable_targets_as_not_computed():
    grid = vc_sensitivity(
        exit_metric_fen=from_yuan(100_000_000),
        investment_fen=from_yuan(5_000_000),
        years=5,
        target_returns=[Decimal("0.3"), Decimal("0.7")],
        exit_multiples=[Decimal("0.1"), Decimal(3)],
    )
    assert len(grid) == 4
    assert grid[Decimal("0.7"), Decimal("0.1")] is None
    low_return, high_return = grid[Decimal("0.3"), Decimal(3)], grid[Decimal("0.7"), Decimal(3)]
    assert low_return is not None and high_return is not None and high_return < low_return


def test_an_unreachable_target_is_a_valuation_error():
    assert issubclass(TargetUnreachable, ValuationError)
