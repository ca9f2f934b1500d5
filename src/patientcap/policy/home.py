"""The home page's warning, to platform staff and zone officers, that the working-day calendar is
about to end: a deadline running past its last covered day is refused (decision 0003) until the
next year's notice is entered, so the warning comes while there is time to enter it."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.models import Role
from patientcap.core.clock import today
from patientcap.core.home import Card, Contribution, contribution
from patientcap.domain.calendar import WorkingCalendar
from patientcap.policy.calendar import working_calendar
from patientcap.policy.services import can_change_calendar

WARN_DAYS = 60  # two months: the State Council's notice usually comes out in November


def covered_until(calendar: WorkingCalendar, on: dt.date) -> dt.date:
    """The last day of the run of covered years from `on`'s year (the day before it if `on`'s
    own year is not covered)."""
    year = on.year
    while calendar.is_covered(year):
        year += 1
    return dt.date(year - 1, 12, 31) if year > on.year else on - dt.timedelta(days=1)


@contribution
def calendar_coverage(user: Any) -> Contribution | None:
    if not user.is_authenticated:
        return None
    if not (can_change_calendar(user) or user.role == Role.ZONE_OFFICER):
        return None
    on = today()
    until = covered_until(working_calendar(), on)
    if (until - on).days > WARN_DAYS:
        return None
    return Contribution(
        cards=[Card(_("Working days counted until"), until.isoformat(), reverse("policy:calendar"))]
    )
