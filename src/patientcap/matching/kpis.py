"""Matched credit's headline figures for `patientcap kpis --json`: files disbursed, the amount,
the leverage on the public money in those firms, and the share disbursed within the deadline."""

import datetime as dt
from decimal import Decimal
from typing import Any

from patientcap.core.kpis import section
from patientcap.domain.money import yuan
from patientcap.matching import selectors
from patientcap.policy.calendar import working_calendar


@section("matched_credit")
def matched_credit(as_of: dt.date) -> dict[str, Any]:
    f = selectors.kpi_figures(working_calendar(), as_of)
    leverage = (
        selectors.ratio(f["amount_fen"], f["public_fen"], "0.01") if f["public_fen"] else None
    )
    return {
        "count": f["count"],
        "amount_yuan": yuan(f["amount_fen"]),
        "leverage": str(leverage) if leverage is not None else None,
        "sla_met_rate": str(f["sla_met_rate"]) if isinstance(f["sla_met_rate"], Decimal) else None,
    }
