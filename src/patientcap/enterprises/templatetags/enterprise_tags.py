"""Template filters for registry figures: amounts in fen shown as yuan, ratios as percentages."""

from decimal import Decimal

from django import template

from patientcap.domain import money

register = template.Library()


@register.filter
def yuan(fen: object) -> str:
    """1234567 → "¥12,345.67"; not reported (or a missing row) → "—"."""
    return money.format_yuan(fen) if isinstance(fen, int) else "—"


@register.filter
def share(ratio: object) -> str:
    """Decimal("0.3500") → "35.00%"; not reported (or a missing row) → "—"."""
    return f"{ratio * 100:.2f}%" if isinstance(ratio, Decimal) else "—"
