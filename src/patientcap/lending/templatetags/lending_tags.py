"""Template filters of the tiered-loan pages: amounts in yuan, ratios as percentages."""

from decimal import Decimal

from django import template

from patientcap.domain.money import format_yuan

register = template.Library()


@register.filter
def yuan_fmt(fen: object) -> str:
    return format_yuan(fen) if isinstance(fen, int) else "—"


@register.filter
def pct(ratio: object) -> str:
    return f"{Decimal(str(ratio)) * 100:.2f}%" if isinstance(ratio, Decimal | int) else "—"


@register.filter
def ratio_x(ratio: object) -> str:
    return f"{Decimal(str(ratio)):.2f}×" if isinstance(ratio, Decimal | int) else "—"
