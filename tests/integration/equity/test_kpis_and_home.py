"""The angel fund's figures for `patientcap kpis --json` and the home page cards."""

import datetime as dt
import json

from tests.integration.equity.test_angel_fund import approve, invest_equity

from patientcap.core.home import contributions
from patientcap.equity.kpis import angel_fund


def test_the_kpis_section_reports_the_fund_json_ready(users, opened):
    from tests.integration.equity.conftest import fund_pool

    fund_pool(users)
    invest_equity(users, opened)
    holding_id = opened.angel_holdings.get().pk
    approve(
        "equity.angel_exit",
        {"holding_id": holding_id, "date": "2025-01-01", "route": "secondary",
         "proceeds_fen": 500_000_000, "buyer": "产业基金"},
        users,
    )  # fmt: skip
    figures = angel_fund(dt.date(2025, 6, 30))
    assert json.loads(json.dumps(figures)) == figures  # no floats, no Decimals
    assert figures["investments"] == 1 and figures["invested_yuan"] == "2000000.00"
    assert figures["exited"] == 1 and figures["holdings_active"] == 0
    assert figures["returned_yuan"] == "5000000.00" and figures["tvpi"] == "2.50"
    before = angel_fund(dt.date(2023, 6, 30))
    assert before["holdings_active"] == 1 and before["returned_yuan"] == "0.00"


def test_fund_staff_get_fund_cards_and_others_a_link_or_nothing(users, opened):
    def labels(role):
        return [str(c.label) for part in contributions(users[role]) for c in part.cards]

    def links(role):
        return [str(label) for part in contributions(users[role]) for _, label in part.links]

    assert "Holdings with reviews due" in labels("zone_officer")
    assert "Angel fund portfolio" in links("auditor")
    assert "Cap tables" in links("bank_officer")
    assert "Angel fund holdings" not in labels("bank_officer")
    assert "Cap tables" not in links("service_agent")
