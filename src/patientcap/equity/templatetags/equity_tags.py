"""Template filters of the equity pages: amounts in yuan and 万, shares, percentages."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

from patientcap.domain.money import format_wan, format_yuan

register = template.Library()


@register.filter
def yuan(fen: object) -> str:
    return format_yuan(int(fen)) if isinstance(fen, int | Decimal) else "—"  # type: ignore[arg-type]


@register.filter
def wan(fen: object) -> str:
    return format_wan(int(fen)) if isinstance(fen, int | Decimal) else "—"  # type: ignore[arg-type]


@register.filter
def shares(n: object) -> str:
    return f"{n:,}" if isinstance(n, int) else "—"


@register.filter
def pct(value: object, places: int = 2) -> str:
    if not isinstance(value, Decimal | int):
        return "—"
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places))}%"


@register.filter
def yuan_price(fen_per_share: object) -> str:
    """A price per share (fen, 5 places) in yuan with up to 5 decimals: "¥2.00000"."""
    if not isinstance(fen_per_share, Decimal):
        return "—"
    return f"¥{(fen_per_share / 100).quantize(Decimal('0.00001'))}"


@register.filter
def ratio_pct(value: object) -> str:
    """A fraction (0.2) as a percentage ("20.00%")."""
    if not isinstance(value, Decimal):
        return "—"
    return f"{(value * 100).quantize(Decimal('0.01'))}%"


@register.filter
def residue(fen: object) -> str:
    """A rounding residue (fen, fractions of a fen possible) in yuan: "¥0.0012345"."""
    if not isinstance(fen, Decimal):
        return "—"
    return f"¥{(fen / 100).quantize(Decimal('0.0000001'))}"


_TERMS = {
    "non_participating": _("Non-participating"),
    "participating": _("Participating"),
    "capped": _("Capped participation"),
    "none": _("None"),
    "broad_based_weighted_average": _("Broad-based weighted average"),
    "full_ratchet": _("Full ratchet"),
}


@register.filter
def term(value: object) -> str:
    """A participation or anti-dilution setting in words."""
    return str(_TERMS.get(str(value), value))


@register.filter
def fen_price(text: object) -> str:
    """A price stored as a decimal string of fen per share, in yuan."""
    try:
        return yuan_price(Decimal(str(text)))
    except ArithmeticError:
        return "—"
