"""Matched credit (pure domain): the matching limit and the due-diligence-to-disbursement clock,
with worked examples on the official calendar and properties (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from chinese_calendar import constants as official
from hypothesis import given, settings
from hypothesis import strategies as st

from patientcap.domain.calendar import CalendarNotCovered, WorkingCalendar
from patientcap.domain.matching import (
    Clock,
    Pause,
    check_amount,
    deadlines_many,
    matching_limit,
)
from patientcap.domain.messages import Invalid

ONE, TWO = Decimal(1), Decimal(2)
OFFICIAL = WorkingCalendar(
    range(min(official.holidays).year, max(official.holidays).year + 1),
    holidays=official.holidays,
    workdays=official.workdays,
)
PLAIN = WorkingCalendar([2025, 2026])  # weekdays only: easy to check by hand


def limit(invest_first: int = 0, angel: int = 0):
    return matching_limit(
        invest_first_fen=invest_first, angel_fen=angel, invest_first_ratio=ONE, angel_ratio=TWO
    )


# --- limit ----------------------------------------------------------------------------------
def test_invest_first_money_is_matched_one_to_one():
    assert limit(invest_first=200_000_000).total_fen == 200_000_000


def test_angel_money_is_matched_up_to_one_to_two():
    assert limit(angel=150_000_000).total_fen == 300_000_000


def test_a_firm_with_both_investments_gets_both_parts_added():
    got = limit(invest_first=100_000_000, angel=50_000_000)
    assert (got.invest_first_part_fen, got.angel_part_fen, got.total_fen) == (
        100_000_000,
        100_000_000,
        200_000_000,
    )


def test_credit_above_the_matching_limit_is_refused_with_both_amounts():
    with pytest.raises(Invalid, match="above the firm's matching limit") as e:
        check_amount(limit(invest_first=200_000_000), 200_000_001)
    assert "¥2,000,000.00" in str(e.value)


def test_a_firm_without_a_qualifying_investment_is_refused_whatever_the_amount():
    with pytest.raises(Invalid, match="no qualifying investment"):
        check_amount(limit(), 1)


def test_credit_up_to_the_limit_is_accepted_and_zero_is_refused():
    check_amount(limit(invest_first=200_000_000), 200_000_000)
    with pytest.raises(Invalid, match="positive"):
        check_amount(limit(invest_first=200_000_000), 0)


def test_negative_investment_or_float_ratio_is_a_programming_error():
    with pytest.raises(ValueError):
        matching_limit(invest_first_fen=-1, angel_fen=0, invest_first_ratio=ONE, angel_ratio=TWO)
    with pytest.raises(ValueError):
        matching_limit(invest_first_fen=1, angel_fen=0, invest_first_ratio=1.0, angel_ratio=TWO)  # type: ignore[arg-type]


# --- clock ----------------------------------------------------------------------------------
def test_seven_working_days_skip_the_weekend():
    clock = Clock(started=date(2026, 3, 5), days=7)  # a Thursday
    assert clock.deadline(PLAIN, as_of=date(2026, 3, 5)) == date(2026, 3, 16)


def test_the_deadline_skips_the_national_day_holiday_and_counts_the_make_up_saturday():
    # 2025: 10-01..10-08 off; Sunday 9-28 and Saturday 10-11 are working days.
    clock = Clock(started=date(2025, 9, 29), days=7)
    # 9-30 (1), 10-09 (2), 10-10 (3), 10-11 Saturday make-up (4), 10-13..10-15 (5..7)
    assert clock.deadline(OFFICIAL, as_of=date(2025, 9, 29)) == date(2025, 10, 15)


def test_paused_working_days_extend_the_deadline():
    clock = Clock(
        started=date(2026, 3, 2), days=7, pauses=(Pause(date(2026, 3, 4), date(2026, 3, 9)),)
    )
    # paused (Wed, Mon]: Thu, Fri, Mon = 3 working days
    assert clock.paused_days(PLAIN, date(2026, 3, 20)) == 3
    assert clock.deadline(PLAIN, date(2026, 3, 20)) == date(2026, 3, 16)


def test_resuming_the_same_day_costs_nothing():
    plain = Clock(started=date(2026, 3, 2), days=7)
    same_day = plain.with_pause(Pause(date(2026, 3, 4), date(2026, 3, 4)))
    assert same_day.deadline(PLAIN, date(2026, 3, 31)) == plain.deadline(PLAIN, date(2026, 3, 31))


def test_an_open_pause_stops_the_countdown_and_extends_to_the_date_asked():
    clock = Clock(started=date(2026, 3, 2), days=7, pauses=(Pause(date(2026, 3, 4)),))
    assert clock.is_paused
    assert clock.days_left(PLAIN, date(2026, 3, 4)) == 5
    assert clock.days_left(PLAIN, date(2026, 3, 13)) == 5
    assert clock.deadline(PLAIN, date(2026, 3, 13)) == date(2026, 3, 20)


def test_a_pause_after_the_deadline_does_not_cure_a_late_file():
    clock = Clock(started=date(2026, 3, 2), days=7)  # deadline Wednesday 3-11
    late = clock.with_pause(Pause(date(2026, 3, 13), date(2026, 3, 20)))
    assert late.deadline(PLAIN, date(2026, 3, 20)) == date(2026, 3, 11)
    assert late.is_overdue(PLAIN, date(2026, 3, 20))


def test_a_pause_on_the_deadline_day_still_stops_the_clock():
    clock = Clock(
        started=date(2026, 3, 2), days=7, pauses=(Pause(date(2026, 3, 11), date(2026, 3, 13)),)
    )
    assert clock.deadline(PLAIN, date(2026, 3, 13)) == date(2026, 3, 13)
    assert clock.met_by(PLAIN, date(2026, 3, 13))


def test_days_left_counts_down_and_goes_negative_when_overdue():
    clock = Clock(started=date(2026, 3, 2), days=7)
    assert clock.days_left(PLAIN, date(2026, 3, 2)) == 7
    assert clock.days_left(PLAIN, date(2026, 3, 6)) == 3
    assert clock.days_left(PLAIN, date(2026, 3, 11)) == 0
    assert not clock.is_overdue(PLAIN, date(2026, 3, 11))
    assert clock.days_left(PLAIN, date(2026, 3, 13)) == -2
    assert clock.is_overdue(PLAIN, date(2026, 3, 13))


def test_a_deadline_in_a_year_the_calendar_does_not_cover_names_the_year():
    clock = Clock(started=date(2026, 12, 28), days=7)
    with pytest.raises(CalendarNotCovered, match="2027"):
        clock.deadline(PLAIN, date(2026, 12, 28))
    with pytest.raises(CalendarNotCovered) as e:
        Clock(started=date(2030, 1, 2), days=7).deadline(PLAIN, date(2030, 1, 2))
    assert e.value.year == 2030


def test_pauses_must_follow_each_other_and_only_the_last_may_be_open():
    with pytest.raises(Invalid, match="before due diligence"):
        Clock(started=date(2026, 3, 2), days=7, pauses=(Pause(date(2026, 3, 1), date(2026, 3, 3)),))
    with pytest.raises(Invalid, match="Only the last"):
        Clock(
            started=date(2026, 3, 2),
            days=7,
            pauses=(Pause(date(2026, 3, 3)), Pause(date(2026, 3, 5))),
        )
    with pytest.raises(Invalid, match="before it starts"):
        Clock(started=date(2026, 3, 2), days=7, pauses=(Pause(date(2026, 3, 5), date(2026, 3, 4)),))
    with pytest.raises(Invalid, match="not paused"):
        Clock(started=date(2026, 3, 2), days=7).resumed(date(2026, 3, 3))


# --- properties -----------------------------------------------------------------------------
START = date(2025, 1, 1)


@st.composite
def clocks(draw, open_last: bool = True) -> Clock:
    started = START + timedelta(days=draw(st.integers(0, 500)))
    pauses = []
    at = started
    for _ in range(draw(st.integers(0, 4))):
        start = at + timedelta(days=draw(st.integers(0, 12)))
        end = start + timedelta(days=draw(st.integers(0, 10)))
        pauses.append(Pause(start, end))
        at = end
    if open_last and pauses and draw(st.booleans()):
        pauses[-1] = Pause(pauses[-1].start)
    return Clock(started=started, days=draw(st.integers(0, 15)), pauses=tuple(pauses))


AS_OF = date(2026, 10, 1)


@settings(max_examples=300, deadline=None)
@given(clock=clocks())
def test_pauses_never_shorten_a_deadline(clock):
    bare = Clock(started=clock.started, days=clock.days)
    assert clock.deadline(OFFICIAL, AS_OF) >= bare.deadline(OFFICIAL, AS_OF)
    assert clock.deadline(OFFICIAL, AS_OF) == OFFICIAL.add_working_days(
        bare.deadline(OFFICIAL, AS_OF), clock.paused_days(OFFICIAL, AS_OF)
    )


@settings(max_examples=300, deadline=None)
@given(clock=clocks(), extra=st.integers(0, 10))
def test_resuming_later_never_brings_the_deadline_forward(clock, extra):
    if not clock.pauses or clock.is_paused:
        return
    last = clock.pauses[-1]
    assert last.end is not None
    later = Clock(
        started=clock.started,
        days=clock.days,
        pauses=(*clock.pauses[:-1], Pause(last.start, last.end + timedelta(days=extra))),
    )
    assert later.deadline(OFFICIAL, AS_OF) >= clock.deadline(OFFICIAL, AS_OF)


@settings(max_examples=300, deadline=None)
@given(clock=clocks(open_last=False), offset=st.integers(0, 90))
def test_finishing_on_a_working_day_meets_the_deadline_exactly_when_it_is_not_after_it(
    clock, offset
):
    done = clock.started + timedelta(days=offset)
    if not OFFICIAL.is_working_day(done):
        return
    assert clock.met_by(OFFICIAL, done) == (done <= clock.deadline(OFFICIAL, AS_OF))


@settings(max_examples=300, deadline=None)
@given(clock=clocks(open_last=False))
def test_on_the_deadline_no_working_day_is_left_and_the_file_is_not_overdue(clock):
    deadline = clock.deadline(OFFICIAL, AS_OF)
    assert clock.days_left(OFFICIAL, deadline) == 0 or deadline == clock.started
    assert not clock.is_overdue(OFFICIAL, deadline)


@settings(max_examples=200, deadline=None)
@given(clock=clocks(), day=st.integers(0, 6))
def test_a_same_day_pause_anywhere_changes_nothing(clock, day):
    if clock.is_paused:
        return
    at = (clock.pauses[-1].end if clock.pauses else clock.started) + timedelta(days=day)
    more = clock.with_pause(Pause(at, at))
    assert more.deadline(OFFICIAL, AS_OF) == clock.deadline(OFFICIAL, AS_OF)
    assert more.elapsed(OFFICIAL, AS_OF) == clock.elapsed(OFFICIAL, AS_OF)


@settings(max_examples=50, deadline=None)
@given(many=st.lists(clocks(open_last=False), min_size=1, max_size=20))
def test_deadlines_for_many_files_at_once_equal_one_at_a_time(many):
    k = max(len(c.pauses) for c in many) or 1
    starts = np.array([c.started for c in many], dtype="datetime64[D]")
    days = np.array([c.days for c in many])
    ps = np.empty((len(many), k), dtype="datetime64[D]")
    pe = np.empty((len(many), k), dtype="datetime64[D]")
    for i, c in enumerate(many):
        last = c.pauses[-1].end if c.pauses else c.started
        for j in range(k):
            p = c.pauses[j] if j < len(c.pauses) else Pause(last, last)
            ps[i, j], pe[i, j] = p.start, p.end
    got = deadlines_many(OFFICIAL, starts, days, ps, pe)
    assert [d.item() for d in got] == [c.deadline(OFFICIAL, AS_OF) for c in many]


def test_what_the_firm_already_holds_or_asked_for_counts_against_its_limit():
    check_amount(limit(invest_first=200_000_000), 50_000_000, used_fen=150_000_000)
    with pytest.raises(Invalid, match=r"what is left.*¥500,000.00.*¥1,500,000.00"):
        check_amount(limit(invest_first=200_000_000), 50_000_001, used_fen=150_000_000)


def test_many_deadlines_refuse_a_year_the_calendar_does_not_cover():
    starts = np.array(["2026-12-28"], dtype="datetime64[D]")
    pauses = np.array([["2026-12-28"]], dtype="datetime64[D]")
    with pytest.raises(CalendarNotCovered, match="2027"):
        deadlines_many(PLAIN, starts, 7, pauses, pauses)
