"""The ledger's headline figures for `patientcap kpis --json`: the two pools' cash and the fiscal
contributions each received, in yuan."""

import datetime as dt
from typing import Any

from patientcap.core.kpis import section
from patientcap.domain.money import yuan
from patientcap.ledger.selectors import balance


@section("pool")
def pool(as_of: dt.date) -> dict[str, Any]:
    return {
        "fiscal_pool_cash": yuan(balance("fiscal_pool.cash", as_of)),
        "fiscal_pool_contributions": yuan(balance("fiscal_pool.contributions", as_of)),
        "risk_compensation_pool_cash": yuan(balance("risk_compensation_pool.cash", as_of)),
        "risk_compensation_pool_contributions": yuan(
            balance("risk_compensation_pool.contributions", as_of)
        ),
    }
