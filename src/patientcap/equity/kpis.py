"""The angel fund's headline figures for `patientcap kpis --json`: investments, money invested
and returned (yuan strings), holdings active and exited, TVPI and DPI (decimal strings, the
unrealised value at the latest round price), and reviews due."""

import datetime as dt
from typing import Any

from patientcap.core.kpis import section
from patientcap.domain.money import yuan
from patientcap.equity import selectors, store


@section("angel_fund")
def angel_fund(as_of: dt.date) -> dict[str, Any]:
    f = selectors.fund_figures(selectors.holding_lines(store.fund_holdings(as_of), as_of), as_of)
    return {
        "investments": f.investments,
        "invested_yuan": yuan(f.invested_fen),
        "holdings_active": f.holdings_active,
        "exited": f.exited,
        "returned_yuan": yuan(f.returned_fen),
        "unrealised_yuan": yuan(f.unrealised_fen),
        "tvpi": None if f.tvpi is None else str(f.tvpi),
        "dpi": None if f.dpi is None else str(f.dpi),
        "reviews_due": f.reviews_due,
    }
