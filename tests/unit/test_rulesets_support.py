"""Shared helpers of the default rule-set tests: load a file, score a firm, and check the batch
scorer gives the same answer as the single-firm path for the firms of a test."""

from decimal import Decimal
from pathlib import Path

from patientcap.domain.ruleset import RuleSet, parse_ruleset
from patientcap.domain.scoring import Evaluation, score, score_batch

RULESETS = Path(__file__).resolve().parents[2] / "policy" / "rulesets"


def load(name: str) -> RuleSet:
    path = RULESETS / name
    return parse_ruleset(path.read_text(encoding="utf-8"), path.name)


def points(ev: Evaluation) -> dict[str, Decimal]:
    return {s.key: s.points for s in ev.indicators}


def same_in_batch(rs: RuleSet, firms: list[dict]) -> None:
    """Without expert picks the batch path gives the single path's totals, grades and passes."""
    fields = sorted({f for firm in firms for f in firm})
    result = score_batch(rs, {f: [firm.get(f) for firm in firms] for f in fields})
    for row, firm in enumerate(firms):
        ev = score(rs, firm)
        assert (result.total(row), result.grade(row)) == (ev.total, ev.grade), firm
        assert bool(result.passed[row]) == ev.passed, firm
