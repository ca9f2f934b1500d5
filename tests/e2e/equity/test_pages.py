"""Equity pages as every role: the cap table (with its charts' data), the waterfall calculator,
the fund's forms and portfolio; who sees what; a proposal from a form."""

import pytest

from patientcap.approvals.models import Proposal
from patientcap.equity.models import AngelHolding

pytestmark = pytest.mark.django_db

CAP_TABLE_READERS = ["zone_officer", "reviewer", "auditor", "enterprise_user", "bank_officer"]
NO_CAP_TABLE = ["other_bank_officer", "guarantor_officer", "service_agent", "other_enterprise_user"]


@pytest.mark.parametrize("role", CAP_TABLE_READERS)
def test_the_cap_table_page_shows_holders_classes_rounds_and_chart_data(users, world, browse, role):
    page = browse(users[role]).get(f"/equity/{world['firm'].pk}/?as_of=2024-01-01")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("凤栖天使基金", "红杉", "Series A", "ownership-chart", "rounds-chart", "张伟"):
        assert text in html
    assert "ownership-data" in html and "rounds-data" in html


@pytest.mark.parametrize("role", NO_CAP_TABLE)
def test_others_get_404_for_the_cap_table_and_see_nothing_in_the_list(users, world, browse, role):
    client = browse(users[role])
    assert client.get(f"/equity/{world['firm'].pk}/").status_code == 404
    assert client.get(f"/equity/{world['firm'].pk}/waterfall/?exit_yuan=1").status_code == 404
    assert "凤鸣光电科技" not in client.get("/equity/").content.decode()


def test_the_enterprise_and_the_granted_bank_see_only_their_firm(users, world, browse):
    for role in ("enterprise_user", "bank_officer"):
        client = browse(users[role])
        listing = client.get("/equity/").content.decode()
        assert "凤鸣光电科技" in listing and "栖云生物" not in listing
        assert client.get(f"/equity/{world['other'].pk}/").status_code == 404


def test_the_waterfall_calculator_pays_out_the_whole_exit_with_the_preference_stack(
    users, world, browse
):
    client = browse(users["bank_officer"])
    page = client.get(f"/equity/{world['firm'].pk}/waterfall/?exit_yuan=5000万&as_of=2024-01-01")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Preference stack" in html and "¥50,000,000.00" in html
    partial = client.get(
        f"/equity/{world['firm'].pk}/waterfall/?exit_yuan=-5&as_of=2024-01-01",
        HTTP_HX_REQUEST="true",
    )
    assert "<html" not in partial.content.decode()
    assert "non-negative" in partial.content.decode()


@pytest.mark.parametrize("path", ["round/", "instrument/", "open/"])
@pytest.mark.parametrize("role", ["reviewer", "auditor", "enterprise_user", "bank_officer"])
def test_only_fund_managers_get_the_cap_table_forms(users, world, browse, path, role):
    response = browse(users[role]).get(f"/equity/{world['firm'].pk}/{path}")
    assert response.status_code in (403, 404)


def test_recording_a_round_from_the_form_makes_a_proposal(users, world, browse):
    client = browse(users["zone_officer"])
    response = client.post(
        f"/equity/{world['firm'].pk}/round/",
        {
            "date": "2024-09-01", "series_name": "Series B", "series_seniority": "2",
            "series_preference_multiple": "1", "series_participation": "non_participating",
            "series_anti_dilution": "broad_based_weighted_average",
            "pre_money_yuan": "8000万", "investments": "高瓴, 20000000",
            "pool_target_percent": "10", "reason": "B 轮",
        },
    )  # fmt: skip
    assert response.status_code == 302
    proposal = Proposal.objects.get(action="equity.record_round", status="pending")
    assert proposal.payload["pre_money_fen"] == 8_000_000_000
    assert proposal.payload["pool_target"] == "0.1"


def test_a_round_form_with_a_zero_price_shows_the_reason_and_proposes_nothing(users, world, browse):
    response = browse(users["zone_officer"]).post(
        f"/equity/{world['firm'].pk}/round/",
        {
            "date": "2024-09-01", "series_name": "Series B", "series_seniority": "2",
            "series_preference_multiple": "1", "series_participation": "non_participating",
            "series_anti_dilution": "none", "pre_money_yuan": "0",
            "investments": "高瓴, 100", "reason": "B 轮",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "pre-money valuation must be a positive" in response.content.decode()
    assert not Proposal.objects.filter(action="equity.record_round", status="pending").exists()


@pytest.mark.parametrize("role", ["zone_officer", "reviewer", "auditor"])
def test_the_fund_portfolio_shows_holdings_plans_and_reviews_due(users, world, browse, role):
    client = browse(users[role])
    page = client.get("/equity/fund/?as_of=2024-01-01")
    html = page.content.decode()
    assert page.status_code == 200
    assert "凤鸣光电科技" in html and "Reviews due" in html and "Trade sale" in html
    assert client.get(f"/equity/fund/holdings/{world['holding_id']}/").status_code == 200


@pytest.mark.parametrize("role", ["bank_officer", "enterprise_user", "service_agent"])
def test_outsiders_are_refused_the_fund_pages(users, world, browse, role):
    client = browse(users[role])
    assert client.get("/equity/fund/").status_code == 403
    assert client.get(f"/equity/fund/holdings/{world['holding_id']}/").status_code == 403
    assert client.get("/equity/fund/invest/").status_code == 403


def test_a_review_from_the_holding_page_clears_the_flag(users, world, browse):
    response = browse(users["zone_officer"]).post(
        f"/equity/fund/holdings/{world['holding_id']}/",
        {"review": "1", "date": "2024-01-02", "note": "A 轮后估值合理"},
    )
    assert response.status_code == 302
    assert AngelHolding.objects.get().review_due_since is None


def test_an_auditor_cannot_post_a_review(users, world, browse):
    response = browse(users["auditor"]).post(
        f"/equity/fund/holdings/{world['holding_id']}/",
        {"review": "1", "date": "2024-01-02", "note": "x"},
    )
    assert response.status_code == 403
    assert AngelHolding.objects.get().review_due_since is not None


def test_an_exit_with_negative_proceeds_from_the_page_is_refused(users, world, browse):
    response = browse(users["zone_officer"]).post(
        f"/equity/fund/holdings/{world['holding_id']}/",
        {"exit": "1", "date": "2025-01-02", "route": "secondary", "proceeds_yuan": "-5",
         "buyer": "某产业基金", "reason": "退出"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "cannot be negative" in response.content.decode()
    assert not Proposal.objects.filter(action="equity.angel_exit").exists()


def test_the_invest_form_proposes_an_angel_investment(users, world, browse):
    response = browse(users["zone_officer"]).post(
        "/equity/fund/invest/",
        {"enterprise_id": world["other"].pk, "date": "2024-02-01", "form": "note",
         "amount_yuan": "50万", "annual_rate_percent": "6", "day_count": "ACT/365F",
         "valuation_cap_yuan": "3000万", "discount_percent": "20",
         "exit_route": "buyback", "exit_horizon_years": "4", "target_multiple": "2",
         "series_anti_dilution": "none", "reason": "可转债"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get(action="equity.angel_invest", status="pending")
    assert proposal.payload["amount_fen"] == 50_000_000
    assert proposal.payload["annual_rate"] == "0.06"
