"""Who sees and changes the calendar tables: every participant reads them (the working-day
calendar, like policy, is public to participants); only platform staff change them."""

from typing import Any

from django.db.models import Q

from patientcap.accounts import scoping
from patientcap.policy.models import CalendarYear, WorkingDayOverride


def _staff_only(user: Any) -> Q:
    return scoping.ALL if user.is_staff else scoping.NOTHING


for model in (WorkingDayOverride, CalendarYear):
    scoping.register(model, read=lambda user: scoping.ALL, write=_staff_only)
