"""Template filters of the matched-credit pages: amounts in yuan and the countdown's wording."""

from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patientcap.domain.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    return "—" if fen is None else format_yuan(int(fen))


@register.filter
def countdown(clock: Any) -> str:
    """ "5 working days left", "overdue by 2 working days", "paused (5 left)"."""
    if clock.error is not None:
        return _("calendar not covered")
    if clock.days_left is None:
        return _("waiting for due diligence")
    left = clock.days_left
    if clock.stopped_on is not None:
        return _("stopped")
    if left < 0:
        text = ngettext("overdue by %(n)d working day", "overdue by %(n)d working days", -left) % {
            "n": -left
        }
    else:
        text = ngettext("%(n)d working day left", "%(n)d working days left", left) % {"n": left}
    return _("paused (%(text)s)") % {"text": text} if clock.paused else text


@register.filter
def percent(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
