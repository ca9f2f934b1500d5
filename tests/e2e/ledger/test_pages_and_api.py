"""The ledger and audit pages and API, as every role: zone staff and auditors read the books and
the audit trail; everyone else is refused (403 for the pages and lists, 404 for one record); only
auditors verify the chains."""

import datetime as dt

import pytest
from django.test import Client

from patientcap.audit.models import AuditEntry
from patientcap.domain.ledger import credit, debit
from patientcap.ledger.services import post_entry, reverse_entry

pytestmark = pytest.mark.django_db

READERS = ["zone_officer", "reviewer", "auditor"]
OTHERS = ["bank_officer", "guarantor_officer", "service_agent", "enterprise_user"]
DAY = dt.date(2025, 9, 1)


@pytest.fixture
def entries(users):
    fund = post_entry(
        book="fiscal_pool",
        date=DAY,
        memo="Budget allocation 2025",
        idempotency_key="budget-2025",
        actor=users["zone_officer"],
        postings=[
            debit("fiscal_pool.cash", 200_000_000),
            credit("fiscal_pool.contributions", 200_000_000),
        ],
    )
    spend = post_entry(
        book="fiscal_pool",
        date=DAY,
        memo="Invest-first: Youkuankong",
        idempotency_key="if-1",
        actor=users["zone_officer"],
        postings=[
            debit("fiscal_pool.invest_first", 2_000_000),
            credit("fiscal_pool.cash", 2_000_000),
        ],
    )
    undo = reverse_entry(entry=spend, reason="duplicate", actor=users["reviewer"], date=DAY)
    return {"fund": fund, "spend": spend, "undo": undo}


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def page_urls(entries) -> list[str]:
    return [
        "/ledger/",
        "/ledger/entries/",
        "/ledger/accounts/fiscal_pool.cash/",
        f"/ledger/entries/{entries['spend'].pk}/",
        "/audit/",
        f"/audit/{AuditEntry.objects.order_by('-seq').first().seq}/",
    ]


@pytest.mark.parametrize("role", READERS)
def test_zone_staff_and_auditors_see_the_books_and_the_trail(users, entries, role):
    client = browser(users[role])
    for url in page_urls(entries):
        assert client.get(url).status_code == 200, url
    books = client.get("/ledger/").content.decode()
    assert "Pool cash at the zone&#x27;s account" in books
    assert "¥2,020,000.00" in books  # cash debits: the budget and the reversal's return
    assert "¥2,000,000.00" in books  # cash balance after the reversal
    statement = client.get("/ledger/accounts/fiscal_pool.cash/?start=2025-09-01&end=2025-09-02")
    text = statement.content.decode()
    assert "Budget allocation 2025" in text and "¥2,000,000.00" in text
    detail = client.get(f"/ledger/entries/{entries['spend'].pk}/").content.decode()
    assert f"Reversed by entry #{entries['undo'].pk}" in detail


@pytest.mark.parametrize("role", OTHERS)
def test_everyone_else_is_refused_the_books_and_the_trail(users, entries, role):
    client = browser(users[role])
    for url in [
        "/ledger/",
        "/ledger/entries/",
        "/ledger/accounts/fiscal_pool.cash/",
        f"/ledger/entries/{entries['spend'].pk}/",
        "/audit/",
        f"/audit/{AuditEntry.objects.order_by('-seq').first().seq}/",
    ]:
        assert client.get(url).status_code in (403, 404), url


