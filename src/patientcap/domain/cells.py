"""Typed values from what a spreadsheet cell or a form field holds.

openpyxl gives a cell as None, str, int, float, bool or datetime. Each reader here returns the
typed value (None for an empty cell) or raises `Invalid` saying what is wrong, so a batch import
can report every bad cell. Numbers never stay floats: a float is read through its shortest
decimal representation (`repr`), which is the number that was typed, and amounts finer than one
fen are refused, not rounded.

>>> amount(1234.56)
123456
>>> amount("200万")
200000000
>>> ratio("35%")
Decimal('0.3500')
>>> date("2023-02-30")
Traceback (most recent call last):
...
patientcap.domain.messages.Invalid: '2023-02-30' is not a calendar date (no such day)
"""

import datetime as dt
import math
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from patientcap.domain import money
from patientcap.domain.messages import Invalid, gettext_noop

Cell = str | int | float | bool | dt.datetime | dt.date | Decimal | None

_MAX_EXACT_FLOAT = 2**53  # beyond this a float no longer holds every integer


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Cell) -> Decimal | None:
    """An exact Decimal for a number cell; None if the cell holds something else."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(gettext_noop("not a finite number"))
        return Decimal(repr(value))
    return Decimal(value)


def _not_a_number(value: Cell) -> Invalid:
    if isinstance(value, dt.date | dt.datetime):
        return Invalid(gettext_noop("a date where a number is expected"))
    return Invalid(gettext_noop("%(value)s is not a number"), {"value": repr(value)})


def text(value: Cell, *, max_length: int = 200) -> str | None:
    """Text as typed. A number cell becomes its digits only while no digit can have been lost
    (Excel keeps 15 significant digits: an 18-digit code typed as a number is already wrong)."""
    if _blank(value):
        return None
    if isinstance(value, str):
        result = value.strip()
    elif isinstance(value, bool | dt.date | dt.datetime):
        raise Invalid(gettext_noop("%(value)s is not text"), {"value": repr(value)})
    else:
        number = _number(value)
        assert number is not None
        if number != number.to_integral_value() or abs(number) >= _MAX_EXACT_FLOAT:
            raise Invalid(
                gettext_noop(
                    "the cell holds the number %(value)s, which may have lost digits: format the "
                    "column as text and type the value again"
                ),
                {"value": value},
            )
        result = str(int(number))
    if len(result) > max_length:
        raise Invalid(gettext_noop("longer than %(max)d characters"), {"max": max_length})
    return result


def integer(value: Cell) -> int | None:
    """A whole number (a count or a year)."""
    if _blank(value):
        return None
    number = _number(value)
    if number is None:
        if not isinstance(value, str):
            raise _not_a_number(value)
        try:
            number = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise _not_a_number(value) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise Invalid(gettext_noop("%(value)s is not a whole number"), {"value": repr(value)})
    return int(number)


def decimal(value: Cell, *, places: int) -> Decimal | None:
    """A number kept to `places` decimal places (finer values are refused)."""
    if _blank(value):
        return None
    number = _number(value)
    if number is None:
        if not isinstance(value, str):
            raise _not_a_number(value)
        try:
            number = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise _not_a_number(value) from None
    quantum = Decimal(1).scaleb(-places)
    if not number.is_finite() or number != number.quantize(quantum, rounding=ROUND_DOWN):
        raise Invalid(
            gettext_noop("%(value)s has more than %(places)d decimal places"),
            {"value": repr(value), "places": places},
        )
    return number.quantize(quantum)


def amount(value: Cell, *, default_unit: str = "元") -> int | None:
    """An amount in fen from a number of yuan or text such as "1,234.56", "¥1234", "200万"."""
    if _blank(value):
        return None
    number = _number(value)
    if number is None:
        if not isinstance(value, str):
            raise _not_a_number(value)
        try:
            return money.parse_amount(value, default_unit=default_unit)
        except money.AmountError:
            raise Invalid(
                gettext_noop(
                    "%(value)s is not an amount: write yuan such as 1234.56 or 1,234.56, or 万元 "
                    "such as 200万"
                ),
                {"value": repr(value)},
            ) from None
    unit_fen = money.FEN_PER_WAN if default_unit == "万元" else money.FEN_PER_YUAN
    fen = number * unit_fen
    if fen != fen.to_integral_value():
        raise Invalid(gettext_noop("%(value)s is finer than one fen"), {"value": repr(value)})
    return int(fen)


def ratio(value: Cell, *, places: int = 4) -> Decimal | None:
    """A share as 0.35 or 35%; rounded half up to `places` decimals (a share is not money).

    >>> ratio(1 / 3)
    Decimal('0.3333')
    """
    if _blank(value):
        return None
    number = _number(value)
    if number is None:
        if not isinstance(value, str):
            raise _not_a_number(value)
        raw = value.strip().replace("％", "%")
        try:
            number = (Decimal(raw[:-1]) / 100) if raw.endswith("%") else Decimal(raw)
        except InvalidOperation:
            raise Invalid(
                gettext_noop("%(value)s is not a share: write 0.35 or 35%%"), {"value": repr(value)}
            ) from None
    if not number.is_finite():
        raise Invalid(gettext_noop("not a finite number"))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def date(value: Cell) -> dt.date | None:
    """A date cell, or text written 2024-03-01, 2024/3/1, 2024.3.1 or 2024年3月1日."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise Invalid(
                gettext_noop("%(value)s has a time of day; give a date only"),
                {"value": value.isoformat(sep=" ")},
            )
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise Invalid(
            gettext_noop("%(value)s is not a date: write it as YYYY-MM-DD"), {"value": repr(value)}
        )
    m = _DATE.match(value.strip())
    if not m:
        raise Invalid(
            gettext_noop("%(value)s is not a date: write it as YYYY-MM-DD"), {"value": repr(value)}
        )
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise Invalid(
            gettext_noop("%(value)s is not a calendar date (no such day)"), {"value": repr(value)}
        ) from None


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗"}


def boolean(value: Cell) -> bool | None:
    """Yes or no: 是/否, Y/N, yes/no, true/false, 1/0, or a TRUE/FALSE cell."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    key = str(value).strip().lower()
    if isinstance(value, int | float) and value in (0, 1):
        key = str(int(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise Invalid(
        gettext_noop("%(value)s is not yes or no: write 是 or 否"), {"value": repr(value)}
    )
