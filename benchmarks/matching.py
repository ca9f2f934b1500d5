"""Matched-credit deadlines with pauses at scale: 1,000,000 files, each "7 working days after due
diligence, extended by the working days it was paused", on the official calendar.

`benchmarks/calendar.py` measures plain deadlines; this adds the pauses (up to two per file,
including same-day ones and pauses after the clock ran out, which do not extend it).
Target (issue 4): 1,000,000 deadlines in < 1 s, i.e. ≥ 1,000,000 deadlines/s. Baseline: the same
files through `Clock.deadline` one at a time in a Python loop, on a sample, in the same run.
Run: `uv run python -m benchmarks.matching`.
"""

import sys

import numpy as np

from benchmarks._common import Result, best, rate, report
from benchmarks.calendar import official_calendar
from patientcap.domain.matching import Clock, Pause, deadlines_many

N = 1_000_000
SAMPLE = 20_000
PAUSES = 2


def files(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    started = np.datetime64("2020-01-01") + rng.integers(0, 6 * 365 - 120, N)
    gaps = rng.integers(0, 12, (N, PAUSES))  # days after the previous pause (or the start)
    lengths = rng.integers(0, 10, (N, PAUSES))  # 0: resumed the same day
    starts = np.empty((N, PAUSES), dtype="datetime64[D]")
    ends = np.empty((N, PAUSES), dtype="datetime64[D]")
    at = started
    for j in range(PAUSES):
        starts[:, j] = at + gaps[:, j]
        ends[:, j] = starts[:, j] + lengths[:, j]
        at = ends[:, j]
    return started, starts, ends


def run() -> list[Result]:
    cal = official_calendar()
    started, starts, ends = files(np.random.default_rng(2025))
    vectorised = best(3, lambda: rate(N, lambda: deadlines_many(cal, started, 7, starts, ends)))
    deadlines = deadlines_many(cal, started, 7, starts, ends)

    clocks = [
        Clock(
            started=started[i].item(),
            days=7,
            pauses=tuple(Pause(starts[i, j].item(), ends[i, j].item()) for j in range(PAUSES)),
        )
        for i in range(SAMPLE)
    ]
    as_of = max(c.started for c in clocks)
    one_by_one = best(3, lambda: rate(SAMPLE, lambda: [c.deadline(cal, as_of) for c in clocks]))
    # The batch answer must equal the one-at-a-time answer.
    assert [c.deadline(cal, as_of) for c in clocks[:2000]] == [d.item() for d in deadlines[:2000]]
    loop = "Clock.deadline one file at a time (Python loop, 20,000 sample)"
    return [
        Result(
            "deadlines with pauses/s, 1,000,000 at once",
            vectorised,
            "deadlines/s",
            1_000_000,
            loop,
            one_by_one,
        )
    ]


if __name__ == "__main__":
    sys.exit(0 if report(run()) else 1)