def test_anonymous_visitors_are_sent_to_log_in(entries):
    response = Client().get("/ledger/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_bad_date_on_the_statement_page_is_explained_not_a_crash(users, entries):
    page = browser(users["auditor"]).get("/ledger/accounts/fiscal_pool.cash/?start=2025-13-45")
    assert page.status_code == 200
    assert "2025-13-45 is not a date" in page.content.decode()


def test_an_unknown_account_is_not_found(users):
    assert browser(users["auditor"]).get("/ledger/accounts/nope/").status_code == 404


def test_the_audit_log_filters_by_object_and_actor(users, entries):
    client = browser(users["auditor"])
    page = client.get(f"/audit/?object_type=ledger.entry&object_id={entries['undo'].pk}")
    text = page.content.decode()
    assert "ledger.entry.reverse" in text and "ledger.entry.post" not in text
    assert "ledger.entry.reverse" in client.get("/audit/?actor=reviewer").content.decode()


def test_only_auditors_verify_the_chain_from_the_page(users, entries):
    result = browser(users["auditor"]).post("/audit/verify/")
    assert result.status_code == 200 and "intact" in result.content.decode()
    assert browser(users["zone_officer"]).post("/audit/verify/").status_code == 403
    assert browser(users["auditor"]).get("/audit/verify/").status_code == 405


# --- API ---------------------------------------------------------------------------------------
def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", READERS)
def test_the_api_gives_books_trial_balances_statements_and_entries(users, entries, role):
    client = api(users[role])
    books = client.get("/api/v1/ledger/books").json()
    assert [b["code"] for b in books] == ["fiscal_pool", "risk_compensation_pool"]
    trial = client.get("/api/v1/ledger/books/fiscal_pool/trial-balance?as_of=2025-09-01").json()
    assert trial["balanced"] and trial["debits_fen"] == trial["credits_fen"]
    cash = next(line for line in trial["lines"] if line["account"] == "fiscal_pool.cash")
    assert cash == {
        "account": "fiscal_pool.cash",
        "debits_fen": 202_000_000,
        "credits_fen": 2_000_000,
        "balance_fen": 200_000_000,
        "balance": "2000000.00",
    }
    statement = client.get(
        "/api/v1/ledger/accounts/fiscal_pool.cash/statement?start=2025-09-01&end=2025-09-02"
    ).json()
    assert statement["opening_fen"] == 0 and statement["closing"] == "2000000.00"
    assert [line["balance_fen"] for line in statement["lines"]] == [
        200_000_000,
        198_000_000,
        200_000_000,
    ]
    listed = client.get("/api/v1/ledger/entries?book=fiscal_pool").json()
    assert listed["count"] == 3
    one = client.get(f"/api/v1/ledger/entries/{entries['spend'].pk}").json()
    assert one["reversed_by"] == entries["undo"].pk
    assert {p["account"]: p["amount"] for p in one["postings"]} == {
        "fiscal_pool.invest_first": "20000.00",
        "fiscal_pool.cash": "20000.00",
    }
    audit = client.get("/api/v1/audit/entries?object_type=ledger.entry").json()
    assert audit["count"] == 3 and audit["items"][0]["action"] == "ledger.entry.reverse"


@pytest.mark.parametrize("role", OTHERS)
def test_the_api_refuses_everyone_else(users, entries, role):
    client = api(users[role])
    for url in [
        "/api/v1/ledger/books",
        "/api/v1/ledger/books/fiscal_pool/trial-balance",
        "/api/v1/ledger/accounts/fiscal_pool.cash/statement",
        "/api/v1/ledger/entries",
        f"/api/v1/ledger/entries/{entries['spend'].pk}",
        "/api/v1/audit/entries",
    ]:
        assert client.get(url).status_code in (403, 404), url


def test_the_api_answers_bad_input_clearly(users):
    client = api(users["auditor"])
    assert client.get("/api/v1/ledger/books/petty_cash/trial-balance").status_code == 404
    bad = client.get(
        "/api/v1/ledger/accounts/fiscal_pool.cash/statement?start=2025-09-02&end=2025-09-01"
    )
    assert bad.status_code == 422 and "end must not be before start" in bad.json()["detail"]
    assert (
        client.get("/api/v1/ledger/books/fiscal_pool/trial-balance?as_of=soon").status_code == 422
    )


def test_only_auditors_verify_the_chains_through_the_api(users, entries):
    verified = api(users["auditor"]).post("/api/v1/audit/verify").json()
    assert verified["intact"] and verified["breaches"] == []
    assert api(users["zone_officer"]).post("/api/v1/audit/verify").status_code == 403
