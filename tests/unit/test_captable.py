"""The cap-table engine: priced rounds with the pool shuffle, SAFEs, notes, invest-first variants,
anti-dilution and ownership. Expected figures are worked out independently here with exact
fractions, from the formulas of shared/reference/equity-math.md."""

import datetime as dt
import doctest
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

import pytest

from patientcap.domain import captable
from patientcap.domain.captable import (
    COMMON,
    POOL_UNALLOCATED,
    AntiDilution,
    CapTable,
    CapTableError,
    ConvertibleNote,
    DayCount,
    Holding,
    InvestFirst,
    Investment,
    OptionPool,
    PostMoneySafe,
    PreMoneySafe,
    ShareClass,
    Variant,
    grant_options,
    ownership,
    priced_round,
    quantize_price,
    weighted_average_price,
    year_fraction,
)

SERIES_A = ShareClass("Series A", preferred=True, seniority=1)
YUAN = 100


def founders(shares: int = 9_000_000, pool: int = 0) -> CapTable:
    return CapTable(
        (COMMON,), (Holding("founder", "common", shares),), OptionPool(unallocated=pool)
    )


def a_round(table: CapTable, **kwargs):
    kwargs.setdefault("pre_money_fen", 20_000_000 * YUAN)
    kwargs.setdefault("investments", (Investment("fund", 5_000_000 * YUAN),))
    return priced_round(table, series=SERIES_A, **kwargs)


def test_the_module_examples_hold():
    assert doctest.testmod(captable).failed == 0


def test_a_round_prices_shares_at_pre_money_over_fully_diluted_and_rounds_shares_down():
    result = a_round(founders(9_000_000), investments=(Investment("fund", 5_000_000 * YUAN + 150),))
    pps = quantize_price(Fraction(20_000_000 * YUAN, 9_000_000))
    assert result.price_per_share == pps == Decimal("222.22222")
    shares = floor(Fraction(5_000_000 * YUAN + 150) / Fraction(pps))
    assert result.issued[0].shares == shares
    assert result.residue_fen == Decimal(5_000_000 * YUAN + 150) - shares * pps
    assert 0 <= result.residue_fen < pps


def test_the_pool_top_up_is_part_of_the_pre_money_and_reaches_the_target_after_the_round():
    result = a_round(
        founders(8_000_000),
        pre_money_fen=8_000_000 * YUAN,
        pool_target=Decimal("0.10"),
        investments=(Investment("fund", 2_000_000 * YUAN),),
    )
    v_pre, v_post = 8_000_000 * YUAN, 10_000_000 * YUAN
    x = ceil(Fraction(1, 10) * 8_000_000 * v_post / (v_pre - Fraction(1, 10) * v_post))
    assert result.pool_increase == x == 1_142_858
    assert result.price_per_share == quantize_price(Fraction(v_pre, 8_000_000 + x))
    assert result.table.pool.unallocated == x
    assert abs(Fraction(x, result.fully_diluted_post) - Fraction(1, 10)) < Fraction(1, 10**6)
    assert result.fully_diluted_post == result.table.fully_diluted


def test_a_post_money_safe_at_its_cap_owns_exactly_amount_over_cap_before_the_new_money():
    safe = PostMoneySafe("angel", 1_000_000 * YUAN, valuation_cap_fen=10_000_000 * YUAN)
    result = a_round(founders(9_000_000), convertibles=(safe,))
    conversion = result.conversions[0]
    assert conversion.shares == 1_000_000  # 10% of 10,000,000 shares before the new money
    assert conversion.price == Decimal("100.00000")
    assert result.price_per_share == Decimal("200.00000")
    assert result.issued[0].shares == 2_500_000


def test_a_post_money_safe_converts_at_the_discount_price_when_that_is_lower():
    safe = PostMoneySafe("angel", 1_000_000 * YUAN, 100_000_000 * YUAN, discount=Decimal("0.2"))
    result = a_round(founders(9_000_000), convertibles=(safe,))
    conversion = result.conversions[0]
    # Unrounded, PPS·F0 + I/0.8 = V_pre: PPS = 208⅓ and S = 600,000. Rounded, the solver stops at
    # a fixed point of its own rounding rules, within a share of that.
    assert conversion.price == quantize_price(Fraction(result.price_per_share) * 4 / 5)
    assert conversion.shares == floor(Fraction(100_000_000) / Fraction(conversion.price))
    assert result.price_per_share == quantize_price(
        Fraction(2_000_000_000, 9_000_000 + conversion.shares)
    )
    assert abs(conversion.shares - 600_000) <= 1


