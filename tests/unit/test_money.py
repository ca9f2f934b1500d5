"""Money: examples, properties (hypothesis) and refusals.

Property tests compare against exact arithmetic: the share of part i is total × w_i / Σw, kept
exact at any size with Fraction.
"""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientcap.domain.money import (
    AmountError,
    allocate,
    apply_ratio,
    format_wan,
    format_yuan,
    from_yuan,
    parse_amount,
    round_fen,
    to_yuan,
    yuan,
)


def test_two_million_yuan_reads_and_prints_exactly():
    assert yuan(parse_amount("2,000,000.00")) == "2000000.00"


def test_an_amount_in_wan_is_ten_thousand_yuan_each():
    assert parse_amount("200万") == 200_000_000


def test_a_split_in_thirds_adds_up_to_the_whole():
    assert sum(allocate(100, [Decimal(1)] * 3)) == 100


weights = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**12),
        st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=12,
).filter(lambda ws: sum(Decimal(w) for w in ws) > 0)


@given(total=st.integers(), ws=weights)
def test_allocate_always_adds_up_to_the_total(total, ws):
    assert sum(allocate(total, ws)) == total


@given(total=st.integers(), ws=weights)
def test_each_allocated_part_is_within_one_fen_of_its_exact_share(total, ws):
    parts = allocate(total, ws)
    wsum = sum(Fraction(Decimal(w)) for w in ws)
    for part, w in zip(parts, ws, strict=True):
        assert abs(part - total * Fraction(Decimal(w)) / wsum) < 1


@given(total=st.integers(min_value=0, max_value=10**15), ws=weights)
def test_a_part_with_zero_weight_gets_nothing(total, ws):
    parts = allocate(total, [*ws, 0])
    assert parts[-1] == 0


