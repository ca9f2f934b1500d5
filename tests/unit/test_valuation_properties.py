"""Valuation properties (hypothesis): monotonicity, the range, the weighted sum."""

import datetime as dt
from decimal import Decimal
from itertools import pairwise

from hypothesis import assume, given
from hypothesis import strategies as st

from patientcap.domain.money import round_fen
from patientcap.domain.valuation import (
    Method,
    Scenario,
    StateAssetOutcome,
    ValuationError,
    ValuationResult,
    check_price,
    check_state_transfer,
    first_chicago,
    reconcile,
    vc_method,
)

amounts = st.integers(min_value=1, max_value=10**14)
rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(2), places=3)
multiples = st.decimals(min_value=Decimal("0.1"), max_value=Decimal(50), places=2)
dilutions = st.lists(st.decimals(min_value=0, max_value=Decimal("0.9"), places=2), max_size=4)


def _post(metric, multiple, rate, years, dil):
    return vc_method(
        exit_metric_fen=metric,
        exit_multiple=multiple,
        investment_fen=1,
        target_return=rate,
        years=years,
        future_dilutions=dil,
    ).post_money_fen


@given(
    metric=st.integers(min_value=10**8, max_value=10**14),
    multiple=multiples,
    low=rates,
    high=rates,
    years=st.integers(min_value=1, max_value=10),
    dil=dilutions,
)
def test_vc_post_money_does_not_rise_as_the_target_return_rises(
    metric, multiple, low, high, years, dil
):
    low, high = sorted((low, high))
    try:
        post_low, post_high = (_post(metric, multiple, r, years, dil) for r in (low, high))
    except ValuationError:  # post-money of a fen or less: the deal cannot work at all
        assume(False)
    assert post_high <= post_low


@given(
    metric=st.integers(min_value=10**8, max_value=10**14),
    multiple=multiples,
    rate=rates,
    years=st.integers(min_value=1, max_value=10),
    dil=dilutions,
    extra=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.9"), places=2),
)
def test_more_later_dilution_never_raises_the_post_money(metric, multiple, rate, years, dil, extra):
    try:
        before = _post(metric, multiple, rate, years, dil)
        after = _post(metric, multiple, rate, years, [*dil, extra])
    except ValuationError:
        assume(False)
    assert after <= before


def _shares_of_one(draw, n):
    """n Decimals in thousandths, each ≥ 0, adding up to exactly 1."""
    cuts = sorted(draw(st.lists(st.integers(0, 1000), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 1000]
    return [Decimal(b - a) / 1000 for a, b in pairwise(bounds)]


@st.composite
def scenarios(draw):
    n = draw(st.integers(min_value=1, max_value=5))
    probs = _shares_of_one(draw, n)
    values = draw(st.lists(st.integers(0, 10**14), min_size=n, max_size=n))
    return [Scenario(f"s{i}", p, v) for i, (p, v) in enumerate(zip(probs, values, strict=True))]


@given(scenarios())
def test_first_chicago_equals_the_probability_weighted_sum(scen):
    r = first_chicago(scenarios=scen, discount_rate=Decimal(0))
    assert r.value_fen == round_fen(sum((s.probability * s.value_fen for s in scen), Decimal(0)))
    assert min(s.value_fen for s in scen) <= r.value_fen <= max(s.value_fen for s in scen)


@given(scenarios(), st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1), places=2))
def test_discounting_never_raises_a_first_chicago_value(scen, rate):
    later = [Scenario(s.name, s.probability, s.value_fen, years=3) for s in scen]
    undiscounted = first_chicago(scenarios=later, discount_rate=Decimal(0)).value_fen
    assert first_chicago(scenarios=later, discount_rate=rate).value_fen <= undiscounted


methods = list(Method)


@given(
    st.lists(st.integers(0, 10**14), min_size=1, max_size=len(methods)),
    st.data(),
)
def test_the_range_contains_every_method_value_and_the_weighted_point(values, data):
    results = [ValuationResult(m, v, {}, ()) for m, v in zip(methods, values, strict=False)]
    shares = _shares_of_one(data.draw, len(results))
    weights = {r.method: w for r, w in zip(results, shares, strict=True)}
    rec = reconcile(results, weights=weights, rationale="property")
    assert all(rec.low_fen <= r.value_fen <= rec.high_fen for r in results)
    assert rec.low_fen <= rec.point_fen <= rec.high_fen
    for r in results:
        assert (
            check_price(r.value_fen, low_fen=rec.low_fen, high_fen=rec.high_fen).distance_fen == 0
        )


@given(
    price=st.integers(0, 10**12),
    assessed=st.integers(1, 10**12),
    relisted=st.booleans(),
    approved=st.booleans(),
)
def test_state_transfer_outcome_follows_the_floor_and_the_ninety_percent_line(
    price, assessed, relisted, approved
):
    check = check_state_transfer(
        price_fen=price,
        assessed_value_fen=assessed,
        assessment_base_date=dt.date(2026, 1, 1),
        as_of=dt.date(2026, 6, 1),
        relisted=relisted,
        written_approval_ref="批复" if approved else "",
    )
    if price >= assessed:
        expected = StateAssetOutcome.OK
    elif not relisted:
        expected = StateAssetOutcome.REFUSED
    elif 10 * price < 9 * assessed and not approved:
        expected = StateAssetOutcome.NEEDS_APPROVAL
    else:
        expected = StateAssetOutcome.OK
    assert check.outcome is expected
    # the reported line is the lowest whole-fen price that needs no approval
    assert 10 * check.approval_below_fen >= 9 * assessed > 10 * (check.approval_below_fen - 1)
