"""The approvals API with bearer tokens: list, read, propose, approve, reject, withdraw."""

import pytest
from django.test import Client
from tests.integration.approvals import actions  # noqa: F401  (registers the test actions)

from patientcap.accounts import services as accounts
from patientcap.accounts.models import Organisation
from patientcap.approvals.models import Proposal, Status

BASE = "/api/v1/approvals/"


@pytest.fixture
def api(users):
    clients = {}
    for key in ("zone_officer", "reviewer", "bank_officer", "auditor"):
        _, token = accounts.create_api_token(user=users[key], name="t", days=1, by=users[key])
        clients[key] = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    return clients


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def propose(api, name="Incubator Nine", **payload):
    return post(
        api["zone_officer"],
        BASE,
        {
            "action": "tests.create_organisation",
            "payload": {"name": name, **payload},
            "reason": "Needed.",
        },
    )


def test_propose_then_approve_over_the_api(api):
    created = propose(api)
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "pending" and body["proposed_by"] == "zone_officer"
    assert body["action_label"] == "Create a service organisation (test)"
    pk = body["id"]

    waiting = api["reviewer"].get(BASE + "?tab=waiting").json()
    assert waiting["count"] == 1 and waiting["items"][0]["id"] == pk

    approved = post(api["reviewer"], f"{BASE}{pk}/approve", {"comment": "ok"})
    assert approved.status_code == 200
    org = Organisation.objects.get(name="Incubator Nine")
    assert approved.json()["status"] == "approved"
    assert approved.json()["result"] == {"organisation_id": org.pk}
    assert api["auditor"].get(f"{BASE}{pk}").json()["decided_by"] == "reviewer"


def test_refusals_carry_a_status_and_a_message(api):
    bad = propose(api, name=" ")
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"name": ["A name is required."]}
    pk = propose(api).json()["id"]
    assert propose(api).status_code == 409  # a second pending one for the same target

    own = post(api["zone_officer"], f"{BASE}{pk}/approve")
    assert own.status_code == 403 and "yourself" in own.json()["detail"]
    auditor = post(api["auditor"], f"{BASE}{pk}/approve")
    assert auditor.status_code == 403 and "read-only" in auditor.json()["detail"]
    no_comment = post(api["reviewer"], f"{BASE}{pk}/reject", {"comment": ""})
    assert no_comment.status_code == 422
    assert Proposal.objects.get(pk=pk).status == Status.PENDING

    assert post(api["reviewer"], f"{BASE}{pk}/reject", {"comment": "Not now."}).status_code == 200
    late = post(api["zone_officer"], f"{BASE}{pk}/withdraw")
    assert late.status_code == 409 and "no longer pending" in late.json()["detail"]


def test_a_failed_action_answers_409_and_leaves_the_proposal_failed(api):
    pk = propose(api, name="Doomed", fail=True).json()["id"]
    response = post(api["reviewer"], f"{BASE}{pk}/approve")
    assert response.status_code == 409 and "failed after writing" in response.json()["detail"]
    assert api["reviewer"].get(f"{BASE}{pk}").json()["status"] == "failed"
    assert not Organisation.objects.filter(name="Doomed").exists()


def test_another_organisation_sees_nothing_and_gets_404_for_every_step(api):
    pk = propose(api).json()["id"]
    outsider = api["bank_officer"]
    assert outsider.get(BASE).json()["count"] == 0
    assert outsider.get(f"{BASE}{pk}").status_code == 404
    for step in ("approve", "reject", "withdraw"):
        assert post(outsider, f"{BASE}{pk}/{step}", {"comment": "x"}).status_code == 404
    assert Proposal.objects.get(pk=pk).status == Status.PENDING


def test_the_maker_withdraws_over_the_api(api):
    pk = propose(api).json()["id"]
    assert post(api["reviewer"], f"{BASE}{pk}/withdraw").status_code == 403
    response = post(api["zone_officer"], f"{BASE}{pk}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
