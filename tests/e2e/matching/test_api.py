"""A bank's own system integrates over API v1 with bearer tokens: it lists its files with the
countdown, pauses and resumes, proposes the decision and the disbursement, a second officer
approves through the approvals API, and it reads the SLA report; another bank's token sees
nothing of the file."""

import pytest
from django.test import Client
from tests.integration.matching.conftest import applied, under_review

from patientcap.accounts import services as accounts
from patientcap.matching.models import Application, Status

pytestmark = pytest.mark.django_db
BASE = "/api/v1/matching"


def token_client(user) -> Client:
    _, token = accounts.create_api_token(user=user, name="bank system", days=1, by=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_a_bank_system_takes_a_file_from_due_diligence_to_disbursement(users, orgs, firm, checker):
    app = under_review(users, orgs, firm)
    bank, second = token_client(users["bank_officer"]), token_client(checker)

    listed = bank.get(f"{BASE}/applications?open=true").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["id"] == app.pk and item["limit"] == "2000000.00"
    assert item["clock"]["deadline"] == "2026-08-14" and item["package"]["items"]

    r = post(
        bank, f"{BASE}/applications/{app.pk}/pause", {"documents": "审计报告", "on": "2026-08-06"}
    )
    assert r.status_code == 200 and r.json()["status"] == "paused"
    r = post(bank, f"{BASE}/applications/{app.pk}/resume", {"on": "2026-08-10"})
    assert r.json()["clock"]["deadline"] == "2026-08-18"

    r = post(bank, f"{BASE}/applications/{app.pk}/decide",
             {"decision": "approve", "amount": "2000000.00", "on": "2026-08-11"})  # fmt: skip
    assert r.status_code == 201
    assert post(second, f"/api/v1/approvals/{r.json()['proposal_id']}/approve").status_code == 200
    r = post(bank, f"{BASE}/applications/{app.pk}/disburse",
             {"amount": "2000000.00", "on": "2026-08-13", "loan_reference": "LN-1"})  # fmt: skip
    assert r.status_code == 201
    post(second, f"/api/v1/approvals/{r.json()['proposal_id']}/approve")

    done = bank.get(f"{BASE}/applications/{app.pk}").json()
    assert done["status"] == "disbursed" and done["disbursed_fen"] == 200_000_000
    assert done["clock"]["met"] is True
    [row] = bank.get(f"{BASE}/sla").json()
    assert (
        row["attainment"] == "1.0000" and row["median_working_days"] == "4"
    )  # 6 working days, 2 paused


def test_another_banks_token_gets_404_and_changes_nothing(users, orgs, firm):
    app = under_review(users, orgs, firm)
    other = token_client(users["other_bank_officer"])
    assert other.get(f"{BASE}/applications").json()["count"] == 0
    assert other.get(f"{BASE}/applications/{app.pk}").status_code == 404
    assert post(other, f"{BASE}/applications/{app.pk}/pause", {"documents": "x"}).status_code == 404
    r = post(other, f"{BASE}/applications/{app.pk}/decide", {"decision": "approve", "amount": "1"})
    assert r.status_code == 404
    assert Application.objects.get(pk=app.pk).status == Status.UNDER_REVIEW


def test_bad_input_is_a_422_with_the_reason(users, orgs, firm):
    app = applied(users, orgs, firm)
    bank = token_client(users["bank_officer"])
    r = post(bank, f"{BASE}/applications/{app.pk}/pause", {"documents": "x"})
    assert r.status_code == 422 and "not possible while the file is submitted" in r.json()["detail"]
    ent = token_client(users["enterprise_user"])
    body = {"enterprise_id": firm.pk, "bank_id": orgs["bank_a"].pk, "amount": "300万"}
    r = post(ent, f"{BASE}/applications", body)
    assert r.status_code == 422 and "matching limit" in r.json()["detail"]
    assert Application.objects.count() == 1


def test_guarantors_may_not_read_the_sla_report(users):
    assert token_client(users["guarantor_officer"]).get(f"{BASE}/sla").status_code == 403
