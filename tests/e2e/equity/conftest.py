"""A firm of enterprise A with a cap table (founders, a SAFE of the angel fund converted in a
Series A with a pool top-up), granted to bank A; and a second firm nobody outside the zone sees."""

import datetime as dt

import pytest
from django.test import Client
from tests.integration.equity.conftest import fund_pool, make_firm

from patientcap.approvals import services as proposals
from patientcap.enterprises import services as registry
from patientcap.equity import services

PLAN = {"exit_route": "trade_sale", "exit_horizon_years": 5, "target_multiple": "3"}


def approve(action, payload, users):
    p = proposals.propose(action=action, payload=payload, reason="test", by=users["zone_officer"])
    return proposals.approve(proposal=p, by=users["reviewer"])


@pytest.fixture
def world(users, orgs):
    fund_pool(users)
    firm = make_firm(users, 11, "凤鸣光电科技")
    registry.link_organisation(
        actor=users["zone_officer"], enterprise_id=firm.pk, organisation_id=orgs["enterprise_a"].pk
    )
    registry.grant_access(
        actor=users["zone_officer"], enterprise_id=firm.pk,
        organisation_id=orgs["bank_a"].pk, purpose="配套授信",
    )  # fmt: skip
    other = make_firm(users, 12, "栖云生物")
    for e in (firm, other):
        services.open_cap_table(
            enterprise_id=e.pk, founders=[("张伟", 6_000_000), ("李娜", 3_000_000)],
            on=dt.date(2022, 1, 10), actor=users["zone_officer"], source="test",
            pool_unallocated=1_000_000,
        )  # fmt: skip
    done = approve(
        "equity.angel_invest",
        {"enterprise_id": firm.pk, "date": "2022-06-01", "form": "post_money_safe",
         "amount_fen": 100_000_000, "valuation_cap_fen": 1_000_000_000, "plan": PLAN},
        users,
    )  # fmt: skip
    approve(
        "equity.record_round",
        {"enterprise_id": firm.pk, "date": "2023-07-01", "series": {"name": "Series A"},
         "pre_money_fen": 3_000_000_000, "investments": [["红杉", 600_000_000]],
         "pool_target": "0.15"},
        users,
    )  # fmt: skip
    return {"firm": firm, "other": other, "holding_id": done.result["holding_id"]}


@pytest.fixture
def browse():
    def client(user) -> Client:
        c = Client(HTTP_ACCEPT_LANGUAGE="en")
        c.force_login(user)
        return c

    return client
