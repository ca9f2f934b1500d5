"""The valuations' headline figures for `patientcap kpis --json`: how many current valuations,
state-money ones, those awaiting a written approval and stale assessments."""

import datetime as dt
from typing import Any

from patientcap.core.kpis import section
from patientcap.domain.valuation import assessment_expires
from patientcap.valuations.models import Valuation


@section("valuations")
def valuations(as_of: dt.date) -> dict[str, Any]:
    current = Valuation.objects.filter(valued_on__lte=as_of, revision__isnull=True)
    state = list(
        current.filter(state_money=True).values_list("pk", "assessment_date", "state_outcome")
    )
    approved = set(
        Valuation.objects.filter(written_approvals__isnull=False).values_list("pk", flat=True)
    )
    return {
        "current": current.count(),
        "state_money": len(state),
        "awaiting_written_approval": sum(
            1 for pk, _d, outcome in state if outcome == "needs_approval" and pk not in approved
        ),
        "stale_assessments": sum(
            1 for _pk, d, _o in state if d is not None and as_of > assessment_expires(d)
        ),
    }