def test_post_money_safes_do_not_dilute_each_other():
    safes = (
        PostMoneySafe("a", 500_000 * YUAN, 10_000_000 * YUAN),
        PostMoneySafe("b", 1_000_000 * YUAN, 20_000_000 * YUAN),
    )
    result = a_round(founders(9_000_000), convertibles=safes)
    post_cap = 9_000_000 / (1 - Fraction(1, 20) - Fraction(1, 20))
    assert [c.shares for c in result.conversions] == [500_000, 500_000]
    assert post_cap == 10_000_000


def test_a_pre_money_safe_prices_at_its_cap_over_the_capitalisation_without_conversions():
    safes = (
        PreMoneySafe("a", 1_000_000 * YUAN, 10_000_000 * YUAN),
        PreMoneySafe("b", 1_000_000 * YUAN, 10_000_000 * YUAN),
    )
    result = a_round(founders(9_000_000), convertibles=safes)
    price = quantize_price(Fraction(10_000_000 * YUAN, 9_000_000))
    shares = floor(Fraction(1_000_000 * YUAN) / Fraction(price))
    assert [c.shares for c in result.conversions] == [shares, shares] == [900_000, 900_000]
    assert result.price_per_share == quantize_price(Fraction(20_000_000 * YUAN, 10_800_000))


@pytest.mark.parametrize(
    ("day_count", "years"),
    [
        (DayCount.ACT_365F, Fraction(366, 365)),
        (DayCount.ACT_360, Fraction(366, 360)),
        (DayCount.THIRTY_360, Fraction(1)),
    ],
)
def test_a_note_accrues_simple_interest_under_its_named_day_count(day_count, years):
    note = ConvertibleNote("bank", 10_000_000, Decimal("0.08"), day_count, dt.date(2024, 1, 1))
    expected = 10_000_000 * (1 + Fraction(8, 100) * years)
    assert note.amount_at(dt.date(2025, 1, 1)) == floor(expected + Fraction(1, 2))


def test_thirty_360_counts_the_31st_as_the_30th():
    assert year_fraction(dt.date(2024, 1, 31), dt.date(2024, 3, 31), DayCount.THIRTY_360) == (
        Fraction(60, 360)
    )
    assert year_fraction(dt.date(2024, 2, 28), dt.date(2024, 3, 31), DayCount.THIRTY_360) == (
        Fraction(33, 360)
    )


def test_a_note_converts_its_principal_and_interest_at_the_lower_of_cap_and_discount_price():
    note = ConvertibleNote(
        "bank",
        1_000_000 * YUAN,
        Decimal("0.06"),
        DayCount.ACT_365F,
        dt.date(2024, 1, 1),
        valuation_cap_fen=9_000_000 * YUAN,
        discount=Decimal("0.2"),
    )
    result = a_round(founders(9_000_000), convertibles=(note,), conversion_date=dt.date(2025, 1, 1))
    amount = note.amount_at(dt.date(2025, 1, 1))
    assert result.conversions[0].amount_fen == amount
    assert result.conversions[0].price == Decimal("100.00000")  # cap 9M over 9M shares
    assert result.conversions[0].shares == floor(Fraction(amount, 100))


def test_a_note_needs_the_conversion_date_and_refuses_one_before_its_issue():
    note = ConvertibleNote("bank", 100, Decimal("0.06"), DayCount.ACT_360, dt.date(2024, 1, 1))
    with pytest.raises(CapTableError, match="conversion date"):
        a_round(founders(), convertibles=(note,))
    with pytest.raises(CapTableError, match="precede"):
        a_round(founders(), convertibles=(note,), conversion_date=dt.date(2023, 1, 1))


def test_invest_first_a_converts_at_the_round_price_less_the_discount():
    money = InvestFirst("zone", 2_000_000 * YUAN, Variant.NEXT_ROUND, discount=Decimal("0.2"))
    result = a_round(founders(9_000_000), convertibles=(money,))
    conversion = result.conversions[0]
    assert conversion.price == quantize_price(Fraction(result.price_per_share) * 4 / 5)
    assert conversion.shares == floor(Fraction(2_000_000 * YUAN) / Fraction(conversion.price))
    assert result.price_per_share == quantize_price(
        Fraction(20_000_000 * YUAN, 9_000_000 + conversion.shares)
    )


