"""Reads for the policy pages and API: parameters in force, a parameter's history, a year of
the working-day calendar."""

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass

from patientcap.domain.calendar import SpecialDay, describe_years
from patientcap.domain.policy import InForce, Parameter
from patientcap.policy import registry
from patientcap.policy.calendar import official_years, working_calendar
from patientcap.policy.models import CalendarYear, WorkingDayOverride


@dataclass(frozen=True)
class ParametersOn:
    on: dt.date
    in_force: list[InForce]
    not_yet_in_force: list[Parameter]
    digest: str


def parameters_on(on: dt.date) -> ParametersOn:
    ps = registry.policy()
    return ParametersOn(on, ps.in_force(on), ps.not_yet_in_force(on), ps.digest)


def parameter(name: str) -> Parameter:
    """One parameter with its whole history (UnknownParameter if there is none so named)."""
    return registry.policy().parameter(name)


@dataclass(frozen=True)
class DayRow:
    day: SpecialDay
    source: str  # "override" or "official"
    reference: str


@dataclass(frozen=True)
class CalendarYearView:
    year: int
    covered: bool
    covered_years: str
    official_years: str
    declared: list[CalendarYear]
    days: list[DayRow]
    months: list[tuple[dt.date, int]]  # (first of month, working days in it), covered years only


def calendar_year(year: int) -> CalendarYearView:
    cal = working_calendar()
    overrides = {o.date: o for o in WorkingDayOverride.objects.filter(date__year=year)}
    days = [
        DayRow(
            s,
            "override" if s.day in overrides else "official",
            overrides[s.day].reference if s.day in overrides else "",
        )
        for s in cal.special_days(year)
    ]
    months: list[tuple[dt.date, int]] = []
    if cal.is_covered(year):
        for m in range(1, 13):
            first = dt.date(year, m, 1)
            last = first.replace(day=month_calendar.monthrange(year, m)[1])
            count = cal.working_days_between(first, last) + cal.is_working_day(first)
            months.append((first, count))
    return CalendarYearView(
        year=year,
        covered=cal.is_covered(year),
        covered_years=describe_years(cal.covered_years),
        official_years=describe_years(official_years()),
        declared=list(CalendarYear.objects.all()),
        days=days,
        months=months,
    )
