"""Tiered loans over HTTP: every page renders for its readers and refuses the others; the API
with a bearer token lets a bank's system read its loans and record repayments and claims, and
never shows it another bank's file."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.integration.lending import helpers as h

from patientcap.accounts.services import create_api_token
from patientcap.approvals.models import Proposal

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api(user) -> Client:
    _row, token = create_api_token(user=user, name="bank system", days=30, by=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def book(users, orgs):
    h.fund_pool(users)
    loan = h.loan(users, orgs, h.firm(users, orgs), amount_fen=2_000_000_00)
    claim = h.claim(users, loan)
    return loan, claim


def test_each_page_renders_for_the_zone_and_the_bank(users, book):
    loan, claim = book
    for role in ("zone_officer", "bank_officer", "auditor"):
        client = browser(users[role])
        for url in (
            "/lending/",
            "/lending/applications/",
            "/lending/loans/",
            f"/lending/loans/{loan.pk}/?as_of=2025-01-15",
            f"/lending/applications/{loan.application_id}/",
            f"/lending/claims/{claim.pk}/",
            "/lending/portfolio-at-risk/?as_of=2025-01-15",
        ):
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
    page = browser(users["bank_officer"]).get(f"/lending/loans/{loan.pk}/?as_of=2025-01-15")
    assert loan.contract_number in page.content.decode()
    assert b'id="balance-chart"' in page.content


def test_another_bank_gets_404_on_the_loan_and_an_empty_list(users, book):
    loan, claim = book
    other = browser(users["other_bank_officer"])
    assert other.get(f"/lending/loans/{loan.pk}/").status_code == 404
    assert other.get(f"/lending/claims/{claim.pk}/").status_code == 404
    assert loan.contract_number not in other.get("/lending/loans/").content.decode()
    assert other.post(f"/lending/loans/{loan.pk}/act/", {"do": "repay"}).status_code == 404


def test_the_reports_page_and_its_excel_export_are_for_the_zone_and_auditors(users, book):
    zone = browser(users["zone_officer"])
    page = zone.get("/lending/reports/?as_of=2025-06-30")
    assert page.status_code == 200 and b"monthly-chart" in page.content
    export = zone.get("/lending/reports/export/?as_of=2025-06-30")
    assert export.status_code == 200
    sheets = load_workbook(io.BytesIO(export.content)).sheetnames
    assert sheets == ["Summary", "NPL by bank", "Losses by party", "Loans"]
    assert browser(users["bank_officer"]).get("/lending/reports/").status_code == 403


def test_the_zone_proposes_compensation_from_the_claim_page(users, book):
    _loan, claim = book
    response = browser(users["zone_officer"]).post(
        f"/lending/claims/{claim.pk}/act/",
        {"do": "compensate", "reason": "复核无误", "date": "2025-03-20"},
    )
    assert response.status_code == 302
    assert Proposal.objects.filter(action="lending.compensate_claim").exists()


def test_a_bank_system_reads_its_loans_and_records_a_repayment_through_the_api(users, book):
    loan, _claim = book
    client = api(users["bank_officer"])
    listed = client.get("/api/v1/lending/loans?as_of=2025-01-15").json()
    assert [x["contract_number"] for x in listed["items"]] == [loan.contract_number]
    one = client.get(f"/api/v1/lending/loans/{loan.pk}?as_of=2025-01-15").json()
    assert one["days_past_due"] == 87 and one["classification"] == "special_mention"
    schedule = client.get(f"/api/v1/lending/loans/{loan.pk}/schedule").json()
    assert len(schedule) == 12
    claims = client.get("/api/v1/lending/claims").json()["items"]
    assert claims[0]["status"] == "filed"
    refused = client.post(
        f"/api/v1/lending/loans/{loan.pk}/repayments",
        {"amount": "1000", "date": "2025-03-02", "reference": "API-1"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "active loan" in refused.json()["detail"]


def test_the_api_applies_and_records_due_diligence(users, orgs):
    firm = h.firm(users, orgs)
    bank = api(users["bank_officer"])
    made = bank.post(
        "/api/v1/lending/applications",
        {
            "enterprise_id": firm.pk,
            "bank_id": orgs["bank_a"].pk,
            "guarantor_id": orgs["guarantor_a"].pk,
            "amount": "200万",
            "annual_rate": "0.039",
            "tenor_months": 12,
            "method": "equal_instalments",
            "purpose": "研发投入",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    app_id = made.json()["id"]
    too_big = bank.post(
        "/api/v1/lending/applications",
        {
            **{
                "enterprise_id": firm.pk,
                "bank_id": orgs["bank_a"].pk,
                "guarantor_id": orgs["guarantor_a"].pk,
                "annual_rate": "0.039",
                "tenor_months": 12,
                "method": "equal_instalments",
                "purpose": "x",
            },
            "amount": "400万",
        },
        content_type="application/json",
    )
    assert too_big.status_code == 422 and "above the ceiling" in too_big.json()["detail"]
    dd = api(users["guarantor_officer"]).post(
        f"/api/v1/lending/applications/{app_id}/diligence",
        {"favourable": True, "opinion": "同意担保", "date": dt.date(2025, 1, 2).isoformat()},
        content_type="application/json",
    )
    assert dd.status_code == 201 and dd.json()["diligence"][0]["party"] == "guarantor"
    other = api(users["other_bank_officer"])
    assert other.get(f"/api/v1/lending/applications/{app_id}").status_code == 404
