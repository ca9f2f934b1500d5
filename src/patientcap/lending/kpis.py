"""科企梯度贷 in `patientcap kpis --json`: how many tiered loans were granted and for how much,
the NPL ratio of the book, and the net losses each party bore (after recoveries)."""

import datetime as dt
from typing import Any

from django.db.models import Sum

from patientcap.core.kpis import section
from patientcap.domain.money import yuan
from patientcap.lending import selectors
from patientcap.lending.models import Claim, Loan


@section("tiered_loans")
def tiered_loans(as_of: dt.date) -> dict[str, Any]:
    granted = Loan.objects.filter(signed_on__lte=as_of)
    amount = granted.aggregate(s=Sum("amount_fen"))["s"] or 0
    report = selectors.par(Loan.objects.all(), as_of)
    claims = Claim.objects.filter(decided_on__lte=as_of)
    return {
        "count": granted.count(),
        "amount_yuan": yuan(amount),
        "npl_ratio": str(report.npl_ratio.quantize(selectors.RATIO_PLACES)),
        "losses_by_party": {
            party: yuan(fen) for party, fen in selectors.losses_by_party_totals(claims).items()
        },
    }
