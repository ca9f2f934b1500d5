"""Evaluation figures for `patientcap kpis --json`: how many evaluations, and the grades of each
firm's latest tech-card evaluation."""

import datetime as dt
from collections import Counter
from typing import Any

from patientcap.core.kpis import section
from patientcap.evaluation.models import Evaluation, Objection, ObjectionStatus

CARD = "tech-credit-card"


@section("evaluation")
def evaluation(as_of: dt.date) -> dict[str, Any]:
    latest: dict[int, str] = {}
    rows = (
        Evaluation.objects.filter(ruleset_id=CARD, evaluated_on__lte=as_of)
        .order_by("enterprise_id", "-evaluated_on", "-pk")
        .values_list("enterprise_id", "grade")
    )
    for firm, grade in rows:
        latest.setdefault(firm, grade)
    open_objections = Objection.objects.filter(status=ObjectionStatus.OPEN)
    return {
        "evaluations": Evaluation.objects.filter(evaluated_on__lte=as_of).count(),
        "tech_card_grades": dict(sorted(Counter(latest.values()).items())),
        "open_objections": open_objections.count(),
        "overdue_objections": open_objections.filter(due_on__lt=as_of).count(),
    }
