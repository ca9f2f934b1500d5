"""Helpers every benchmark uses: time a loop, keep the best of a few runs, and report each figure
beside its target and beside a baseline measured in the same run (so a slow or busy machine shows
up in the baseline too, and the ratio stays meaningful).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Result:
    name: str
    figure: float
    unit: str
    target: float | None = None  # the figure must reach at least this (higher is better)
    baseline_name: str = ""
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.figure / self.baseline if self.baseline else None

    @property
    def met(self) -> bool:
        return self.target is None or self.figure >= self.target

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Result:
        return cls(**data)


def rate(count: int, work: Callable[[], object]) -> float:
    """Run `work` once and return `count` divided by the seconds it took."""
    start = time.perf_counter()
    work()
    return count / (time.perf_counter() - start)


def best(runs: int, measure: Callable[[], float]) -> float:
    """The best of `runs` measurements: other load on the machine only ever slows a run down."""
    return max(measure() for _ in range(runs))


def best_interleaved(runs: int, *measures: Callable[[], float]) -> list[float]:
    """The best of `runs` rounds for each measurement, taken in turn round after round, so a figure
    and its baseline meet the same passing load on the machine."""
    bests = [0.0] * len(measures)
    for _ in range(runs):
        for i, measure in enumerate(measures):
            bests[i] = max(bests[i], measure())
    return bests


def report(results: Iterable[Result], *, out: Callable[[str], None] = print) -> bool:
    """Print one line per figure: value, target, baseline and ratio. True if all targets met."""
    results = list(results)
    out(f"{'figure':<48} {'value':>12} {'target':>10} {'baseline':>12} {'ratio':>6}  ")
    for r in results:
        target = f"≥{r.target:,.0f}" if r.target is not None else "-"
        baseline = f"{r.baseline:,.0f}" if r.baseline is not None else "-"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        verdict = "" if r.target is None else ("ok" if r.met else "MISSED")
        out(f"{r.name:<48} {r.figure:>12,.0f} {target:>10} {baseline:>12} {ratio:>6}  {verdict}")
        if r.baseline_name:
            out(f"{'':<4}baseline: {r.baseline_name} ({r.unit})")
    return all(r.met for r in results)


def dump(results: Iterable[Result]) -> str:
    return json.dumps([r.to_json() for r in results])


def load(text: str) -> list[Result]:
    return [Result.from_json(d) for d in json.loads(text)]
