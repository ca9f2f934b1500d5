"""Filters of the valuation pages: amounts in yuan, the labels of price positions and
state-asset outcomes."""

from django import template

from patientcap.domain.money import format_yuan
from patientcap.valuations.models import PositionChoice, StateOutcomeChoice

register = template.Library()


@register.filter
def yuan_fen(fen: int | None) -> str:
    return "—" if fen is None else format_yuan(fen)


@register.filter
def position_label(value: str) -> str:
    return str(PositionChoice(value).label) if value in PositionChoice.values else ""


@register.filter
def state_label(value: str) -> str:
    return str(StateOutcomeChoice(value).label) if value in StateOutcomeChoice.values else ""
