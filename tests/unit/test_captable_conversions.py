"""Invest-first money converted outside a round being priced, and secondary transfers of shares.
Expected figures are worked out here with exact fractions (reference equity-math.md §7.3)."""

from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientcap.domain.captable import (
    COMMON,
    CapTable,
    CapTableError,
    Holding,
    InvestFirst,
    Investment,
    OptionPool,
    ShareClass,
    Variant,
    convert_outside_round,
    ownership,
    priced_round,
    quantize_price,
    transfer,
)
from patientcap.domain.waterfall import waterfall

YUAN = 100
SERIES_A = ShareClass("Series A", preferred=True, seniority=1)


def founders(shares: int = 9_000_000, pool: int = 0) -> CapTable:
    return CapTable(
        (COMMON,), (Holding("founder", "common", shares),), OptionPool(unallocated=pool)
    )


def after_round():
    return priced_round(
        founders(),
        series=SERIES_A,
        pre_money_fen=18_000_000 * YUAN,
        investments=(Investment("vc", 2_000_000 * YUAN),),
    )


def test_variant_b_owns_its_amount_over_the_agreed_valuation_without_a_round():
    money = InvestFirst(
        "zone", 2_000_000 * YUAN, Variant.AGREED_VALUATION, agreed_valuation_fen=20_000_000 * YUAN
    )
    result = convert_outside_round(founders(), money)
    assert result.issue.price == Decimal("200.00000")  # (20M − 2M) / 9M yuan
    assert result.issue.shares == 1_000_000
    assert result.stake == Decimal("0.1")
    assert result.share_class == "common"
    assert result.issue.residue_fen == 0


def test_variant_c_converts_to_a_fixed_fraction_without_a_price():
    money = InvestFirst(
        "zone", 2_000_000 * YUAN, Variant.FIXED_PERCENTAGE, fixed_fraction=Decimal("0.07")
    )
    result = convert_outside_round(founders(pool=500_000), money)
    fd = 9_500_000
    assert result.issue.shares == floor(Fraction(7, 100) * fd / Fraction(93, 100))
    assert result.issue.price is None
    assert abs(result.stake - Decimal("0.07")) < Decimal("0.0000001")


def test_variant_a_converts_at_the_round_price_less_the_discount_into_a_shadow_series():
    rnd = after_round()
    money = InvestFirst("zone", 1_000_000 * YUAN, Variant.NEXT_ROUND, discount=Decimal("0.2"))
    result = convert_outside_round(
        rnd.table,
        money,
        round_price=rnd.price_per_share,
        round_class=rnd.table.by_name["Series A"],
    )
    price = quantize_price(Fraction(rnd.price_per_share) * 4 / 5)
    assert result.issue.price == price
    assert result.issue.shares == floor(Fraction(1_000_000 * YUAN) / Fraction(price))
    assert result.issue.residue_fen == 1_000_000 * YUAN - result.issue.shares * price
    shadow = result.table.by_name[result.share_class]
    assert shadow.preferred and shadow.original_issue_price == price
    assert result.stake == (
        Decimal(result.issue.shares) / Decimal(result.table.fully_diluted)
    ).quantize(Decimal("1e-10"))


def test_variant_d_takes_the_lower_of_the_agreed_price_and_the_discounted_round_price():
    rnd = after_round()  # 200 fen a share
    cheap = InvestFirst(
        "zone",
        1_000_000 * YUAN,
        Variant.CAPPED,
        discount=Decimal("0.1"),
        agreed_valuation_fen=11_000_000 * YUAN,
    )
    kwargs = {"round_price": rnd.price_per_share, "round_class": rnd.table.by_name["Series A"]}
    result = convert_outside_round(rnd.table, cheap, **kwargs)
    assert result.issue.price == Decimal("100.00000")  # (11M − 1M) / 10M shares
    dear = InvestFirst(
        "zone",
        1_000_000 * YUAN,
        Variant.CAPPED,
        discount=Decimal("0.1"),
        agreed_valuation_fen=100_000_000 * YUAN,
    )
    assert convert_outside_round(rnd.table, dear, **kwargs).issue.price == Decimal("180.00000")


