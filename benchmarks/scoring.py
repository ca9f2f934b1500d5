"""Batch scoring speed (issue 5, performance): 1,000,000 synthetic firms on the zone's
three-dimension tech credit card (`policy/rulesets/tech_credit_card.yaml`) with
`domain.scoring.score_batch`: derived indicators (R&D intensity, staff shares, revenue growth,
the qualification sum), the R&D cash-flow waiver, the gate and direct qualification, grades,
credit lines and four reason codes per firm, all exact (fixed-point integers, no float).

Figures:
- firms per second, batch. Target: ≥ 2,000,000 (1,000,000 firms in ≤ 0.5 s, in-process).
  Baseline, same unit and same run: the single-firm path `domain.scoring.score` in a loop on a
  sample of the same firms;
- what-if rescorings per second (`evaluation.whatif.rescore`: one changed input, the score, the
  reasons and the counterfactuals of one firm). Target: ≥ 10 (< 100 ms a change).
The run checks that the batch agrees with the single-firm path on a sample (totals, grades,
gates, credit lines and reasons) and exits 1 on a difference.

Run: `uv run python -m benchmarks.scoring`. Exits 1 when a target is missed.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

from benchmarks._common import Result, best_interleaved, report
from patientcap.domain.ruleset import RuleSet, parse_ruleset
from patientcap.domain.scoring import Column, Fixed, score, score_batch

FIRMS = 1_000_000
SAMPLE = 3_000  # firms scored on the single-firm path and compared
RUNS = 3
TARGET_FIRMS_PER_SECOND = 2_000_000.0
TARGET_WHATIF_PER_SECOND = 10.0
CARD_FILE = Path(__file__).resolve().parents[1] / "policy" / "rulesets" / "tech_credit_card.yaml"


def card() -> RuleSet:
    return parse_ruleset(CARD_FILE.read_text(encoding="utf-8"), CARD_FILE.name)


def synthetic(n: int, seed: int = 5) -> dict[str, Column]:
    """Columns of n firms: fen and counts as int64, ratios as fixed-point (1/10,000), some
    zero revenues and headcounts (special bins) and some missing ratios (missing bins)."""
    rng = np.random.default_rng(seed)
    revenue = rng.integers(0, 2_000_000_000_00, n)
    revenue[rng.random(n) < 0.02] = 0
    staff = rng.integers(0, 300, n)

    def share(missing: float) -> Fixed:
        return Fixed(rng.integers(0, 10_001, n), 4, rng.random(n) < missing)

    return {
        "rd_expense_fen": (revenue * rng.integers(0, 1200, n)) // 10_000,
        "revenue_fen": revenue,
        "revenue_fen_previous": (revenue * rng.integers(7_000, 14_000, n)) // 10_000,
        "invention_patents": rng.integers(0, 9, n),
        "class2_ip": rng.integers(0, 7, n),
        "conversions_per_year": rng.integers(0, 7, n),
        "little_giant": rng.random(n) < 0.05,
        "specialised_sme": rng.random(n) < 0.2,
        "high_tech_enterprise": rng.random(n) < 0.25,
        "innovative_sme": rng.random(n) < 0.3,
        "tech_staff": (staff * rng.integers(0, 60, n)) // 100,
        "rd_staff": (staff * rng.integers(0, 40, n)) // 100,
        "total_staff": staff,
        "founders_industry_years": rng.integers(0, 25, n),
        "key_staff_turnover": share(0.05),
        "management_completeness": rng.integers(0, 4, n),
        "strategic_emerging": rng.random(n) < 0.6,
        "main_business_share": share(0.03),
        "debt_ratio": share(0.03),
        "top_customer_share": share(0.1),
        "operating_cash_flow_fen": rng.integers(-50_000_000_00, 80_000_000_00, n),
        "cash_runway_months": rng.integers(0, 36, n),
    }


def firm(columns: dict[str, Column], row: int) -> dict[str, object]:
    """One row as the single-firm path takes it (Decimal, int, bool, None)."""
    out: dict[str, object] = {}
    for name, col in columns.items():
        if isinstance(col, Fixed):
            missing = col.missing is not None and bool(col.missing[row])
            out[name] = None if missing else Decimal(int(col.values[row])).scaleb(-col.scale)
        else:
            out[name] = np.asarray(col)[row].item()
    return out


def check(ruleset: RuleSet, columns: dict[str, Column], rows: list[int]) -> int:
    """Differences between the batch and the single-firm path on `rows`."""
    result = score_batch(ruleset, columns)
    wrong = 0
    for row in rows:
        ev = score(ruleset, firm(columns, row))
        got = (
            result.total(row),
            result.grade(row),
            bool(result.passed[row]),
            result.credit_line_fen(row),
            result.reason_keys(row),
        )
        want = (
            ev.total,
            ev.grade,
            ev.passed,
            ev.credit_line_fen,
            tuple(r.indicator for r in ev.reasons),
        )
        wrong += got != want
    return wrong


def whatif_rate(ruleset: RuleSet, base: dict[str, object], changes: int = 30) -> float:
    from patientcap.evaluation.whatif import rescore

    start = time.perf_counter()
    for n in range(changes):
        rescore(ruleset, base, {"invention_patents": str(n % 7), "rd_expense_fen": str(n * 1000)})
    return changes / (time.perf_counter() - start)


def run() -> list[Result]:
    ruleset = card()
    columns = synthetic(FIRMS)
    sample_rows = list(range(0, FIRMS, FIRMS // SAMPLE))[:SAMPLE]
    sample = [firm(columns, row) for row in sample_rows]
    wrong = check(ruleset, columns, sample_rows)
    if wrong:
        print(f"batch and single-firm path disagree on {wrong} of {len(sample_rows)} firms")
        sys.exit(1)
    print(f"batch == single-firm path on a sample of {len(sample_rows):,} firms")

    def batch() -> float:
        start = time.perf_counter()
        score_batch(ruleset, columns)
        return FIRMS / (time.perf_counter() - start)

    def single() -> float:
        start = time.perf_counter()
        for f in sample:
            score(ruleset, f)
        return len(sample) / (time.perf_counter() - start)

    score_batch(ruleset, columns)  # warm the pages and caches once
    batch_rate, single_rate = best_interleaved(RUNS, batch, single)
    whatif = max(whatif_rate(ruleset, sample[0]) for _ in range(RUNS))
    return [
        Result(
            "batch scoring, tech card, 1M firms (firms/s)",
            batch_rate,
            "firms/s",
            TARGET_FIRMS_PER_SECOND,
            "single-firm path `score` in a loop on a sample",
            single_rate,
        ),
        Result(
            "what-if rescoring of one firm (changes/s)",
            whatif,
            "changes/s",
            TARGET_WHATIF_PER_SECOND,
        ),
    ]


def main() -> int:
    results = run()
    ok = report(results)
    print(
        f"    {FIRMS / results[0].figure:.3f} s for {FIRMS:,} firms; "
        f"{1000 / results[1].figure:.1f} ms a what-if change"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