def test_invest_first_b_owns_its_amount_over_the_agreed_valuation():
    money = InvestFirst(
        "zone", 2_000_000 * YUAN, Variant.AGREED_VALUATION, agreed_valuation_fen=20_000_000 * YUAN
    )
    result = a_round(founders(9_000_000), convertibles=(money,))
    assert result.conversions[0].shares == 1_000_000  # 10% of 10,000,000


def test_invest_first_c_converts_to_a_fixed_fraction_of_the_fully_diluted_company():
    money = InvestFirst(
        "zone", 2_000_000 * YUAN, Variant.FIXED_PERCENTAGE, fixed_fraction=Decimal("0.1")
    )
    result = a_round(founders(9_000_000), convertibles=(money,))
    assert result.conversions[0].shares == 1_000_000  # x·FD/(1 − x)
    assert result.conversions[0].price is None


def test_invest_first_d_takes_the_lower_of_the_agreed_valuation_and_the_discounted_price():
    money = InvestFirst(
        "zone",
        2_000_000 * YUAN,
        Variant.CAPPED,
        discount=Decimal("0.2"),
        agreed_valuation_fen=20_000_000 * YUAN,
    )
    high = a_round(founders(9_000_000), convertibles=(money,), pre_money_fen=100_000_000 * YUAN)
    assert high.conversions[0].shares == 1_000_000  # the agreed valuation is the cheaper price
    low = a_round(founders(9_000_000), convertibles=(money,), pre_money_fen=10_000_000 * YUAN)
    assert low.conversions[0].price == quantize_price(Fraction(low.price_per_share) * 4 / 5)


def test_invest_first_e_does_not_convert():
    money = InvestFirst("zone", 2_000_000 * YUAN, Variant.NO_CONVERSION)
    result = a_round(founders(9_000_000), convertibles=(money,))
    assert result.conversions[0].shares == 0
    assert "zone" not in {h.holder for h in result.table.holdings}


def test_broad_based_weighted_average_follows_the_formula():
    cp1, a, money, c = Decimal(100), 1_000_000, 5_000_000, 100_000
    expected = Fraction(100) * (a + Fraction(money, 100)) / (a + c)
    assert weighted_average_price(cp1, a, money, c) == quantize_price(expected)


def test_a_down_round_lowers_the_protected_conversion_price():
    seed = ShareClass(
        "Seed",
        preferred=True,
        seniority=1,
        original_issue_price=Decimal(200),
        conversion_price=Decimal(200),
        anti_dilution=AntiDilution.BROAD_BASED,
    )
    ratchet = ShareClass(
        "Bridge",
        preferred=True,
        seniority=1,
        original_issue_price=Decimal(300),
        conversion_price=Decimal(300),
        anti_dilution=AntiDilution.FULL_RATCHET,
    )
    table = CapTable(
        (COMMON, seed, ratchet),
        (
            Holding("founder", "common", 8_000_000),
            Holding("seed", "Seed", 1_000_000, 200_000_000),
            Holding("bridge", "Bridge", 1_000_000, 300_000_000),
        ),
    )
    result = a_round(table, pre_money_fen=1_000_000_000)  # 100 fen a share: a down round
    assert result.price_per_share == Decimal(100)
    new_shares = result.issued[0].shares
    expected = Fraction(200) * (10_000_000 + Fraction(500_000_000, 200)) / (10_000_000 + new_shares)
    classes = result.table.by_name
    assert classes["Seed"].conversion_price == quantize_price(expected)
    assert classes["Bridge"].conversion_price == Decimal(100)
    assert classes["Bridge"].conversion_ratio == 3
    assert {a.share_class for a in result.adjustments} == {"Seed", "Bridge"}
    bridge = next(h for h in result.table.holdings if h.holder == "bridge")
    assert result.table.as_converted(bridge) == 3_000_000


def test_ownership_sums_to_one_and_reports_the_rounding_residue():
    table = CapTable(
        (COMMON,),
        tuple(Holding(name, "common", 1) for name in ("a", "b", "c")),
        OptionPool(granted=0, unallocated=3),
    )
    result = ownership(table, places=4)
    assert sum(result.fully_diluted.values()) == 1
    assert sum(result.issued.values()) == 1
    assert result.issued == {"a": Decimal("0.3334"), "b": Decimal("0.3333"), "c": Decimal("0.3333")}
    assert result.issued_residue == 1
    assert result.fully_diluted[POOL_UNALLOCATED] == Decimal("0.5000")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pre_money_fen": 0}, "pre-money valuation must be a positive"),
        ({"pre_money_fen": -5}, "pre-money valuation must be a positive"),
        ({"investments": (Investment("x", 0),)}, "investment of x must be a positive"),
        ({"investments": (Investment("x", -100),)}, "investment of x must be a positive"),
        ({"investments": ()}, "at least one investment"),
        ({"pool_target": Decimal("0.9")}, "cannot be reached"),
        ({"pre_money_fen": 1}, "price per share rounds to zero"),
    ],
)
def test_a_round_with_a_zero_or_negative_price_or_share_count_is_refused(kwargs, message):
    with pytest.raises(CapTableError, match=message) as caught:
        a_round(founders(9_000_000_000_000), **kwargs)
    assert isinstance(caught.value, ValueError)


