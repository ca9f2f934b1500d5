"""Working-day arithmetic over an injected calendar (pure domain, synthetic data)."""

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientcap.domain.calendar import (
    CalendarNotCovered,
    SpecialDay,
    WorkingCalendar,
    day_number,
    describe_years,
)

# 2024's Spring Festival as the State Council set it: 2-10..2-17 off, Sunday 2-04 and Sunday
# 2-18 worked. Only 2024 and 2025 are covered.
SPRING_2024 = {date(2024, 2, 10) + timedelta(days=i): "Spring Festival" for i in range(8)}
MAKEUP_2024 = {date(2024, 2, 4): "Spring Festival", date(2024, 2, 18): "Spring Festival"}


def calendar(**kwargs) -> WorkingCalendar:
    kwargs.setdefault("holidays", SPRING_2024)
    kwargs.setdefault("workdays", MAKEUP_2024)
    return WorkingCalendar(kwargs.pop("years", [2024, 2025]), **kwargs)


def test_weekdays_work_and_weekends_rest_unless_the_data_says_otherwise():
    cal = calendar()
    assert cal.is_working_day(date(2024, 3, 1))  # a Friday
    assert not cal.is_working_day(date(2024, 3, 2))  # a Saturday
    assert not cal.is_working_day(date(2024, 2, 12))  # Monday of the Spring Festival
    assert cal.is_working_day(date(2024, 2, 4))  # a make-up Sunday
    assert cal.is_working_day(date(2024, 2, 18))  # a make-up Sunday


def test_a_deadline_does_not_count_the_start_day_and_skips_the_holiday():
    cal = calendar()
    # Friday 2-09 + 1 working day: the week of 2-12 is off, Sunday 2-18 is worked.
    assert cal.add_working_days(date(2024, 2, 9), 1) == date(2024, 2, 18)
    assert cal.add_working_days(date(2024, 2, 9), 2) == date(2024, 2, 19)
    assert cal.add_working_days(date(2024, 3, 1), 1) == date(2024, 3, 4)  # Friday -> Monday


def test_zero_working_days_after_a_date_is_that_date_even_a_holiday():
    cal = calendar()
    assert cal.add_working_days(date(2024, 2, 12), 0) == date(2024, 2, 12)


def test_working_days_between_counts_after_the_start_up_to_and_including_the_end():
    cal = calendar()
    assert cal.working_days_between(date(2024, 3, 1), date(2024, 3, 1)) == 0
    assert cal.working_days_between(date(2024, 3, 1), date(2024, 3, 4)) == 1  # Fri -> Mon
    assert cal.working_days_between(date(2024, 3, 2), date(2024, 3, 4)) == 1  # Sat -> Mon
    assert cal.working_days_between(date(2024, 2, 9), date(2024, 2, 17)) == 0  # all off
    assert cal.working_days_between(date(2024, 3, 4), date(2024, 3, 1)) == -1


def test_counting_across_the_new_year_of_two_covered_years_works():
    cal = calendar()
    assert cal.add_working_days(date(2024, 12, 31), 1) == date(2025, 1, 1)  # no 2025 data
    assert cal.working_days_between(date(2024, 12, 27), date(2025, 1, 3)) == 5


def test_a_date_in_an_uncovered_year_is_an_error_never_a_weekday_guess():
    cal = calendar()
    with pytest.raises(CalendarNotCovered) as err:
        cal.is_working_day(date(2040, 6, 4))
    assert err.value.year == 2040
    assert err.value.day == date(2040, 6, 4)
    assert "2040-06-04" in str(err.value) and "2024–2025" in str(err.value)
    with pytest.raises(CalendarNotCovered):
        cal.add_working_days(date(2023, 12, 29), 1)
    with pytest.raises(CalendarNotCovered):
        cal.working_days_between(date(2024, 1, 1), date(2040, 1, 1))


def test_a_deadline_that_runs_past_the_last_covered_year_is_an_error():
    cal = calendar()
    with pytest.raises(CalendarNotCovered) as err:
        cal.add_working_days(date(2025, 12, 30), 5)
    assert err.value.year == 2026


def test_a_deadline_never_jumps_over_an_uncovered_year():
    cal = calendar(years=[2024, 2026])
    with pytest.raises(CalendarNotCovered) as err:
        cal.add_working_days(date(2024, 12, 30), 5)
    assert err.value.year == 2025
    with pytest.raises(CalendarNotCovered) as err:
        cal.working_days_between(date(2024, 12, 30), date(2026, 1, 5))
    assert err.value.year == 2025
    assert cal.add_working_days(date(2026, 1, 1), 1) == date(2026, 1, 2)


def test_overrides_win_over_holidays_and_make_up_days():
    cal = calendar(
        overrides=[
            SpecialDay(date(2024, 2, 12), True, "correction"),
            SpecialDay(date(2024, 2, 18), False, "correction"),
            SpecialDay(date(2024, 3, 1), False, "extra holiday"),
        ]
    )
    assert cal.is_working_day(date(2024, 2, 12))
    assert not cal.is_working_day(date(2024, 2, 18))
    assert not cal.is_working_day(date(2024, 3, 1))
    assert SpecialDay(date(2024, 3, 1), False, "extra holiday") in cal.special_days(2024)


