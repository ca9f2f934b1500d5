"""Properties of the cap-table engine over generated tables and rounds."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patientcap.domain.captable import (
    COMMON,
    CapTable,
    CapTableError,
    Holding,
    InvestFirst,
    Investment,
    OptionPool,
    PostMoneySafe,
    PreMoneySafe,
    ShareClass,
    Variant,
    ownership,
    priced_round,
)

SERIES = ShareClass("Series A", preferred=True, seniority=1)


@st.composite
def tables(draw) -> CapTable:
    holders = draw(st.lists(st.integers(0, 10**9), min_size=1, max_size=12))
    if not any(holders):
        holders[0] = 1
    pool = OptionPool(draw(st.integers(0, 10**7)), draw(st.integers(0, 10**7)))
    return CapTable(
        (COMMON,), tuple(Holding(f"h{i}", "common", n) for i, n in enumerate(holders)), pool
    )


@st.composite
def convertibles(draw):
    amount = draw(st.integers(1, 10**9))
    discount = Decimal(draw(st.integers(0, 30))) / 100
    cap = draw(st.none() | st.integers(10**10, 10**12))
    kind = draw(st.sampled_from(["post", "pre", "A", "B", "C", "D", "E"]))
    if kind == "post":
        return PostMoneySafe("post", amount, cap, discount)
    if kind == "pre":
        return PreMoneySafe("pre", amount, cap, discount)
    valuation = cap or 10**11
    fraction = Decimal(draw(st.integers(1, 20))) / 100
    return InvestFirst(f"zone-{kind}", amount, Variant(kind), discount, valuation, fraction)


@given(tables())
def test_ownership_always_sums_to_one(table):
    result = ownership(table)
    assert sum(result.fully_diluted.values()) == 1
    assert sum(result.issued.values()) == 1
    assert all(v >= 0 for v in result.fully_diluted.values())


@settings(max_examples=150)
@given(
    table=tables(),
    pre_money=st.integers(10**8, 10**12),
    amounts=st.lists(st.integers(10**6, 10**11), min_size=1, max_size=4),
    pool=st.sampled_from([None, Decimal("0.05"), Decimal("0.1"), Decimal("0.2")]),
    instruments=st.lists(convertibles(), max_size=3),
)
def test_a_round_keeps_share_counts_whole_and_non_negative(
    table, pre_money, amounts, pool, instruments
):
    investments = tuple(Investment(f"inv{i}", a) for i, a in enumerate(amounts))
    try:
        result = priced_round(
            table,
            series=SERIES,
            pre_money_fen=pre_money,
            investments=investments,
            pool_target=pool,
            convertibles=tuple(instruments),
        )
    except CapTableError as refused:  # refusals must say why
        assert str(refused)
        return
    assert result.price_per_share > 0
    assert all(h.shares >= 0 for h in result.table.holdings)
    assert all(0 <= i.residue_fen < i.price for i in result.issued if i.price)
    assert result.fully_diluted_post == result.table.fully_diluted
    if pool is not None and result.pool_increase:
        # Off the target only by whole-share rounding and the price's fifth decimal place.
        reached = Fraction(result.table.pool.unallocated, result.fully_diluted_post)
        roundings = len(amounts) + len(instruments) + 2
        price_step = Fraction(1, 10**5) / Fraction(result.price_per_share)
        slack = Fraction(roundings, result.fully_diluted_post) + price_step
        assert abs(reached - Fraction(pool)) <= slack
    result_ownership = ownership(result.table)
    assert sum(result_ownership.fully_diluted.values()) == 1


@given(
    pre_money=st.integers(-(10**9), 0) | st.integers(1, 10**9),
    amount=st.integers(-(10**9), 0),
)
def test_a_round_with_no_positive_money_is_refused_with_a_message(pre_money, amount):
    table = CapTable((COMMON,), (Holding("f", "common", 1000),))
    with pytest.raises(CapTableError, match="must be a positive number of fen") as caught:
        priced_round(
            table, series=SERIES, pre_money_fen=pre_money, investments=(Investment("x", amount),)
        )
    assert isinstance(caught.value, ValueError)
