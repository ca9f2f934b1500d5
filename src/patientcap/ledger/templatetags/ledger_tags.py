"""Template filters for the ledger pages: amounts in fen as yuan, book codes as their names."""

from django import template
from django.utils.translation import gettext

from patientcap.domain import money
from patientcap.domain.ledger import BOOKS

register = template.Library()


@register.filter
def fen(amount: object) -> str:
    """123456 → "¥1,234.56"; zero or nothing → "" (an empty debit or credit column)."""
    return money.format_yuan(amount) if isinstance(amount, int) and amount else ""


@register.filter
def balance(amount: object) -> str:
    """Like `fen`, but a zero balance shows as ¥0.00."""
    return money.format_yuan(amount) if isinstance(amount, int) else ""


@register.filter
def book_name(code: str) -> str:
    return gettext(BOOKS[code]) if code in BOOKS else code
