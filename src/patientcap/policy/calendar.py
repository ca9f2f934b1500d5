"""The official PRC working-day calendar: chinese-calendar's data plus the override table.

The package gives the holidays and 调休 make-up working days for the years it covers; an
administrator adds overrides (which win) and declares further years covered once their schedule
is entered (`CalendarYear`). The built `WorkingCalendar` is cached per process and rebuilt when
the revision token changes (every save or delete of an override or a covered year changes it,
see signals.py), so all processes pick up a change on their next call.
"""

import threading
import uuid
from datetime import date, timedelta

from chinese_calendar import constants as official
from chinese_calendar import get_solar_terms
from lunardate import LunarDate

from patientcap.domain.calendar import SpecialDay, WorkingCalendar
from patientcap.policy.models import CalendarRevision, CalendarYear, WorkingDayOverride


def official_years() -> range:
    """The years chinese-calendar covers (the same bounds the package itself enforces)."""
    return range(min(official.holidays).year, max(official.holidays).year + 1)


def official_special_days() -> tuple[dict[date, str], dict[date, str]]:
    """(holidays, make-up working days) from the package, each date with its holiday's name."""
    return dict(official.holidays), dict(official.workdays)


def statutory_holidays(year: int) -> dict[date, str]:
    """The 13 days off that 《全国年节及纪念日放假办法》 (国务院令第795号, in force from 2025)
    itself fixes for `year`: 元旦 1 January; 春节 the lunar New Year's Eve and the first three
    days of the lunar year; 清明 the solar term's day; 劳动节 1–2 May; 端午 the 5th of the 5th
    lunar month; 中秋 the 15th of the 8th; 国庆 1–3 October. The State Council's yearly notice
    adds the bridging days and the make-up working days (调休), which no rule predicts; a year
    entered from these alone is incomplete until they are added."""
    if year < 2025:
        raise ValueError("the holiday rules in force from 2025 do not describe earlier years")
    new_year = LunarDate(year, 1, 1).to_solar_date()
    qingming = next(d for d, name in get_solar_terms(date(year, 4, 1), date(year, 4, 30))
                    if name == "清明")  # fmt: skip
    days = {date(year, 1, 1): "New Year's Day"}
    days |= {new_year + timedelta(n): "Spring Festival" for n in range(-1, 3)}
    days |= {qingming: "Tomb-sweeping Day"}
    days |= {date(year, 5, d): "Labour Day" for d in (1, 2)}
    days |= {LunarDate(year, 5, 5).to_solar_date(): "Dragon Boat Festival"}
    days |= {LunarDate(year, 8, 15).to_solar_date(): "Mid-autumn Festival"}
    days |= {date(year, 10, d): "National Day" for d in (1, 2, 3)}
    return days


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
