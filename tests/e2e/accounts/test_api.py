"""API authentication (bearer token or session, request.auth is the User) and the accounts API."""

import re

import pytest
from django.test import Client

from patientcap.accounts import services
from patientcap.api import api

ME = "/api/v1/accounts/me"
ORGANISATIONS = "/api/v1/accounts/organisations"


def bearer(user):
    _, token = services.create_api_token(user=user, name="test", days=1, by=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_me_answers_for_a_session_and_for_a_token_alike(users):
    officer = users["bank_officer"]
    session = Client()
    session.force_login(officer)
    for client in (session, bearer(officer)):
        body = client.get(ME).json()
        assert body == {
            "id": officer.pk,
            "username": "bank_a_officer",
            "full_name": "",
            "role": "bank_officer",
            "organisation": {"id": officer.organisation_id, "name": "Bank A", "type": "bank"},
        }


def test_organisations_are_scoped_to_the_caller(orgs, users):
    assert [o["name"] for o in bearer(users["bank_officer"]).get(ORGANISATIONS).json()] == [
        "Bank A"
    ]
    assert len(bearer(users["auditor"]).get(ORGANISATIONS).json()) == len(orgs)


def test_a_wrong_token_is_refused_even_when_a_session_cookie_comes_along(users):
    client = Client(HTTP_AUTHORIZATION="Bearer pct_00000000_nope")
    client.force_login(users["bank_officer"])
    assert client.get(ME).status_code == 401


def test_a_session_must_send_the_csrf_token_on_unsafe_methods_but_a_bearer_need_not(users):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["zone_officer"])
    body = {"action": "no.such", "payload": {}, "reason": "r"}
    refused = browser.post("/api/v1/approvals/", body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    # The bearer request passes authentication and reaches the endpoint (which refuses the
    # unknown action with 422, not 403).
    answered = bearer(users["zone_officer"]).post(
        "/api/v1/approvals/", body, content_type="application/json"
    )
    assert answered.status_code == 422


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method, re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.parametrize(("method", "path"), sorted(set(_operations())))
def test_every_api_endpoint_refuses_an_anonymous_caller(db, method, path):
    response = getattr(Client(), method)(path, content_type="application/json")
    assert response.status_code == 401, (method, path)


def test_the_openapi_document_and_its_page_are_public_and_declare_both_schemes(db):
    anonymous = Client()
    schema = anonymous.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    schemes = schema.json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert anonymous.get("/api/v1/docs").status_code == 200
