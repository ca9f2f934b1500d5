"""The official PRC working-day calendar: chinese-calendar's data plus the override table.

The package gives the holidays and 调休 make-up working days for the years it covers; an
administrator adds overrides (which win) and declares further years covered once their schedule
is entered (`CalendarYear`). The built `WorkingCalendar` is cached per process and rebuilt when
the revision token changes (every save or delete of an override or a covered year changes it,
see signals.py), so all processes pick up a change on their next call.
"""

import threading
import uuid
from datetime import date

from chinese_calendar import constants as official

from patientcap.domain.calendar import SpecialDay, WorkingCalendar
from patientcap.policy.models import CalendarRevision, CalendarYear, WorkingDayOverride


def official_years() -> range:
    """The years chinese-calendar covers (the same bounds the package itself enforces)."""
    return range(min(official.holidays).year, max(official.holidays).year + 1)


def official_special_days() -> tuple[dict[date, str], dict[date, str]]:
    """(holidays, make-up working days) from the package, each date with its holiday's name."""
    return dict(official.holidays), dict(official.workdays)


def build_calendar(*, overrides: list[SpecialDay], declared_years: list[int]) -> WorkingCalendar:
    holidays, workdays = official_special_days()
    return WorkingCalendar(
        [*official_years(), *declared_years],
        holidays=holidays,
        workdays=workdays,
        overrides=overrides,
    )


def current_token() -> uuid.UUID | None:
    return CalendarRevision.objects.filter(pk=1).values_list("token", flat=True).first()


def bump_revision() -> None:
    """Mark the calendar data changed (inside the transaction that changed it)."""
    CalendarRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


_lock = threading.Lock()
_cached: tuple[uuid.UUID | None, WorkingCalendar] | None = None


def working_calendar() -> WorkingCalendar:
    """The calendar in force: one small query to check the revision, a rebuild only on change.

    Callers that compute many dates should call this once and reuse the calendar.
    """
    global _cached
    token = current_token()
    cached = _cached
    if cached is not None and cached[0] == token:
        return cached[1]
    with _lock:
        calendar = build_calendar(
            overrides=[
                SpecialDay(o.date, o.is_working_day, o.name)
                for o in WorkingDayOverride.objects.all()
            ],
            declared_years=list(CalendarYear.objects.values_list("year", flat=True)),
        )
        _cached = (token, calendar)
    return calendar