def test_an_investment_too_small_for_one_share_is_refused():
    with pytest.raises(CapTableError, match="x would receive no shares"):
        a_round(founders(1), investments=(Investment("x", 100),))


def test_a_round_on_an_empty_table_or_with_a_taken_class_name_is_refused():
    with pytest.raises(CapTableError, match="needs shares"):
        a_round(CapTable((COMMON,)))
    with pytest.raises(CapTableError, match="already exists"):
        priced_round(
            founders(),
            series=ShareClass("common"),
            pre_money_fen=100,
            investments=(Investment("x", 100),),
        )


def test_bad_instruments_are_refused():
    with pytest.raises(CapTableError, match="100% or more"):
        a_round(founders(), convertibles=(PostMoneySafe("a", 100, valuation_cap_fen=100),))
    with pytest.raises(CapTableError, match="discount"):
        a_round(founders(), convertibles=(PostMoneySafe("a", 100, discount=Decimal(1)),))
    with pytest.raises(CapTableError, match="agreed valuation"):
        InvestFirst("zone", 100, Variant.CAPPED)
    with pytest.raises(CapTableError, match="between 0 and 100%"):
        InvestFirst("zone", 100, Variant.FIXED_PERCENTAGE, fixed_fraction=Decimal(1))


def test_bad_tables_are_refused():
    with pytest.raises(CapTableError, match="cannot be negative"):
        CapTable((COMMON,), (Holding("x", "common", -1),))
    with pytest.raises(CapTableError, match="Unknown share class"):
        CapTable((COMMON,), (Holding("x", "Series Z", 1),))
    with pytest.raises(CapTableError, match="unique"):
        CapTable((COMMON, COMMON))
    with pytest.raises(CapTableError, match="prices must be positive"):
        ShareClass("A", original_issue_price=Decimal(0))
    with pytest.raises(CapTableError, match="cap multiple"):
        ShareClass("A", cap_multiple=Decimal(2))


def test_granting_options_moves_them_from_the_unallocated_pool_and_never_beyond_it():
    table = grant_options(founders(100, pool=10), 4)
    assert table.pool == OptionPool(granted=4, unallocated=6)
    assert table.fully_diluted == 110
    with pytest.raises(CapTableError, match="Cannot grant 7 options"):
        grant_options(table, 7)
    with pytest.raises(CapTableError, match="Cannot grant 0 options"):
        grant_options(table, 0)


def test_converting_holders_get_a_shadow_series_per_conversion_price():
    safes = (
        PostMoneySafe("a", 1_000_000 * YUAN, valuation_cap_fen=10_000_000 * YUAN),
        PostMoneySafe("b", 500_000 * YUAN, discount=Decimal("0.2")),
    )
    result = a_round(founders(9_000_000), convertibles=safes)
    by_holder = {h.holder: h.share_class for h in result.table.holdings}
    assert by_holder["fund"] == "Series A"
    assert {by_holder["a"], by_holder["b"]} == {"Series A (shadow 1)", "Series A (shadow 2)"}
    for c in result.table.classes[2:]:
        assert c.seniority == SERIES_A.seniority and c.conversion_ratio == 1


def test_the_pool_top_up_dilutes_a_post_money_safe_like_the_founders():
    safe = PostMoneySafe("angel", 1_000_000 * YUAN, valuation_cap_fen=10_000_000 * YUAN)
    result = a_round(
        founders(8_000_000, pool=1_000_000), convertibles=(safe,), pool_target=Decimal("0.15")
    )
    shares = result.conversions[0].shares
    assert Fraction(shares, 9_000_000 + shares) == Fraction(1, 10)  # the increase is left out
    assert result.pool_increase > 0
    assert result.fully_diluted_pre == 9_000_000 + shares + result.pool_increase
