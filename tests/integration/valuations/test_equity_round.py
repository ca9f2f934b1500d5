"""The seams with the equity app: the latest-round method reads its cap table when it has a
priced round (price per share, today's fully-diluted shares, the round's date; without one the
user enters it), and a new valuation flags the angel fund's holdings in the firm for review."""

import datetime as dt

import pytest
from django.test import Client
from tests.integration.equity.conftest import fund_pool
from tests.integration.valuations.builders import AS_OF, growth_valuation

from patientcap.approvals import services as proposals
from patientcap.domain.captable import Investment, ShareClass
from patientcap.equity import services as equity
from patientcap.equity.models import AngelHolding
from patientcap.valuations import services

pytestmark = pytest.mark.django_db


def _priced_round(users, firm):
    zone = users["zone_officer"]
    equity.open_cap_table(
        enterprise_id=firm.pk,
        founders=[("张伟", 6_000_000), ("李娜", 3_000_000)],
        on=dt.date(2023, 1, 1),
        actor=zone,
        source="test",
        pool_unallocated=1_000_000,
    )
    equity.record_round(
        enterprise_id=firm.pk,
        on=dt.date(2023, 3, 1),
        series=ShareClass("Series A", preferred=True, seniority=1),
        pre_money_fen=20_000_000 * 100,
        investments=[Investment("红杉", 5_000_000 * 100)],
        actor=zone,
        source="test",
    )


def test_the_round_comes_from_the_cap_table_and_is_flagged_stale_after_a_year(users, firms):
    assert services.round_from_equity(firms["a"].pk, AS_OF) is None
    _priced_round(users, firms["a"])
    found = services.round_from_equity(firms["a"].pk, AS_OF)
    assert found is not None
    assert (found["price_per_share"], found["fully_diluted_shares"], found["round_date"]) == (
        "2",
        "12500000",
        "2023-03-01",
    )
    outcome = services.evaluate(
        stage="growth", as_of=AS_OF, inputs={"latest_round": found}, rationale="the round"
    )
    result = outcome.computation.computed[services.v.Method.LATEST_ROUND].result
    assert result.value_fen == 25_000_000 * 100  # ¥2 × 12.5M shares
    assert result.stale and result.months_since_round == 27


def test_the_workbench_fills_in_the_round_from_the_cap_table(users, firms):
    _priced_round(users, firms["a"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["zone_officer"])
    page = client.get(f"/valuations/enterprise/{firms['a'].pk}/new/").content.decode()
    assert "filled in from the cap table" in page
    assert 'name="latest_round.fully_diluted_shares" value="12500000"' in page


def test_a_new_valuation_flags_the_angel_funds_holding_for_review(users, firms):
    fund_pool(users)
    firm = firms["a"]
    equity.open_cap_table(
        enterprise_id=firm.pk,
        founders=[("张伟", 9_000_000)],
        on=dt.date(2022, 1, 10),
        actor=users["zone_officer"],
        source="test",
        pool_unallocated=1_000_000,
    )
    invested = proposals.approve(
        proposal=proposals.propose(
            action="equity.angel_invest",
            payload={
                "enterprise_id": firm.pk,
                "date": "2023-03-01",
                "form": "equity",
                "amount_fen": 2_000_000 * 100,
                "series": {"name": "Angel", "seniority": 1, "anti_dilution": "none"},
                "pre_money_fen": 8_000_000 * 100,
                "investments": [],
                "plan": {
                    "exit_route": "trade_sale",
                    "exit_horizon_years": 5,
                    "target_multiple": "3",
                    "next_round_expected_on": "2024-06-30",
                    "next_round_expected_fen": 3_000_000_000,
                },
            },
            reason="test",
            by=users["zone_officer"],
        ),
        by=users["reviewer"],
    )
    holding = AngelHolding.objects.get(pk=invested.result["holding_id"])
    assert holding.review_due_since is None
    row = growth_valuation(users["zone_officer"], firm)
    holding.refresh_from_db()
    assert holding.review_due_since == AS_OF and f"#{row.pk}" in holding.review_reason
