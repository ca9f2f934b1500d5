"""API v1 of the invest-first programme: the same data and steps as the pages, with the same
scope; refusals are 422 with the message, and nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.integration.investments.builders import disbursed, fund_pool

from patientcap.approvals.models import Proposal
from patientcap.investments.models import Project

pytestmark = pytest.mark.django_db
API = "/api/v1/investments"


def _as(client, user):
    client.force_login(user)
    return client


def test_a_firm_applies_and_reads_its_project(client, users, firm):
    c = _as(client, users["enterprise_user"])
    response = c.post(
        f"{API}/projects",
        {"enterprise_id": firm.pk, "title": "AI", "plan": "plan", "requested_fen": 200_000_000},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    project_id = response.json()["id"]
    detail = c.get(f"{API}/projects/{project_id}").json()
    assert detail["requested"] == "2000000.00"
    assert detail["timeline"][0]["kind"] == "application"
    assert [p["id"] for p in c.get(f"{API}/projects").json()] == [project_id]


def test_a_refused_application_answers_422_and_writes_nothing(client, users, firm):
    c = _as(client, users["enterprise_user"])
    response = c.post(
        f"{API}/projects",
        {"enterprise_id": firm.pk, "title": "AI", "plan": "plan", "requested_fen": -1},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "positive amount" in response.json()["detail"]
    assert not Project.objects.exists()


def test_the_detail_shows_tranches_milestones_and_the_pool_figures(client, users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    c = _as(client, users["auditor"])
    detail = c.get(f"{API}/projects/{project.pk}").json()
    assert detail["agreement"]["disbursed_fen"] == 200_000_000
    assert len(detail["agreement"]["tranches"]) == 2
    pool = c.get(f"{API}/pool?as_of=2026-08-01").json()
    assert pool["invested_fen"] == 200_000_000
    assert pool["cash_fen"] == 800_000_000
    metrics = c.get(f"{API}/metrics?as_of=2026-08-01").json()
    assert metrics["portfolio"]["invested_fen"] == 200_000_000
    assert c.get(f"{API}/losses?as_of=2026-08-01").json()[0]["year"] == 2026


def test_evidence_upload_and_a_verdict_by_the_submitter_is_refused(client, users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    milestone = project.agreement.milestones.get()
    c = _as(client, users["zone_officer"])
    response = c.post(
        f"{API}/milestones/{milestone.pk}/evidence",
        {"file": SimpleUploadedFile("r.pdf", b"%PDF"), "note": "报告"},
    )
    assert response.status_code == 201, response.content
    response = c.post(
        f"{API}/milestones/{milestone.pk}/verdict", {"met": True}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "You submitted this evidence" in response.json()["detail"]
    response = _as(client, users["reviewer"]).post(
        f"{API}/milestones/{milestone.pk}/verdict", {"met": True}, content_type="application/json"
    )
    assert response.status_code == 201


def test_a_conversion_before_the_milestones_is_refused_as_a_proposal(client, users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    c = _as(client, users["zone_officer"])
    response = c.post(
        f"{API}/projects/{project.pk}/conversion",
        {"payload": {"date": "2026-08-01"}, "reason": "convert"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "is not met" in response.json()["detail"]
    assert not Proposal.objects.filter(action="investments.convert").exists()


def test_a_buyback_exit_is_proposed_through_the_api(client, users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    c = _as(client, users["zone_officer"])
    response = c.post(
        f"{API}/projects/{project.pk}/exit",
        {"payload": {"route": "buyback", "date": "2026-11-15"}, "reason": "buyback"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"


@pytest.mark.parametrize("role", ["bank_officer", "guarantor_officer", "service_agent"])
def test_banks_guarantors_and_agents_get_nothing(client, users, firm, role):
    fund_pool(users)
    project = disbursed(users, firm)
    c = _as(client, users[role])
    assert c.get(f"{API}/projects").json() == []
    assert c.get(f"{API}/projects/{project.pk}").status_code == 404
    assert c.get(f"{API}/pool").status_code == 403
    assert c.get(f"{API}/metrics").status_code == 403


def test_the_reviewer_cannot_propose_a_disbursement(client, users, firm):
    fund_pool(users)
    project = disbursed(users, firm, tranches=1)
    tranche = project.agreement.tranches.last()
    response = _as(client, users["reviewer"]).post(
        f"{API}/tranches/{tranche.pk}/disbursement",
        {"payload": {"date": "2026-07-15"}, "reason": "pay"},
        content_type="application/json",
    )
    assert response.status_code == 403
