"""Risk-sharing allocation at scale: the losses of 100,000 defaulted loans split at once.

Target (issue 4): 100,000 loans in < 1 s, i.e. ≥ 100,000 loans/s, through `share_losses` with a
full rule (principal plus 120 days of interest, a bank first-loss layer, four parties, a per-loan
cap, an annual cap and a portfolio cap). Baseline: `share_loss` one loan at a time in a plain
Python loop over the same loans, in the same run; the two must give identical splits.
Run: `uv run python -m benchmarks.risk_sharing`.
"""

import sys
from decimal import Decimal

import numpy as np

from benchmarks._common import Result, best_interleaved, rate, report
from patientcap.domain.risk_sharing import (
    Default,
    LossBasis,
    Party,
    SharingRule,
    Usage,
    next_usage,
    share_loss,
    share_losses,
)

N = 100_000
PORTFOLIO_FEN = 2_000_000_000_000  # 200亿 covered
RULE = SharingRule(
    parties=(
        Party("pool", Decimal("0.4"), per_loan_cap_fen=400_000_000),
        Party("guarantor", Decimal("0.3"), annual_cap_fen=5_000_000_000_000),
        Party("re_guarantor", Decimal("0.2")),
        Party("bank", Decimal("0.1")),
    ),
    residual="bank",
    basis=LossBasis.PRINCIPAL_AND_INTEREST,
    interest_days=120,
    first_loss_party="bank",
    first_loss_ratio=Decimal("0.05"),
    pool="pool",
    portfolio_cap_rate=Decimal("0.05"),
)


def loans() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2025)
    principal = rng.integers(1_000_000, 2_000_000_000, N)
    interest = rng.integers(0, 50_000_000, N)
    days = rng.integers(1, 400, N)
    return principal, interest, days


def loop(principal: np.ndarray, interest: np.ndarray, days: np.ndarray) -> list[tuple[int, ...]]:
    usage = Usage()
    out = []
    for p, i, d in zip(principal.tolist(), interest.tolist(), days.tolist(), strict=True):
        split = share_loss(RULE, Default(p, i, d), covered_portfolio_fen=PORTFOLIO_FEN, usage=usage)
        usage = next_usage(RULE, usage, split)
        out.append(split.parts)
    return out


def run() -> list[Result]:
    principal, interest, days = loans()

    def batch() -> np.ndarray:
        return share_losses(RULE, principal, interest, days, covered_portfolio_fen=PORTFOLIO_FEN)

    assert batch().tolist() == [list(parts) for parts in loop(principal, interest, days)]
    vectorised, one_by_one = best_interleaved(
        3,
        lambda: rate(N, batch),
        lambda: rate(N, lambda: loop(principal, interest, days)),
    )
    return [
        Result(
            "risk-sharing splits/s, 100,000 loans at once",
            vectorised,
            "loans/s",
            N,
            "share_loss one loan at a time (Python loop, same 100,000 loans)",
            one_by_one,
        )
    ]


if __name__ == "__main__":
    sys.exit(0 if report(run()) else 1)
