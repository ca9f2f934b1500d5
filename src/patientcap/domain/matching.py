"""双融领创通 matched credit: the matching limit and the due-diligence-to-disbursement clock.

**Matching limit.** A firm may be granted bank credit up to `invest_first_ratio` × the public
invest-first money in it plus `angel_ratio` × the 凤栖 angel fund's investment in it (1:1 and
1:2 in the policy of 2025-12-05). The published text gives the two ratios for two kinds of firm
and is silent on a firm that holds both; the platform **adds** the two parts (each public yuan
mobilises its own matching credit, none is counted twice). A firm with neither has no limit and
is refused.

>>> matching_limit(invest_first_fen=200_000_000, angel_fen=0,
...     invest_first_ratio=Decimal(1), angel_ratio=Decimal(2)).total_fen
200000000

**The clock.** The deadline is `days` official working days after the day due diligence was
completed (the day itself not counted, decision 0003). While the bank waits for documents from
the firm the clock is paused; a pause runs from the day it starts to the day it ends and stops
the working days in (start, end] — so resuming the same day costs nothing. Elapsed working days
at a date are the working days since due diligence minus the paused ones; the file is on time
while elapsed ≤ `days`, and the deadline is the working day on which elapsed reaches `days`.

A pause only extends the deadline when it starts before the clock has run out (no working day
lies between the deadline and the pause's start): asking for documents after the deadline does
not cure a late file. Paused working days therefore extend the deadline by exactly as many
working days, never shorten it, and an open pause extends it up to the date asked about.

>>> from datetime import date
>>> from patientcap.domain.calendar import WorkingCalendar
>>> cal = WorkingCalendar([2026])
>>> clock = Clock(started=date(2026, 3, 2), days=7)                # a Monday
>>> clock.deadline(cal, as_of=date(2026, 3, 2))
datetime.date(2026, 3, 11)
>>> paused = clock.with_pause(Pause(date(2026, 3, 4), date(2026, 3, 6)))   # Wed → Fri: 2 days
>>> paused.deadline(cal, as_of=date(2026, 3, 6))
datetime.date(2026, 3, 13)
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from patientcap.domain.calendar import WorkingCalendar, as_day_numbers
from patientcap.domain.messages import Invalid, gettext_noop
from patientcap.domain.money import Fen, apply_ratio, format_yuan

# --- the matching limit ---------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """The matching limit and how it was reached."""

    invest_first_fen: Fen
    angel_fen: Fen
    invest_first_ratio: Decimal
    angel_ratio: Decimal
    invest_first_part_fen: Fen
    angel_part_fen: Fen

    @property
    def total_fen(self) -> Fen:
        return self.invest_first_part_fen + self.angel_part_fen

    @property
    def qualifies(self) -> bool:
        return self.invest_first_fen > 0 or self.angel_fen > 0


def matching_limit(
    *, invest_first_fen: Fen, angel_fen: Fen, invest_first_ratio: Decimal, angel_ratio: Decimal
) -> Limit:
    """invest-first × its ratio + angel × its ratio (both parts rounded by the one rule)."""
    for name, amount in (("invest_first_fen", invest_first_fen), ("angel_fen", angel_fen)):
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ValueError(f"{name} must be a non-negative integer number of fen")
    for ratio in (invest_first_ratio, angel_ratio):
        if not isinstance(ratio, Decimal) or ratio < 0:
            raise ValueError("matching ratios are non-negative Decimals")
    return Limit(
        invest_first_fen=invest_first_fen,
        angel_fen=angel_fen,
        invest_first_ratio=invest_first_ratio,
        angel_ratio=angel_ratio,
        invest_first_part_fen=apply_ratio(invest_first_fen, invest_first_ratio),
        angel_part_fen=apply_ratio(angel_fen, angel_ratio),
    )


def check_amount(limit: Limit, amount_fen: Fen, used_fen: Fen = 0) -> None:
    """Refuse a firm without a qualifying investment, and any amount not in (0, what is left of
    the limit]; `used_fen` is the matched credit the firm already holds or has asked for."""
    if not limit.qualifies:
        raise Invalid(
            gettext_noop(
                "The firm has no qualifying investment: matched credit is only for firms that "
                "received invest-first money or an investment of the angel fund."
            )
        )
    if amount_fen <= 0:
        raise Invalid(gettext_noop("The credit amount must be positive."))
    if amount_fen > limit.total_fen - used_fen:
        if used_fen:
            raise Invalid(
                gettext_noop(
                    "%(amount)s is above what is left of the firm's matching limit: %(left)s "
                    "(limit %(limit)s, already used or applied for %(used)s)."
                ),
                {
                    "amount": format_yuan(amount_fen),
                    "left": format_yuan(max(limit.total_fen - used_fen, 0)),
                    "limit": format_yuan(limit.total_fen),
                    "used": format_yuan(used_fen),
                },
            )
        raise Invalid(
            gettext_noop("%(amount)s is above the firm's matching limit of %(limit)s."),
            {"amount": format_yuan(amount_fen), "limit": format_yuan(limit.total_fen)},
        )


# --- the clock ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """The bank waits for documents from `start`; `end` is the day it resumed (None: still)."""

    start: date
    end: date | None = None

    def until(self, as_of: date) -> date:
        """The day the pause ends, or (still open) the date asked about, never before start."""
        return self.end if self.end is not None else max(self.start, as_of)


@dataclass(frozen=True)
class Clock:
    """A file's SLA clock: started when due diligence completed, `days` working days long."""

    started: date
    days: int
    pauses: tuple[Pause, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.days < 0:
            raise ValueError("the deadline is a number of working days, 0 or more")
        previous_end = self.started
        for i, p in enumerate(self.pauses):
            if p.start < previous_end:
                raise Invalid(
                    gettext_noop(
                        "A pause cannot start on %(start)s: before due diligence was complete "
                        "or before the previous pause ended."
                    ),
                    {"start": p.start.isoformat()},
                )
            if p.end is None and i != len(self.pauses) - 1:
                raise Invalid(gettext_noop("Only the last pause may still be open."))
            if p.end is not None and p.end < p.start:
                raise Invalid(
                    gettext_noop("A pause cannot end (%(end)s) before it starts (%(start)s)."),
                    {"end": p.end.isoformat(), "start": p.start.isoformat()},
                )
            previous_end = p.end or p.start

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    def with_pause(self, pause: Pause) -> "Clock":
        return replace(self, pauses=(*self.pauses, pause))

    def resumed(self, on: date) -> "Clock":
        """The clock with its open pause ended on `on`."""
        if not self.is_paused:
            raise Invalid(gettext_noop("The clock is not paused."))
        last = self.pauses[-1]
        return replace(self, pauses=(*self.pauses[:-1], Pause(last.start, on)))

    def counted_pauses(self, cal: WorkingCalendar, as_of: date) -> list[tuple[Pause, int]]:
        """The pauses that extend the deadline, each with its paused working days at `as_of`."""
        out: list[tuple[Pause, int]] = []
        deadline = cal.add_working_days(self.started, self.days)
        for p in self.pauses:
            if cal.working_days_between(deadline, p.start) > 0:
                break  # the clock had run out before this pause (and any later one) began
            paused = cal.working_days_between(p.start, p.until(as_of))
            out.append((p, paused))
            deadline = cal.add_working_days(deadline, paused)
        return out

    def paused_days(self, cal: WorkingCalendar, as_of: date) -> int:
        return sum(n for _, n in self.counted_pauses(cal, as_of))

    def deadline(self, cal: WorkingCalendar, as_of: date) -> date:
        """The last working day on which the file is on time (an open pause counts to as_of)."""
        return cal.add_working_days(self.started, self.days + self.paused_days(cal, as_of))

    def elapsed(self, cal: WorkingCalendar, at: date) -> int:
        """Working days the clock has run by `at` (0 before or on the start day)."""
        if at <= self.started:
            return 0
        total = cal.working_days_between(self.started, at)
        for p, _ in self.counted_pauses(cal, at):
            if p.start < at:
                total -= cal.working_days_between(p.start, min(p.until(at), at))
        return total

    def days_left(self, cal: WorkingCalendar, at: date) -> int:
        """Working days left at `at`; negative when overdue (by that many working days)."""
        return self.days - self.elapsed(cal, at)

    def is_overdue(self, cal: WorkingCalendar, at: date) -> bool:
        return self.days_left(cal, at) < 0

    def met_by(self, cal: WorkingCalendar, done: date) -> bool:
        """Whether finishing (disbursing) on `done` met the deadline."""
        return self.elapsed(cal, done) <= self.days


def clock_from(started: date, days: int, pauses: Sequence[tuple[date, date | None]]) -> Clock:
    return Clock(started=started, days=days, pauses=tuple(Pause(s, e) for s, e in pauses))


# --- many deadlines at once -----------------------------------------------------------------


def deadlines_many(
    cal: WorkingCalendar,
    started: Any,
    days: Any,
    pause_starts: Any,
    pause_ends: Any,
) -> npt.NDArray[np.datetime64]:
    """`Clock.deadline` for many files at once. `started` has shape (n,); `pause_starts` and
    `pause_ends` have shape (n, k): each file's k pauses in order (closed ones), a column with
    start == end where a file has fewer (it pauses nothing). Pauses that start after a file's
    clock ran out do not extend it, as for one file.

    Every date is turned into its working-day count from the earliest start once, through one
    table over the days the files span (a gather per date instead of a binary search); a date
    the calendar does not cover raises `CalendarNotCovered`, as for one file."""
    s = as_day_numbers(started)
    n = np.broadcast_to(np.asarray(days, dtype=np.int64), s.shape)
    ps = as_day_numbers(pause_starts).reshape(len(s), -1)
    pe = as_day_numbers(pause_ends).reshape(len(s), -1)
    if not len(s):
        return s.astype("datetime64[D]")
    lo = int(s.min())
    hi = max(int(s.max()), int(pe.max()) if pe.size else lo)
    # counted[d - lo]: working days in (lo, d], for every day the files span
    counted = cal.working_days_between_many(lo, np.arange(lo, hi + 1, dtype=np.int64))
    base = counted[s - lo]
    total = n.copy()
    stopped = np.zeros(len(s), dtype=bool)
    for j in range(ps.shape[1]):
        at_start = counted[ps[:, j] - lo] - base  # working days from due diligence to the pause
        stopped |= at_start > total  # the clock had run out before this pause began
        paused = counted[pe[:, j] - lo] - base - at_start
        total += np.where(stopped, 0, paused)
    return cal.add_working_days_many(s, total)
