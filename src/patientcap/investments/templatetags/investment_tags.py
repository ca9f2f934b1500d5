"""Template filters for the invest-first pages: fen as yuan or 万元, ratios as percentages or
multiples (never through floats)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from patientcap.domain import money

register = template.Library()


@register.filter
def yuan(fen: object) -> str:
    """200000000 → "¥2,000,000.00"; nothing → "—"."""
    return money.format_yuan(fen) if isinstance(fen, int) else "—"


@register.filter
def wan(fen: object) -> str:
    """6300000000 → "6,300.00万"."""
    return money.format_wan(fen) if isinstance(fen, int) else "—"


LARGEST = Decimal(10) ** 6  # beyond a million per cent a figure says nothing more


def _places(value: Decimal) -> str:
    """Two decimals, half up; a meaningless giant (an XIRR over a few days) is shown as such."""
    if abs(value) >= LARGEST:
        return f"{'-' if value < 0 else ''}>{LARGEST:,}"
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter
def pct(ratio: object) -> str:
    """Decimal("0.53968254") → "53.97%"; None (undefined) → "—"."""
    if not isinstance(ratio, Decimal):
        return "—"
    return f"{_places(ratio * 100)}%"


@register.filter
def times(ratio: object) -> str:
    """Decimal("1.20000000") → "1.20×"; None → "—"."""
    if not isinstance(ratio, Decimal):
        return "—"
    return f"{_places(ratio)}×"