def test_an_override_alone_does_not_make_its_year_covered():
    cal = calendar(overrides=[SpecialDay(date(2040, 1, 1), False, "New Year")])
    assert not cal.is_covered(2040)
    with pytest.raises(CalendarNotCovered):
        cal.is_working_day(date(2040, 1, 2))
    assert cal.special_days(2040) == [SpecialDay(date(2040, 1, 1), False, "New Year")]


def test_contradictory_or_misplaced_data_is_refused():
    with pytest.raises(ValueError, match="outside the covered years"):
        WorkingCalendar([2024], holidays=[date(2023, 10, 1)])
    with pytest.raises(ValueError, match="both as a holiday and a workday"):
        WorkingCalendar([2024], holidays=[date(2024, 2, 4)], workdays=[date(2024, 2, 4)])
    with pytest.raises(ValueError, match="overridden twice"):
        WorkingCalendar([2024], overrides=[SpecialDay(date(2024, 1, 2), False)] * 2)
    with pytest.raises(ValueError, match="covered years"):
        WorkingCalendar([0])


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="0 or more"):
        calendar().add_working_days(date(2024, 3, 1), -1)
    with pytest.raises(ValueError, match="0 or more"):
        calendar().add_working_days_many([date(2024, 3, 1)], -1)


def test_an_empty_calendar_covers_nothing():
    cal = WorkingCalendar([])
    assert cal.covered_years == ()
    with pytest.raises(CalendarNotCovered, match="no year"):
        cal.add_working_days(date(2024, 1, 1), 1)
    with pytest.raises(CalendarNotCovered):
        cal.add_working_days_many([date(2024, 1, 1)], 1)


def test_years_are_described_as_ranges():
    assert describe_years([2026, 2004, 2005, 2006, 2028]) == "2004–2006, 2026, 2028"
    assert describe_years([]) == ""


# --- properties --------------------------------------------------------------------------------
CAL = calendar(years=[2024, 2025, 2026])
FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)
days_in_range = st.dates(min_value=FIRST, max_value=date(2026, 6, 30))


@given(start=days_in_range, n=st.integers(min_value=0, max_value=100))
def test_the_working_days_between_a_start_and_its_deadline_are_n(start, n):
    deadline = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, deadline) == n
    assert CAL.working_days_between(deadline, start) == -n


@given(start=days_in_range, n=st.integers(min_value=1, max_value=100))
def test_a_deadline_is_a_working_day_after_the_start_and_the_day_before_it_falls_short(start, n):
    deadline = CAL.add_working_days(start, n)
    assert deadline > start and CAL.is_working_day(deadline)
    assert CAL.working_days_between(start, deadline - timedelta(days=1)) == n - 1


@given(start=days_in_range, n=st.integers(min_value=0, max_value=100))
def test_one_more_working_day_is_the_next_working_day(start, n):
    nth = CAL.add_working_days(start, n)
    following = CAL.add_working_days(start, n + 1)
    assert following == CAL.add_working_days(nth, 1)


@given(a=days_in_range, b=days_in_range, c=days_in_range)
def test_working_days_between_adds_up_along_the_way(a, b, c):
    assert CAL.working_days_between(a, c) == (
        CAL.working_days_between(a, b) + CAL.working_days_between(b, c)
    )


@given(
    starts=st.lists(days_in_range, min_size=1, max_size=50),
    n=st.integers(min_value=0, max_value=60),
)
def test_the_vectorised_deadlines_equal_the_one_at_a_time_ones(starts, n):
    expected = [CAL.add_working_days(s, n) for s in starts]
    got = CAL.add_working_days_many(np.array(starts, dtype="datetime64[D]"), n)
    assert [d.astype(object) for d in got] == expected
    back = CAL.working_days_between_many(np.array(starts, dtype="datetime64[D]"), got)
    assert back.tolist() == [n] * len(starts)


def test_the_vectorised_form_takes_day_numbers_dates_and_per_start_counts():
    starts = [date(2024, 2, 9), date(2024, 3, 1)]
    by_dates = CAL.add_working_days_many(starts, [1, 0])
    by_numbers = CAL.add_working_days_many([day_number(d) for d in starts], np.array([1, 0]))
    expected = np.array(["2024-02-18", "2024-03-01"], dtype="datetime64[D]")
    assert (by_dates == expected).all() and (by_numbers == expected).all()
    assert by_dates.dtype == np.dtype("datetime64[D]")


def test_the_vectorised_form_names_the_first_uncovered_date():
    starts = np.array(["2024-05-06", "2040-01-02"], dtype="datetime64[D]")
    with pytest.raises(CalendarNotCovered) as err:
        CAL.add_working_days_many(starts, 3)
    assert err.value.day == date(2040, 1, 2)
    with pytest.raises(CalendarNotCovered) as err:
        CAL.add_working_days_many(np.array(["2026-12-30"], dtype="datetime64[D]"), 5)
    assert err.value.year == 2027
    with pytest.raises(CalendarNotCovered):
        CAL.working_days_between_many([date(2024, 1, 2)], [date(2027, 1, 4)])


def test_a_missing_date_or_a_wrong_type_is_refused():
    with pytest.raises(ValueError, match="missing"):
        CAL.add_working_days_many(np.array(["2024-05-06", "NaT"], dtype="datetime64[D]"), 1)
    with pytest.raises(TypeError):
        CAL.add_working_days_many(np.array([1.5]), 1)
