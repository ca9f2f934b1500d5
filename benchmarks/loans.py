"""Repayment schedules at scale: the full schedules of 10,000 loans.

Target (issue 4): 10,000 schedules in < 2 s, i.e. ≥ 5,000 loans/s, through `loans.schedules`
(vectorised, exact interest rounded half up to the fen, calendar-month due dates; the three
methods and four day counts mixed, 12 to 60 months, one call per method and day count).
Baseline, in the same run: `loans.schedule` one loan at a time in a Python loop (the results
must be identical). For information (no target), the one-loan path beside a
numpy-financial-style float closed form (fast, not exact to the fen).
Run: `uv run python -m benchmarks.loans`.
"""

import sys
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from benchmarks._common import Result, best_interleaved, rate, report
from patientcap.domain.loans import DayCount, Method, schedule, schedules

N = 10_000


def portfolio() -> list[dict]:
    rng = np.random.default_rng(2025)
    methods, day_counts = list(Method), list(DayCount)
    out = []
    for i in range(N):
        start = date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
        out.append(
            {
                "principal_fen": int(rng.integers(10_000_000, 2_000_000_000)),
                "annual_rate": Decimal(int(rng.integers(250, 600))) / 10_000,
                "months": int(rng.choice([12, 24, 36, 60])),
                "method": methods[i % len(methods)],
                "start": start,
                "first_due": start + timedelta(days=30),
                "day_count": day_counts[i % len(day_counts)],
            }
        )
    return out


def closed_form(principal: np.ndarray, rate_: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Level payment, then each period's interest and principal, in float (numpy-financial
    style), padded to the longest tenor."""
    r = rate_ / 12
    payment = principal * r / (1 - (1 + r) ** -months)
    balance = principal.copy()
    periods = int(months.max())
    table = np.zeros((principal.shape[0], periods, 2))
    for k in range(periods):
        interest = balance * r
        paid = np.where(k < months, payment - interest, 0.0)
        balance = balance - paid
        table[:, k, 0], table[:, k, 1] = paid, interest
    return table


def _groups(loans: list[dict]) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = {}
    for t in loans:
        groups.setdefault((t["method"], t["day_count"]), []).append(t)
    return groups


def batched(loans: list[dict]) -> list:
    """One `schedules` call per (method, day count) group."""
    return [
        schedules(
            principal_fen=np.array([t["principal_fen"] for t in group]),
            annual_rate=[t["annual_rate"] for t in group],
            months=np.array([t["months"] for t in group]),
            method=method,
            start=np.array([t["start"] for t in group], "datetime64[D]"),
            first_due=np.array([t["first_due"] for t in group], "datetime64[D]"),
            day_count=day_count,
        )
        for (method, day_count), group in _groups(loans).items()
    ]


def run() -> list[Result]:
    loans = portfolio()
    principal = np.array([t["principal_fen"] for t in loans], dtype=float)
    rates = np.array([float(t["annual_rate"]) for t in loans])
    months = np.array([t["months"] for t in loans])
    instalments = sum(t["months"] for t in loans)
    _check_identical(loans)
    vectorised, one_by_one, floats = best_interleaved(
        3,
        lambda: rate(N, lambda: batched(loans)),
        lambda: rate(N, lambda: [schedule(**t) for t in loans]),
        lambda: rate(N, lambda: closed_form(principal, rates, months)),
    )
    loop = "schedule one loan at a time (Python loop, same loans)"
    return [
        Result(
            f"loan schedules/s, 10,000 loans ({instalments:,} instalments)",
            vectorised,
            "loans/s",
            N / 2,
            loop,
            one_by_one,
        ),
        Result(  # for information: the exact one-loan path, beside the float closed form
            "loan schedules/s, one at a time (exact)",
            one_by_one,
            "loans/s",
            None,
            "numpy float closed form (numpy-financial style), same loans",
            floats,
        ),
    ]


def _check_identical(loans: list[dict]) -> None:
    """The batch answer must equal the one-loan answer, loan by loan."""
    for group, result in zip(_groups(loans).values(), batched(loans), strict=True):
        for row, t in enumerate(group[:200]):
            one = schedule(**t)
            assert result.interest_fen[row, : len(one)].tolist() == [i.interest_fen for i in one]
            assert result.principal_fen[row, : len(one)].tolist() == [i.principal_fen for i in one]


if __name__ == "__main__":
    sys.exit(0 if report(run()) else 1)
