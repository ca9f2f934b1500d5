"""Reading evaluations: the latest one of a firm on a rule set, a user's readable lists, the
objections and their clock, reproducing a stored evaluation, and PSI between two years.

Querysets a user sees start from `scoping.readable`. `latest_evaluation` is the seam other apps
use (lending's loan tiers, matching's due-diligence package): it reads without a user, so the
caller must already have scoped the enterprise.
"""

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from patientcap.accounts import scoping
from patientcap.domain import scoring
from patientcap.domain.ruleset import parse_ruleset
from patientcap.evaluation import codec
from patientcap.evaluation.models import Evaluation, Objection, ObjectionStatus


def latest_evaluation(enterprise_id: int, ruleset_id: str) -> Evaluation | None:
    """The latest stored evaluation of the firm on the rule set (any version), or None.

    `.grade` and `.credit_line_fen` are what holds now (after any approved override),
    `.total` the scaled total, `.evaluated_on` the day; `.computed_grade` what the card gave.
    """
    return (
        Evaluation.objects.filter(enterprise_id=enterprise_id, ruleset_id=ruleset_id)
        .order_by("-evaluated_on", "-pk")
        .first()
    )


def evaluations(user: Any) -> "QuerySet[Evaluation]":
    return scoping.readable(user, Evaluation).select_related("enterprise")


def latest_per_ruleset(user: Any, enterprise_id: int) -> list[Evaluation]:
    """The latest readable evaluation of the firm on each rule set."""
    seen: dict[str, Evaluation] = {}
    for ev in (
        evaluations(user)
        .filter(enterprise_id=enterprise_id)
        .order_by("ruleset_id", "-evaluated_on", "-pk")
    ):
        seen.setdefault(ev.ruleset_id, ev)
    return list(seen.values())


def reproduce(evaluation: Evaluation) -> tuple[scoring.Evaluation, bool]:
    """Score the stored inputs and picks again with the stored rule set text; and whether the
    result is exactly the stored one."""
    snap = evaluation.snapshot
    ruleset = parse_ruleset(snap.text, snap.source_name)
    record = scoring.EvaluationRecord(
        evaluation.ruleset_id,
        evaluation.ruleset_version,
        evaluation.ruleset_digest,
        tuple(codec.inputs_from_json(evaluation.inputs).items()),
        tuple(sorted(codec.picks_from_json(evaluation.picks).items())),
        codec.from_json(evaluation),
    )
    again = scoring.rescore(record, ruleset)
    return again, again == record.evaluation


def objection_is_overdue(objection: Objection, today: dt.date) -> bool:
    return objection.status == ObjectionStatus.OPEN and today > objection.due_on


def objections(user: Any) -> "QuerySet[Objection]":
    return scoping.readable(user, Objection).select_related("enterprise", "evaluation")


@dataclass(frozen=True)
class Stability:
    ruleset_id: str
    year: int
    previous_year: int
    current: int  # evaluations in the later population
    previous: int
    psi: Decimal | None  # None: one population is empty
    reading: str  # stable | watch | shift | ""
    edges: tuple[Decimal, ...]
    shares: list[tuple[str, int, int]]  # (bin label, previous count, current count)


PSI_EDGES = tuple(Decimal(x) for x in range(10, 100, 10))


def _population(user: Any, ruleset_id: str, year: int) -> list[Decimal]:
    """The total of each firm's latest evaluation made in `year`."""
    latest: dict[int, Decimal] = {}
    rows = (
        evaluations(user)
        .filter(ruleset_id=ruleset_id, evaluated_on__year=year)
        .order_by("enterprise_id", "-evaluated_on", "-pk")
        .values_list("enterprise_id", "total")
    )
    for firm, total in rows:
        latest.setdefault(firm, Decimal(total))
    return list(latest.values())


def stability(user: Any, ruleset_id: str, year: int) -> Stability:
    """PSI of this year's scores against last year's (< 0.1 stable, ≤ 0.25 watch, else shift)."""
    now, before = _population(user, ruleset_id, year), _population(user, ruleset_id, year - 1)
    value = scoring.psi(before, now, PSI_EDGES) if now and before else None
    bounds = [None, *PSI_EDGES, None]
    labels = [
        f"{lo if lo is not None else ''}–{hi if hi is not None else ''}"
        for lo, hi in itertools.pairwise(bounds)
    ]

    def counts(scores: list[Decimal]) -> list[int]:
        c: Counter[int] = Counter(sum(1 for e in PSI_EDGES if s >= e) for s in scores)
        return [c[n] for n in range(len(labels))]

    shares = list(zip(labels, counts(before), counts(now), strict=True))
    return Stability(
        ruleset_id,
        year,
        year - 1,
        len(now),
        len(before),
        value.quantize(Decimal("0.0001")) if value is not None else None,
        scoring.psi_reading(value) if value is not None else "",
        PSI_EDGES,
        shares,
    )


def grade_distribution(user: Any, ruleset_id: str) -> dict[str, int]:
    """Grades of each firm's latest evaluation on the rule set."""
    latest: dict[int, str] = {}
    rows = (
        evaluations(user)
        .filter(ruleset_id=ruleset_id)
        .order_by("enterprise_id", "-evaluated_on", "-pk")
        .values_list("enterprise_id", "grade")
    )
    for firm, grade in rows:
        latest.setdefault(firm, grade)
    return dict(sorted(Counter(latest.values()).items()))
