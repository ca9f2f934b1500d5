"""Matched credit's headline figures for `patientcap kpis --json`, zone-wide: files disbursed,
the amount, the leverage on the public money in those firms (disbursed ÷ the invest-first and
angel-fund money each firm's latest disbursed file was matched against), and the share of files
disbursed within the deadline (open files already overdue count as missed)."""

import datetime as dt
from typing import Any

from django.db.models import Sum

from patientcap.core.kpis import section
from patientcap.domain.money import yuan
from patientcap.matching import selectors
from patientcap.matching.models import Application
from patientcap.policy.calendar import working_calendar


@section("matched_credit")
def matched_credit(as_of: dt.date) -> dict[str, Any]:
    disbursed = Application.objects.filter(disbursed_on__lte=as_of)
    amount = int(disbursed.aggregate(s=Sum("disbursed_fen"))["s"] or 0)
    public: dict[int, int] = {}
    for app in disbursed.order_by("applied_on", "pk"):
        public[app.enterprise_id] = app.invest_first_fen + app.angel_fen
    public_fen = sum(public.values())
    sla = selectors.sla_by_bank(
        Application.objects.filter(dd_completed_on__lte=as_of), working_calendar(), as_of
    )
    on_time = sum(b.on_time for b in sla)
    judged = sum(b.disbursed + b.overdue_now for b in sla)
    return {
        "count": disbursed.count(),
        "amount_yuan": yuan(amount),
        "leverage": str(selectors.ratio(amount, public_fen, "0.01")) if public_fen else None,
        "sla_met_rate": str(selectors.ratio(on_time, judged)) if judged else None,
    }
