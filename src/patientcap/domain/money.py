"""Money: integer fen (分) for amounts, Decimal for ratios, one rounding rule, exact allocation.

Every amount that is stored, summed or compared is an `int` number of fen. Ratios, rates, shares
and prices are `Decimal`. The one rounding rule is ROUND_HALF_UP to the fen, applied only here.
When an amount is split, `allocate` returns parts that add up to the whole exactly.

>>> parse_amount("2,000,000.00")
200000000
>>> parse_amount("200万")
200000000
>>> yuan(200000000)
'2000000.00'
>>> allocate(100, [Decimal("1"), Decimal("1"), Decimal("1")])
[34, 33, 33]
"""

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from math import lcm

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 yuan

Fen = int


class AmountError(ValueError):
    """An amount that cannot be read as money."""


def round_fen(value: Decimal) -> Fen:
    """The one rounding rule: a Decimal number of fen, half away from zero, to whole fen."""
    if not isinstance(value, Decimal):
        raise TypeError(f"round_fen needs a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise AmountError(f"not a finite amount: {value}")
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + 2)  # room for every whole digit: no overflow
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_yuan(value: Decimal | int | str) -> Fen:
    """Yuan (exact Decimal, int or decimal string) to fen, rounding half up to the fen."""
    if isinstance(value, float):  # pragma: no cover - guarded for callers without type checks
        raise TypeError("money never passes through float")
    try:
        d = Decimal(value)
    except InvalidOperation as exc:
        raise AmountError(f"not a number: {value!r}") from exc
    if not d.is_finite():
        raise AmountError(f"not a finite amount: {value!r}")
    return round_fen(d * FEN_PER_YUAN)


def to_yuan(fen: Fen) -> Decimal:
    """Fen to an exact Decimal number of yuan with two places."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def yuan(fen: Fen) -> str:
    """The API and export form: yuan as a string with two decimals, e.g. "2000000.00"."""
    return str(to_yuan(fen))


# Thousands separators only in groups of three: "2,00" (a European 2.00) must not read as 200.
_AMOUNT = re.compile(
    r"^(?P<sign>[-+]?)\s*[¥￥]?\s*"
    r"(?P<num>([0-9]{1,3}([,，][0-9]{3})+|[0-9]+)(\.[0-9]+)?|\.[0-9]+)\s*"
    r"(?P<unit>万元|万|元|亿元|亿)?$"
)
_UNIT_FEN = {
    None: FEN_PER_YUAN,
    "元": FEN_PER_YUAN,
    "万": FEN_PER_WAN,
    "万元": FEN_PER_WAN,
    "亿": FEN_PER_WAN * 10_000,
    "亿元": FEN_PER_WAN * 10_000,
}


def parse_amount(text: str, *, default_unit: str = "元") -> Fen:
    """Read an amount as people write it: "2,000,000.00", "¥2000000", "200万", "200万元", "1.5亿".

    A plain number is read in `default_unit` ("元" or "万元"). Amounts finer than a fen are
    refused rather than rounded: a typed amount is exact or it is wrong.
    """
    if not isinstance(text, str):
        raise AmountError(f"an amount must be text, not {type(text).__name__}")
    m = _AMOUNT.match(text.strip())
    if not m:
        raise AmountError(f"not an amount: {text!r}")
    unit = m["unit"] or (None if default_unit == "元" else default_unit)
    if unit not in _UNIT_FEN:
        raise AmountError(f"unknown unit {default_unit!r}")
    number = Decimal(m["num"].replace(",", "").replace("，", ""))
    fen = number * _UNIT_FEN[unit]
    if fen != fen.to_integral_value():
        raise AmountError(f"{text!r} is finer than one fen")
    return int(fen) * (-1 if m["sign"] == "-" else 1)


def format_yuan(fen: Fen, *, symbol: bool = True) -> str:
    """For pages: "¥2,000,000.00" (thousands separators, two decimals)."""
    d = to_yuan(fen)
    text = f"{abs(d):,.2f}"
    return ("-" if d < 0 else "") + ("¥" if symbol else "") + text


def format_wan(fen: Fen, *, places: int = 2) -> str:
    """For summary pages: amounts in 万元, e.g. "200.00万"."""
    d = (Decimal(fen) / FEN_PER_WAN).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # a few fen below zero print as 0.00万, not -0.00万
    return f"{d:,}万"


def apply_ratio(fen: Fen, ratio: Decimal) -> Fen:
    """`fen` × `ratio`, rounded by the one rule (e.g. 1:1 matching, a 40% share of a loss)."""
    if not isinstance(ratio, Decimal):
        raise TypeError("ratios are Decimal")
    with localcontext() as ctx:
        # Enough digits for the exact product, so the one rounding happens in round_fen only.
        ctx.prec = len(str(abs(fen))) + len(ratio.as_tuple().digits) + 2
        product = Decimal(fen) * ratio
    return round_fen(product)


def allocate(total: Fen, weights: Sequence[Decimal | int]) -> list[Fen]:
    """Split `total` fen by `weights` so that the parts add up to `total` exactly.

    Largest remainder: each part first gets the floor of its exact share; the fen left over go,
    one each, to the parts with the largest remainders (ties to the earlier part). Negative
    totals are split as the mirror image of the positive split.

    >>> allocate(1000, [Decimal("0.4"), Decimal("0.4"), Decimal("0.2")])
    [400, 400, 200]
    >>> allocate(1, [1, 1])
    [1, 0]
    """
    if not isinstance(total, int):
        raise TypeError("allocate splits an integer number of fen")
    ws = [Decimal(w) for w in weights]
    if not ws:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in ws):
        raise ValueError("weights cannot be negative")
    if not any(ws):
        raise ValueError("weights add up to zero")
    if total < 0:
        return [-p for p in allocate(-total, ws)]
    # Integer arithmetic throughout (weights scaled to whole numbers), so shares are exact at
    # any size rather than at Decimal's 28 digits.
    fractions = [Fraction(w) for w in ws]
    scale = lcm(*(f.denominator for f in fractions))
    whole = [int(f * scale) for f in fractions]
    whole_sum = sum(whole)
    parts = [total * w // whole_sum for w in whole]
    remainders = [total * w % whole_sum for w in whole]
    leftover = total - sum(parts)
    order = sorted(range(len(ws)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts
