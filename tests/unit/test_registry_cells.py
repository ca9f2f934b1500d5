"""Reading spreadsheet cells into exact typed values, with a reason for every refusal."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientcap.domain import cells
from patientcap.domain.messages import Invalid


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (1234.56, 123456),
        (1234, 123400),
        ("1,234.56", 123456),
        ("¥2000000", 200000000),
        ("200万", 200000000),
        ("200万元", 200000000),
        (-0.1, -10),
        (Decimal("0.01"), 1),
        (None, None),
        ("  ", None),
        (12345678901.23, 1234567890123),
    ],
)
def test_amounts_are_read_exactly_in_fen(value, fen):
    assert cells.amount(value) == fen


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0.001, "finer than one fen"),
        ("12.345", "is not an amount"),
        ("abc", "is not an amount"),
        (dt.datetime(2024, 1, 1), "a date where a number is expected"),
        (True, "is not a number"),
    ],
)
def test_bad_amounts_are_refused_with_the_reason(value, words):
    with pytest.raises(Invalid) as exc:
        cells.amount(value)
    assert words in str(exc.value)


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_an_amount_typed_with_two_decimals_survives_the_float_excel_stores(fen):
    typed = float(f"{fen / 100:.2f}")  # what openpyxl returns for a number cell
    assert cells.amount(typed) == fen


@pytest.mark.parametrize(
    ("value", "number"), [(12, 12), (12.0, 12), ("12", 12), ("1,200", 1200), (-3, -3), (None, None)]
)
def test_integers(value, number):
    assert cells.integer(value) == number


@pytest.mark.parametrize(
    ("value", "words"),
    [(12.5, "not a whole number"), ("twelve", "is not a number"), (False, "is not a number")],
)
def test_bad_integers_are_refused(value, words):
    with pytest.raises(Invalid) as exc:
        cells.integer(value)
    assert words in str(exc.value)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-03-01", dt.date(2024, 3, 1)),
        ("2024/3/1", dt.date(2024, 3, 1)),
        ("2024.03.01", dt.date(2024, 3, 1)),
        ("2024年3月1日", dt.date(2024, 3, 1)),
        (dt.datetime(2024, 3, 1), dt.date(2024, 3, 1)),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 1)),
    ],
)
def test_dates_in_the_usual_spellings(value, day):
    assert cells.date(value) == day


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2023-02-30", "is not a calendar date"),
        ("2023-13-01", "is not a calendar date"),
        ("01/03/2024", "write it as YYYY-MM-DD"),
        (45000, "write it as YYYY-MM-DD"),
        (dt.datetime(2024, 3, 1, 12, 30), "has a time of day"),
    ],
)
def test_impossible_or_ambiguous_dates_are_refused(value, words):
    with pytest.raises(Invalid) as exc:
        cells.date(value)
    assert words in str(exc.value)


@pytest.mark.parametrize(
    ("value", "share"),
    [
        (0.35, Decimal("0.35")),
        ("35%", Decimal("0.35")),
        ("12.5％", Decimal("0.125")),
        (1, Decimal(1)),
    ],
)
def test_shares(value, share):
    assert cells.ratio(value) == share


def test_a_share_in_words_is_refused():
    with pytest.raises(Invalid, match="is not a share"):
        cells.ratio("a third")


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("no", False),
        (True, True),
        (0, False),
        (None, None),
    ],
)
def test_yes_and_no(value, flag):
    assert cells.boolean(value) is flag


def test_neither_yes_nor_no_is_refused():
    with pytest.raises(Invalid, match="is not yes or no"):
        cells.boolean("maybe")


def test_text_from_a_number_cell_is_refused_once_digits_may_be_lost():
    assert cells.text(12345.0) == "12345"
    with pytest.raises(Invalid, match="may have lost digits"):
        cells.text(9.14403001922038e17)


def test_text_longer_than_allowed_is_refused():
    with pytest.raises(Invalid, match="longer than 3 characters"):
        cells.text("abcd", max_length=3)


def test_decimals_finer_than_allowed_are_refused():
    assert cells.decimal("3.5", places=1) == Decimal("3.5")
    with pytest.raises(Invalid, match="more than 1 decimal places"):
        cells.decimal(3.25, places=1)
