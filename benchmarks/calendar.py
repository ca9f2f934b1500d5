"""Working-day deadlines at scale: 1,000,000 "N working days after D" on the official calendar.

Target (issue 4): 1,000,000 deadlines in < 1 s, i.e. ≥ 1,000,000 deadlines/s. Baseline: the same
calendar answering one deadline at a time in a Python loop, on a sample, in the same run.
Run: `uv run python -m benchmarks.calendar`.
"""

import sys

import numpy as np
from chinese_calendar import constants as official

from benchmarks._common import Result, best, rate, report
from patientcap.domain.calendar import WorkingCalendar

N = 1_000_000
SAMPLE = 20_000


def official_calendar() -> WorkingCalendar:
    years = range(min(official.holidays).year, max(official.holidays).year + 1)
    return WorkingCalendar(years, holidays=official.holidays, workdays=official.workdays)


def run() -> list[Result]:
    cal = official_calendar()
    rng = np.random.default_rng(2025)
    starts = np.datetime64("2020-01-01") + rng.integers(0, 6 * 365 - 60, N)
    days = rng.integers(0, 30, N)

    vectorised = best(3, lambda: rate(N, lambda: cal.add_working_days_many(starts, days)))
    deadlines = cal.add_working_days_many(starts, days)
    between = best(3, lambda: rate(N, lambda: cal.working_days_between_many(starts, deadlines)))

    sample = [(s.item(), int(n)) for s, n in zip(starts[:SAMPLE], days[:SAMPLE], strict=True)]
    one_by_one = best(
        3, lambda: rate(SAMPLE, lambda: [cal.add_working_days(s, n) for s, n in sample])
    )
    # The batch answer must equal the one-at-a-time answer.
    assert [cal.add_working_days(s, n) for s, n in sample[:1000]] == [
        d.item() for d in deadlines[:1000]
    ]
    loop = "add_working_days one at a time (Python loop, 20,000 sample)"
    return [
        Result(
            "deadlines/s, 1,000,000 at once", vectorised, "deadlines/s", 1_000_000, loop, one_by_one
        ),
        Result(
            "working-day counts/s, 1,000,000 at once", between, "counts/s", None, loop, one_by_one
        ),
    ]


if __name__ == "__main__":
    sys.exit(0 if report(run()) else 1)