def test_a_conversion_is_refused_for_variant_e_and_for_a_or_d_without_a_round():
    with pytest.raises(CapTableError, match="does not convert"):
        convert_outside_round(founders(), InvestFirst("zone", 100, Variant.NO_CONVERSION))
    with pytest.raises(CapTableError, match="name the round"):
        convert_outside_round(founders(), InvestFirst("zone", 100, Variant.NEXT_ROUND))
    capped = InvestFirst("zone", 100, Variant.CAPPED, agreed_valuation_fen=10**9)
    with pytest.raises(CapTableError, match="name the round"):
        convert_outside_round(founders(), capped)


def test_a_conversion_refuses_bad_terms():
    with pytest.raises(CapTableError, match="positive number of fen"):
        convert_outside_round(
            founders(),
            InvestFirst("zone", 0, Variant.FIXED_PERCENTAGE, fixed_fraction=Decimal("0.1")),
        )
    with pytest.raises(CapTableError, match="must exceed"):
        convert_outside_round(
            founders(),
            InvestFirst("zone", 10**8, Variant.AGREED_VALUATION, agreed_valuation_fen=10**8),
        )
    with pytest.raises(CapTableError, match="discount"):
        convert_outside_round(
            founders(),
            InvestFirst("zone", 10**8, Variant.NEXT_ROUND, discount=Decimal(1)),
            round_price=Decimal(100),
            round_class=SERIES_A,
        )


def test_a_transfer_moves_shares_and_the_preference_with_them():
    rnd = after_round()
    vc = next(h for h in rnd.table.holdings if h.holder == "vc")
    table = transfer(rnd.table, holder="vc", buyer="buyer", shares=vc.shares // 4)
    moved = next(h for h in table.holdings if h.holder == "buyer")
    kept = next(h for h in table.holdings if h.holder == "vc")
    assert moved.shares + kept.shares == vc.shares
    assert moved.invested_fen + kept.invested_fen == vc.invested_fen
    assert moved.share_class == "Series A"
    everything = transfer(table, holder="vc", buyer="buyer", shares=kept.shares)
    assert "vc" not in {h.holder for h in everything.holdings}


def test_a_transfer_beyond_the_holding_or_to_oneself_is_refused():
    with pytest.raises(CapTableError, match="cannot transfer"):
        transfer(founders(), holder="founder", buyer="b", shares=9_000_001)
    with pytest.raises(CapTableError, match="buyer other"):
        transfer(founders(), holder="founder", buyer="founder", shares=1)
    with pytest.raises(CapTableError, match="positive number of shares"):
        transfer(founders(), holder="founder", buyer="b", shares=0)


@given(
    amount=st.integers(1, 10**9),
    valuation_over=st.integers(1, 10**11),
    founder_shares=st.integers(1_000, 10**8),
    percent=st.integers(1, 99),
)
def test_ownership_after_a_standalone_conversion_sums_to_one(
    amount, valuation_over, founder_shares, percent
):
    table = founders(founder_shares)
    for money in (
        InvestFirst(
            "zone", amount, Variant.AGREED_VALUATION, agreed_valuation_fen=amount + valuation_over
        ),
        InvestFirst(
            "zone", amount, Variant.FIXED_PERCENTAGE, fixed_fraction=Decimal(percent) / 100
        ),
    ):
        try:
            result = convert_outside_round(table, money)
        except CapTableError:
            continue  # a conversion too small for one share
        owned = ownership(result.table)
        assert sum(owned.fully_diluted.values()) == 1
        assert result.issue.residue_fen >= 0
        assert result.issue.price is None or result.issue.residue_fen < result.issue.price


@given(sold=st.integers(1, 2_000_000), exit_yuan=st.integers(0, 10**8))
def test_a_transfer_keeps_the_total_and_the_waterfall_distributes_exactly(sold, exit_yuan):
    rnd = after_round()
    vc_shares = sum(h.shares for h in rnd.table.holdings if h.holder == "vc")
    sold = min(sold, vc_shares)
    table = transfer(rnd.table, holder="vc", buyer="buyer", shares=sold)
    assert table.fully_diluted == rnd.table.fully_diluted
    result = waterfall(table, exit_yuan * YUAN)
    assert sum(result.payouts.values()) == exit_yuan * YUAN
