"""The equity API as every role: cap tables, rounds, the waterfall, the fund's holdings, and
proposals of fund actions."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "role", ["zone_officer", "reviewer", "auditor", "enterprise_user", "bank_officer"]
)
def test_readers_get_the_cap_table_rounds_and_waterfall(users, world, role):
    client = api(users[role])
    pk = world["firm"].pk
    table = client.get(f"/api/v1/equity/enterprises/{pk}/cap-table?as_of=2024-01-01").json()
    assert sum(__import__("decimal").Decimal(v) for v in table["ownership"].values()) == 1
    assert {h["holder"] for h in table["holdings"]} >= {"张伟", "凤栖天使基金", "红杉"}
    rounds = client.get(f"/api/v1/equity/enterprises/{pk}/rounds").json()
    assert [r["series"] for r in rounds] == ["Series A"]
    w = client.get(
        f"/api/v1/equity/enterprises/{pk}/waterfall?exit_fen=5000000000&as_of=2024-01-01"
    ).json()
    assert sum(w["payouts_fen"].values()) == 5_000_000_000


@pytest.mark.parametrize(
    "role", ["other_bank_officer", "guarantor_officer", "service_agent", "other_enterprise_user"]
)
def test_others_get_404_from_the_cap_table_api(users, world, role):
    client = api(users[role])
    pk = world["firm"].pk
    assert client.get(f"/api/v1/equity/enterprises/{pk}/cap-table").status_code == 404
    assert client.get(f"/api/v1/equity/enterprises/{pk}/rounds").status_code == 404
    assert client.get(f"/api/v1/equity/enterprises/{pk}/waterfall?exit_fen=1").status_code == 404


def test_a_negative_exit_in_the_waterfall_api_is_a_422(users, world):
    client = api(users["zone_officer"])
    response = client.get(f"/api/v1/equity/enterprises/{world['firm'].pk}/waterfall?exit_fen=-1")
    assert response.status_code == 422


def test_the_fund_holdings_are_for_zone_staff_and_auditors(users, world):
    holdings = api(users["auditor"]).get("/api/v1/equity/angel-holdings?as_of=2024-01-01").json()
    assert holdings[0]["holder"] == "凤栖天使基金" and holdings[0]["invested_fen"] == 100_000_000
    assert holdings[0]["review_due_since"] == "2023-07-01"
    assert api(users["bank_officer"]).get("/api/v1/equity/angel-holdings").status_code == 403


def test_a_fund_manager_proposes_an_investment_through_the_api(users, world):
    response = api(users["zone_officer"]).post(
        "/api/v1/equity/proposals/angel-investments",
        {"payload": {"enterprise_id": world["other"].pk, "date": "2024-02-01",
                     "form": "post_money_safe", "amount_fen": 50_000_000,
                     "valuation_cap_fen": 2_000_000_000,
                     "plan": {"exit_route": "ipo", "exit_horizon_years": 7,
                              "target_multiple": "5"}},
         "reason": "SAFE"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["action"] == "equity.angel_invest"


@pytest.mark.parametrize("role", ["enterprise_user", "bank_officer", "auditor"])
def test_a_cap_table_edit_by_someone_outside_the_fund_is_refused_by_the_api(users, world, role):
    response = api(users[role]).post(
        "/api/v1/equity/proposals/rounds",
        {"payload": {"enterprise_id": world["firm"].pk, "date": "2024-02-01",
                     "series": {"name": "Series B"}, "pre_money_fen": 10**10,
                     "investments": [["x", 10**8]]},
         "reason": "x"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403


def test_a_round_with_a_negative_share_price_is_refused_by_the_api(users, world):
    response = api(users["zone_officer"]).post(
        "/api/v1/equity/proposals/rounds",
        {"payload": {"enterprise_id": world["firm"].pk, "date": "2024-02-01",
                     "series": {"name": "Series B"}, "pre_money_fen": -5,
                     "investments": [["x", 10**8]]},
         "reason": "x"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert "pre-money" in str(response.json()["errors"])
