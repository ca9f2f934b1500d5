"""Working days: official PRC working-day arithmetic over an injected calendar.

A working day is Monday to Friday unless it is a public holiday, plus the weekend days that the
State Council's yearly notice turns into working days (调休 make-up days). The calendar is built
from explicit data (the covered years, their holidays, their make-up working days, and overrides
that win over both) and knows nothing else: a date in a year it was not given raises
`CalendarNotCovered`, never a weekday-only guess.

Counting convention ("deadline = N working days after start", the start day not counted):
- `add_working_days(start, n)` is the n-th working day strictly after `start` (`start` for n=0).
- `working_days_between(start, end)` counts the working days d with start < d <= end, the
  half-open interval (start, end]: the working days elapsed since `start`. It is negative when
  end < start. So `working_days_between(s, add_working_days(s, n)) == n` for every n >= 0.

Speed: the working days of all covered years are precomputed once as a sorted array of day
numbers (days since 1970-01-01, the integers behind numpy `datetime64[D]`), so one deadline is a
binary search and a million deadlines are one `numpy.searchsorted`.

>>> cal = WorkingCalendar(
...     [2024],
...     holidays={date(2024, 2, 12): "Spring Festival"},
...     workdays={date(2024, 2, 18): "Spring Festival"},
... )
>>> cal.add_working_days(date(2024, 2, 9), 1)  # a Friday; Monday the 12th is a holiday
datetime.date(2024, 2, 13)
>>> cal.is_working_day(date(2024, 2, 18))  # a Sunday made a working day
True
>>> cal.working_days_between(date(2024, 2, 9), date(2024, 2, 13))
1
"""

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_THURSDAY = 3  # 1970-01-01 was a Thursday: weekday(n) = (n + 3) % 7, Monday = 0

DayNumbers = npt.NDArray[np.int64]


def day_number(d: date) -> int:
    """Days since 1970-01-01: the integer that numpy stores for a `datetime64[D]`."""
    return d.toordinal() - _EPOCH_ORDINAL


def from_day_number(n: int) -> date:
    return date.fromordinal(int(n) + _EPOCH_ORDINAL)


@dataclass(frozen=True, order=True)
class SpecialDay:
    """A date whose status the calendar data states explicitly (a holiday, a make-up working
    day, or an override), with the name of the holiday it belongs to."""

    day: date
    is_working_day: bool
    name: str = ""


