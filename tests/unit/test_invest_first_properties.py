"""Properties of the invest-first rules over generated terms."""

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from patientcap.domain.invest_first import (
    Agreement,
    BuybackTerms,
    InvestFirst,
    InvestFirstError,
    Tranche,
    Variant,
    buyback_price,
    check_disbursement,
    write_off,
)

dates = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
fen = st.integers(1, 10**12)
rates = st.decimals(0, 1, places=4)


@given(
    st.lists(st.tuples(dates, fen), min_size=1, max_size=5),
    rates,
    st.integers(0, 10**13),
    st.integers(0, 10**13),
    st.booleans(),
)
def test_the_buyback_price_lies_within_the_floor_and_the_cap(paid, rate, floor, span, capped):
    on = max(d for d, _ in paid) + dt.timedelta(days=1)
    terms = BuybackTerms(rate, floor_fen=floor, cap_fen=floor + span if capped else None)
    price = buyback_price(terms, paid, on)
    assert price.price_fen >= floor
    if capped:
        assert price.price_fen <= floor + span
    if price.bound == "":
        exact = sum(p * (1 + Fraction(rate) * Fraction((on - d).days, 365)) for d, p in paid)
        assert abs(price.formula_fen - exact) <= Fraction(1, 2)


@given(fen, st.lists(fen, max_size=6))
def test_an_agreement_never_holds_tranches_beyond_its_amount(amount, tranches):
    signed = dt.date(2024, 1, 1)
    args = (InvestFirst("fund", amount, Variant.NEXT_ROUND), signed, dt.date(2027, 1, 1))
    parts = tuple(Tranche(signed, t) for t in tranches)
    if sum(tranches) > amount:
        with pytest.raises(InvestFirstError, match="more than"):
            Agreement(*args, tranches=parts)
    else:
        assert sum(t.amount_fen for t in Agreement(*args, tranches=parts).tranches) <= amount


@given(fen, st.lists(fen, max_size=8), st.integers(0, 10**13))
def test_disbursements_never_exceed_the_amount_or_the_pool(amount, tranches, pool):
    a = Agreement(
        InvestFirst("fund", amount, Variant.NEXT_ROUND),
        dt.date(2024, 1, 1),
        dt.date(2027, 1, 1),
        (),
    )
    disbursed = 0
    for t in tranches:
        try:
            d = check_disbursement(
                a, disbursed_fen=disbursed, tranche_fen=t, pool_available_fen=pool
            )
        except InvestFirstError:
            assert disbursed + t > amount or t > pool
            continue
        disbursed += d.amount_fen
        pool = d.pool_available_fen
        assert pool >= 0 and disbursed + d.remaining_fen == amount


@given(fen, st.integers(0, 10**12), st.decimals(0, 1, places=3))
def test_a_write_off_never_exceeds_the_tolerance(disbursed, recovered, tolerance):
    assume(recovered <= disbursed)
    try:
        w = write_off(disbursed_fen=disbursed, recovered_fen=recovered, tolerance=tolerance)
    except InvestFirstError:
        assert Fraction(disbursed - recovered, disbursed) > Fraction(tolerance)
    else:
        assert w.loss_fen == disbursed - recovered
        assert Fraction(w.loss_fen, disbursed) <= Fraction(tolerance)