def test_a_huge_total_is_split_exactly_not_at_decimal_precision():
    total = 10**30 + 1
    # Exact shares: 333…333.67 and 666…666.33; the spare fen goes to the larger remainder.
    assert allocate(total, [Decimal(1), Decimal(2)]) == [10**30 // 3 + 1, 2 * 10**30 // 3 + 1]


def test_allocate_refuses_no_weights_negative_weights_and_a_zero_sum():
    with pytest.raises(ValueError, match="at least one"):
        allocate(100, [])
    with pytest.raises(ValueError, match="negative"):
        allocate(100, [Decimal(1), Decimal(-1)])
    with pytest.raises(ValueError, match="zero"):
        allocate(100, [0, 0])
    with pytest.raises(TypeError):
        allocate(Decimal(100), [1])  # type: ignore[arg-type]


fen_amounts = st.integers(min_value=-(10**18), max_value=10**18)


@given(fen=fen_amounts)
def test_the_api_form_reads_back_to_the_same_fen(fen):
    assert parse_amount(yuan(fen)) == fen
    assert from_yuan(yuan(fen)) == fen
    assert from_yuan(to_yuan(fen)) == fen


@given(fen=fen_amounts)
def test_the_page_form_reads_back_to_the_same_fen(fen):
    assert parse_amount(format_yuan(fen)) == fen
    assert parse_amount(format_yuan(fen, symbol=False)) == fen


@given(fen=fen_amounts)
def test_an_amount_in_wan_to_six_places_reads_back_exactly(fen):
    assert parse_amount(format_wan(fen, places=6)) == fen


@given(wan=st.integers(min_value=-(10**12), max_value=10**12))
def test_whole_hundreds_of_yuan_survive_the_two_place_wan_form(wan):
    fen = wan * 10_000  # 0.01万 = 100 yuan = 10,000 fen
    assert parse_amount(format_wan(fen)) == fen


@given(fen=st.integers(min_value=0, max_value=10**16))
def test_units_wan_and_yi_scale_by_ten_thousand_and_a_hundred_million(fen):
    text = str(to_yuan(fen))
    assert parse_amount(text + "万") == fen * 10_000
    assert parse_amount(text + "万元") == fen * 10_000
    assert parse_amount(text, default_unit="万元") == fen * 10_000
    assert parse_amount(text + "亿") == fen * 100_000_000
    assert parse_amount(text + "元") == fen


def test_a_typed_unit_wins_over_the_default_unit():
    assert parse_amount("5元", default_unit="万元") == 500
    assert parse_amount("¥2,000,000", default_unit="万元") == 2_000_000 * 1_000_000  # ¥ is no unit


def test_a_small_negative_amount_does_not_print_as_minus_zero_wan():
    assert format_wan(-5) == "0.00万"
    assert format_wan(-5_000) == "-0.01万"


@given(
    units=st.integers(min_value=-(10**20), max_value=10**20),
    frac=st.integers(min_value=0, max_value=9),
)
def test_round_fen_rounds_halves_away_from_zero_and_the_rest_to_nearest(units, frac):
    value = Decimal(units) + Decimal(frac) / 10 * (1 if units >= 0 else -1)
    expected = units + (1 if units >= 0 else -1) * (1 if frac >= 5 else 0)
    assert round_fen(value) == expected


def test_round_fen_examples():
    assert round_fen(Decimal("2.5")) == 3
    assert round_fen(Decimal("-2.5")) == -3
    assert round_fen(Decimal("2.4999")) == 2
    assert round_fen(Decimal("1" + "0" * 40 + ".5")) == 10**40 + 1


def test_round_fen_refuses_floats_and_non_finite_values():
    with pytest.raises(TypeError):
        round_fen(2.5)  # type: ignore[arg-type]
    with pytest.raises(AmountError):
        round_fen(Decimal("NaN"))
    with pytest.raises(AmountError):
        round_fen(Decimal("Infinity"))


@given(
    fen=st.integers(min_value=-(10**30), max_value=10**30),
    ratio=st.decimals(min_value=0, max_value=1000, places=9, allow_nan=False),
)
def test_apply_ratio_is_the_exact_product_rounded_half_up(fen, ratio):
    exact = Fraction(fen) * Fraction(ratio)
    result = apply_ratio(fen, ratio)
    assert abs(result - exact) <= Fraction(1, 2)
    if abs(result - exact) == Fraction(1, 2):
        assert abs(result) > abs(exact)  # a half goes away from zero


@pytest.mark.parametrize(
    "text",
    ["0.001", "1.005", "0.0000001万", "1.123元"],
)
def test_amounts_finer_than_a_fen_are_refused(text):
    with pytest.raises(AmountError, match="finer than one fen"):
        parse_amount(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "12abc",
        "1..2",
        "¥",
        "万",
        "--5",
        "1 2",
        "1,2,3",
        "2,00",
        "1,0000",
        ",100",
        "100,",
        "1e3",
        "NaN",
        "Infinity",
        "5美元",
        "1.2.3",
    ],
)
def test_garbage_is_refused_as_not_an_amount(text):
    with pytest.raises(AmountError, match="not an amount"):
        parse_amount(text)


def test_thousands_separators_in_groups_of_three_are_accepted():
    assert parse_amount("1,234,567.89") == 123_456_789
    assert parse_amount("1，234") == 123_400
    assert parse_amount("1234567") == 123_456_700


def test_a_float_is_refused_everywhere():
    with pytest.raises(AmountError):
        parse_amount(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="float"):
        from_yuan(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        apply_ratio(100, 0.5)  # type: ignore[arg-type]


def test_an_unknown_default_unit_is_refused():
    with pytest.raises(AmountError, match="unknown unit"):
        parse_amount("5", default_unit="美元")


def test_from_yuan_refuses_text_that_is_not_a_number():
    with pytest.raises(AmountError):
        from_yuan("two yuan")
    with pytest.raises(AmountError):
        from_yuan("Infinity")
