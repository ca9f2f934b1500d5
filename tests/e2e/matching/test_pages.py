"""Matched-credit pages over HTTP as each role: the bank's queue with its countdown, the file
page and its forms, the apply form with the firm's limit, the SLA report and its Excel export;
another bank's file is a 404, guarantors get nothing here."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.integration.matching.conftest import applied, decide, disburse, under_review

from patientcap.approvals.models import Proposal
from patientcap.matching.models import Application, Status

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_the_bank_queue_shows_its_file_with_the_overdue_countdown(users, orgs, firm):
    app = under_review(users, orgs, firm)  # due diligence 2026-08-05: long overdue today
    body = client_for(users["bank_officer"]).get("/matching/").content.decode()
    assert firm.name in body and f'data-file="{app.pk}"' in body
    assert "overdue by" in body and 'class="overdue"' in body


def test_another_bank_sees_neither_the_file_in_its_queue_nor_its_page(users, orgs, firm):
    app = under_review(users, orgs, firm)
    other = client_for(users["other_bank_officer"])
    assert firm.name not in other.get("/matching/").content.decode()
    assert other.get(f"/matching/applications/{app.pk}/").status_code == 404
    response = other.post(f"/matching/applications/{app.pk}/pause/", {"documents": "x"})
    assert response.status_code == 404
    assert app.pauses.count() == 0


def test_guarantors_get_nothing_here(users, orgs, firm):
    app = applied(users, orgs, firm)
    g = client_for(users["guarantor_officer"])
    assert g.get("/matching/").status_code == 403
    assert g.get("/matching/applications/").status_code == 403
    assert g.get(f"/matching/applications/{app.pk}/").status_code == 404


def test_the_apply_form_shows_the_limit_and_refuses_too_much_writing_nothing(users, orgs, firm):
    c = client_for(users["enterprise_user"])
    page = c.get("/matching/apply/").content.decode()
    assert "¥2,000,000.00" in page
    response = c.post(
        "/matching/apply/", {"bank": orgs["bank_a"].pk, "amount": "200.01万", "purpose": "x"}
    )
    assert response.status_code == 422
    assert "above the firm&#x27;s matching limit" in response.content.decode()
    assert not Application.objects.exists()
    response = c.post("/matching/apply/", {"bank": orgs["bank_a"].pk, "amount": "200万"})
    app = Application.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/matching/applications/{app.pk}/"
    )


def test_the_file_page_runs_pause_resume_and_a_proposed_decision(users, orgs, firm, checker):
    app = under_review(users, orgs, firm)
    bank = client_for(users["bank_officer"])
    page = bank.get(f"/matching/applications/{app.pk}/").content.decode()
    assert "Pause the clock" in page and "Propose the decision" in page and "agreement" in page
    bank.post(
        f"/matching/applications/{app.pk}/pause/", {"documents": "审计报告", "on": "2026-08-06"}
    )
    assert Application.objects.get(pk=app.pk).status == Status.PAUSED
    bank.post(f"/matching/applications/{app.pk}/resume/", {"on": "2026-08-07"})
    bank.post(
        f"/matching/applications/{app.pk}/decide/",
        {"decision": "approve", "amount": "200万", "on": "2026-08-10", "note": "同意"},
    )
    proposal = Proposal.objects.get(action="matching.decide")
    assert proposal.status == "pending"
    client_for(checker).post(f"/approvals/{proposal.pk}/approve/", {"comment": "ok"})
    assert Application.objects.get(pk=app.pk).status == Status.APPROVED
    page = bank.get(f"/matching/applications/{app.pk}/").content.decode()
    assert "2026-08-06" in page and "审计报告" in page  # the pause stays on record


def test_a_refused_step_says_why_on_the_page(users, orgs, firm):
    app = under_review(users, orgs, firm)
    bank = client_for(users["bank_officer"])
    response = bank.post(f"/matching/applications/{app.pk}/pause/", {"documents": ""}, follow=True)
    assert "Say which documents" in response.content.decode()
    assert app.pauses.count() == 0


def test_the_sla_report_and_its_excel_export(users, orgs, firm, checker):
    app = under_review(users, orgs, firm)
    decide(users, checker, app)
    disburse(users, checker, app)
    zone = client_for(users["zone_officer"])
    page = zone.get("/matching/sla/").content.decode()
    assert "Bank A" in page and "100.0%" in page and "sla-chart" in page
    response = zone.get("/matching/sla/export/")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[2][0] == "Bank A" and rows[2][4] == 1.0
    files = list(book.worksheets[1].iter_rows(values_only=True))
    assert files[1][0] == app.pk and files[1][8] == dt.datetime(2026, 8, 12)


def test_an_enterprise_sees_its_own_files_and_the_zone_all(users, orgs, firm):
    applied(users, orgs, firm)
    for role in ("enterprise_user", "zone_officer", "reviewer", "auditor", "bank_officer"):
        assert firm.name in client_for(users[role]).get("/matching/applications/").content.decode()
    assert (
        firm.name
        not in client_for(users["other_enterprise_user"])
        .get("/matching/applications/")
        .content.decode()
    )


def test_home_shows_the_bank_its_files_due_and_overdue(users, orgs, firm):
    under_review(users, orgs, firm)
    body = client_for(users["bank_officer"]).get("/").content.decode()
    assert "Matched-credit files due" in body and "Matched-credit files overdue" in body
