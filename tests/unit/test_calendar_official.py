"""The official PRC calendar as built from the chinese-calendar package (no database).

Each example is checked against the package's own data first, so the test proves our reading of
the package, not our memory of the State Council's notices.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest

from patientcap.domain.calendar import CalendarNotCovered, SpecialDay
from patientcap.policy.calendar import build_calendar, official_years, statutory_holidays


@pytest.fixture(scope="module")
def cal():
    return build_calendar(overrides=[], declared_years=[])


def test_the_package_says_what_we_expect_of_2024_and_2025():
    # Make-up working days (调休): Sundays 2024-02-04 and 2024-02-18, Sunday 2025-09-28 and
    # Saturday 2025-10-11.
    for d in [date(2024, 2, 4), date(2024, 2, 18), date(2025, 9, 28), date(2025, 10, 11)]:
        assert d.weekday() >= 5 and d in chinese_calendar.constants.workdays
    for d in _days(date(2024, 2, 10), date(2024, 2, 17)) + _days(
        date(2025, 10, 1), date(2025, 10, 8)
    ):
        assert d in chinese_calendar.constants.holidays


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_2024_spring_festival_is_off_and_its_two_make_up_sundays_are_worked(cal):
    assert not any(cal.is_working_day(d) for d in _days(date(2024, 2, 10), date(2024, 2, 17)))
    assert cal.is_working_day(date(2024, 2, 4))
    assert cal.is_working_day(date(2024, 2, 18))
    # Seven working days after Thursday 2024-02-08: Fri 9th, Sun 18th, then Mon 19th to Fri 23rd.
    assert cal.add_working_days(date(2024, 2, 8), 7) == date(2024, 2, 23)


def test_2025_national_day_is_off_and_the_make_up_sunday_and_saturday_are_worked(cal):
    assert not any(cal.is_working_day(d) for d in _days(date(2025, 10, 1), date(2025, 10, 8)))
    assert cal.is_working_day(date(2025, 9, 28))
    assert cal.is_working_day(date(2025, 10, 11))
    # Due diligence done Friday 2025-09-26: Sun 28th, Mon 29th, Tue 30th, Thu 9th, Fri 10th,
    # Sat 11th, Mon 13th.
    assert cal.add_working_days(date(2025, 9, 26), 7) == date(2025, 10, 13)
    assert cal.working_days_between(date(2025, 9, 26), date(2025, 10, 13)) == 7


def test_every_covered_day_agrees_with_the_package(cal):
    d, last = date(official_years().start, 1, 1), date(official_years().stop - 1, 12, 31)
    while d <= last:
        assert cal.is_working_day(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_the_covered_years_are_the_packages_own_range(cal):
    assert cal.covered_years == tuple(official_years())
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(official_years().stop, 1, 1))


def test_2040_is_not_covered_and_says_so(cal):
    with pytest.raises(CalendarNotCovered) as err:
        cal.add_working_days(date(2040, 3, 1), 7)
    assert err.value.year == 2040
    assert "2040" in str(err.value)


def test_a_declared_year_is_covered_with_only_its_overrides_as_holidays():
    year = official_years().stop + 1  # leave a gap year after the package's range
    cal = build_calendar(
        overrides=[SpecialDay(date(year, 1, 1), False, "New Year's Day")],
        declared_years=[year],
    )
    assert cal.is_covered(year)
    assert not cal.is_working_day(date(year, 1, 1))
    with pytest.raises(CalendarNotCovered) as err:
        cal.add_working_days(date(year - 2, 12, 30), 10)
    assert err.value.year == year - 1


@pytest.mark.parametrize("year", [y for y in official_years() if y >= 2025])
def test_every_statutory_holiday_is_an_official_holiday_of_the_same_name(year):
    days = statutory_holidays(year)
    assert len(days) == 13
    assert all(chinese_calendar.constants.holidays.get(d) == name for d, name in days.items())


def test_the_statutory_holidays_of_a_year_the_package_does_not_cover_follow_the_law():
    days = statutory_holidays(2027)
    spring = sorted(d for d, name in days.items() if name == "Spring Festival")
    assert spring == _days(date(2027, 2, 5), date(2027, 2, 8))  # New Year's Eve to the 3rd day
    assert {date(2027, 1, 1), date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2)} <= set(days)
    assert {date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)} <= set(days)


def test_the_statutory_holidays_are_not_guessed_for_years_before_the_rules_in_force():
    with pytest.raises(ValueError, match="from 2025"):
        statutory_holidays(2024)