def year_runs(years: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive years as (first, last): [2004, 2005, 2007] -> [(2004, 2005), (2007, 2007)]."""
    runs: list[list[int]] = []
    for y in sorted(set(years)):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return [(a, b) for a, b in runs]


def describe_years(years: Iterable[int]) -> str:
    """Years as compact ranges: [2004, ..., 2026, 2028] -> "2004–2026, 2028"."""
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in year_runs(years))


class CalendarNotCovered(LookupError):
    """A date in a year for which the calendar has no official holiday schedule."""

    def __init__(self, year: int, day: date | None = None, covered: Iterable[int] = ()) -> None:
        self.year = year
        self.day = day
        self.covered = tuple(sorted(set(covered)))
        where = f"{day.isoformat()} (year {year})" if day and day.year == year else f"year {year}"
        super().__init__(
            f"the working-day calendar does not cover {where} (covered: "
            f"{describe_years(self.covered) or 'no year'}); that year's holidays and make-up "
            "working days must be entered before working days can be counted in it"
        )


def _named(days: Iterable[date] | Mapping[date, str]) -> dict[date, str]:
    if isinstance(days, Mapping):
        return {d: str(name) for d, name in days.items()}
    return {d: "" for d in days}


class WorkingCalendar:
    """Working days of the covered years. Immutable once built; build a new one to change it."""

    def __init__(
        self,
        covered_years: Iterable[int],
        *,
        holidays: Iterable[date] | Mapping[date, str] = (),
        workdays: Iterable[date] | Mapping[date, str] = (),
        overrides: Iterable[SpecialDay] = (),
    ) -> None:
        """`holidays`: days off (weekend days inside a holiday period are allowed and change
        nothing); `workdays`: weekend days that are working days; both may map each date to the
        holiday's name, and must lie in `covered_years`. `overrides` win over both and may lie
        in any year (an override alone does not make its year covered)."""
        years = sorted(set(covered_years))
        if any(not isinstance(y, int) or not 1 <= y <= 9998 for y in years):
            raise ValueError("covered years must be integers between 1 and 9998")
        self._years = tuple(years)
        self._year_set = frozenset(years)
        special: dict[date, SpecialDay] = {}
        for is_working, days in ((False, holidays), (True, workdays)):
            for d, name in _named(days).items():
                if d.year not in self._year_set:
                    raise ValueError(f"{d.isoformat()} lies outside the covered years")
                if d in special:
                    raise ValueError(f"{d.isoformat()} is given both as a holiday and a workday")
                special[d] = SpecialDay(d, is_working, name)
        seen: set[date] = set()
        for o in overrides:
            if o.day in seen:
                raise ValueError(f"{o.day.isoformat()} is overridden twice")
            seen.add(o.day)
            special[o.day] = o
        self._special = special

        by_year: dict[int, list[SpecialDay]] = {}
        for s in special.values():
            by_year.setdefault(s.day.year, []).append(s)
        chunks = [self._year_working_days(y, by_year.get(y, [])) for y in years]
        self._work: DayNumbers = np.concatenate(chunks) if chunks else np.empty(0, dtype=np.int64)
        self._work_list: list[int] = self._work.tolist()
        self._work_set = frozenset(self._work_list)
        # Covered years in runs of consecutive years, as half-open ranges of day numbers.
        # Counting from a date may run up to, never into, the end of the run it starts in.
        runs = year_runs(years)
        self._run_starts = np.array([day_number(date(a, 1, 1)) for a, _ in runs], dtype=np.int64)
        self._run_ends = np.array([day_number(date(b + 1, 1, 1)) for _, b in runs], dtype=np.int64)
        self._limit = {y: day_number(date(b + 1, 1, 1)) for a, b in runs for y in range(a, b + 1)}

    @staticmethod
    def _year_working_days(year: int, special: list[SpecialDay]) -> DayNumbers:
        first = day_number(date(year, 1, 1))
        days = np.arange(first, day_number(date(year + 1, 1, 1)), dtype=np.int64)
        working = (days + _THURSDAY) % 7 < 5
        for s in special:
            working[day_number(s.day) - first] = s.is_working_day
        return days[working]

    # --- what the calendar covers ------------------------------------------------------------
    @property
    def covered_years(self) -> tuple[int, ...]:
        return self._years

    def is_covered(self, year: int) -> bool:
        return year in self._year_set

    def special_days(self, year: int) -> list[SpecialDay]:
        """The dates of `year` with an explicit status (holidays, make-up days, overrides)."""
        return sorted(s for s in self._special.values() if s.day.year == year)

    def _check(self, d: date) -> None:
        if d.year not in self._year_set:
            raise CalendarNotCovered(d.year, d, self._years)

    def _check_span(self, lo: date, hi: date) -> None:
        """Every year from lo to hi (lo <= hi) must be covered."""
        self._check(lo)
        if day_number(hi) >= self._limit[lo.year]:
            gap = from_day_number(self._limit[lo.year]).year
            raise CalendarNotCovered(gap, hi, self._years)

    # --- one date at a time ------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        self._check(d)
        return day_number(d) in self._work_set

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (`start` itself not counted; `start` for n=0).

        A deadline of "7 working days from due diligence" is `add_working_days(dd_date, 7)`.
        """
        if n < 0:
            raise ValueError("add_working_days counts forward: n must be 0 or more")
        self._check(start)
        if n == 0:
            return start
        i = bisect_right(self._work_list, day_number(start)) + n - 1
        limit = self._limit[start.year]
        if i >= len(self._work_list) or self._work_list[i] >= limit:
            raise CalendarNotCovered(from_day_number(limit).year, None, self._years)
        return from_day_number(self._work_list[i])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end; negative (the same count) when end < start."""
        lo, hi = (start, end) if start <= end else (end, start)
        self._check_span(lo, hi)
        count = bisect_right(self._work_list, day_number(hi)) - bisect_right(
            self._work_list, day_number(lo)
        )
        return count if start <= end else -count

    # --- many dates at once (numpy) ----------------------------------------------------------
    def add_working_days_many(self, starts: Any, n: Any) -> npt.NDArray[np.datetime64]:
        """`add_working_days` for each start (an array of `datetime64[D]`, of day numbers, or a
        sequence of dates) with `n` a number or an array of the same shape. Returns
        `datetime64[D]`. Raises `CalendarNotCovered` for the first start that cannot be served.
        """
        s = as_day_numbers(starts)
        steps = np.asarray(n, dtype=np.int64)
        if (steps < 0).any():
            raise ValueError("add_working_days counts forward: n must be 0 or more")
        s, steps = np.broadcast_arrays(s, steps)
        limit = self._limits(s)
        i = np.searchsorted(self._work, s, side="right") + steps - 1
        beyond = i >= len(self._work)
        # A stand-in array keeps the indexing valid when no day is a working day at all.
        work = self._work if len(self._work) else np.zeros(1, dtype=np.int64)
        result = np.where(steps == 0, s, work[np.clip(i, 0, len(work) - 1)])
        bad = (steps > 0) & (beyond | (result >= limit))
        if bad.any():
            first = int(np.argmax(bad))
            raise CalendarNotCovered(from_day_number(int(limit[first])).year, None, self._years)
        return result.astype("datetime64[D]")

    def working_days_between_many(self, starts: Any, ends: Any) -> npt.NDArray[np.int64]:
        """`working_days_between` element by element, for arrays as in `add_working_days_many`."""
        s, e = np.broadcast_arrays(as_day_numbers(starts), as_day_numbers(ends))
        lo, hi = np.minimum(s, e), np.maximum(s, e)
        limit = self._limits(lo)
        if (hi >= limit).any():
            first = int(np.argmax(hi >= limit))
            gap = from_day_number(int(limit[first])).year
            raise CalendarNotCovered(gap, from_day_number(int(hi[first])), self._years)
        count = np.searchsorted(self._work, e, side="right") - np.searchsorted(
            self._work, s, side="right"
        )
        return count.astype(np.int64)

    def _limits(self, s: DayNumbers) -> DayNumbers:
        """Per day number: the end of the covered run it lies in; raise if it lies in none."""
        if not len(self._run_starts):
            covered = np.zeros(s.shape, dtype=bool)
            limit = np.zeros(s.shape, dtype=np.int64)
        else:
            run = np.searchsorted(self._run_starts, s, side="right") - 1
            limit = self._run_ends[np.maximum(run, 0)]
            covered = (run >= 0) & (s < limit)
        if not covered.all():
            first = int(np.argmin(covered))
            d = from_day_number(int(s.flat[first]))
            raise CalendarNotCovered(d.year, d, self._years)
        return limit


def as_day_numbers(values: Any) -> DayNumbers:
    """Day numbers (int64 days since 1970-01-01) from `datetime64` values, integers already in
    that form, or a sequence of `datetime.date`."""
    arr = np.asarray(values)
    if arr.dtype.kind in "OU":
        arr = np.asarray(values, dtype="datetime64[D]")
    if arr.dtype.kind == "M":
        if np.isnat(arr).any():
            raise ValueError("a date is missing (NaT)")
        return arr.astype("datetime64[D]").astype(np.int64)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    raise TypeError(f"dates must be datetime64, day numbers or dates, not {arr.dtype}")
