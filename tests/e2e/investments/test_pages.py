"""The invest-first pages over HTTP: a firm applies, zone staff review, decide, sign, pay, judge
milestones, convert and exit, each money step through the approvals queue; the zone's pages
(queue, pool, metrics, losses, export) show the result; banks see nothing here."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from tests.integration.investments.builders import disbursed, fund_pool

from patientcap.approvals.models import Proposal, Status
from patientcap.equity import services as equity
from patientcap.investments.models import Project, Stage

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _approve_latest(client, users, checker="reviewer"):
    proposal = Proposal.objects.filter(status=Status.PENDING).latest("pk")
    client.force_login(users[checker])
    response = client.post(f"/approvals/{proposal.pk}/approve/", {"comment": "ok"})
    assert response.status_code in (200, 302), response.content[:500]
    proposal.refresh_from_db()
    assert proposal.status == Status.APPROVED, proposal.error
    return proposal


def test_a_project_goes_from_application_to_exit_through_the_pages(client, users, firm):
    fund_pool(users)
    c = _client(client, users["enterprise_user"])
    response = c.post(
        "/investments/apply/",
        {"enterprise": firm.pk, "title": "AI 教育数据平台", "plan": "研发", "requested": "200万"},
    )
    project = Project.objects.get()
    assert response.status_code == 302 and project.requested_fen == 200_000_000

    c = _client(client, users["reviewer"])
    c.post(f"/investments/{project.pk}/review/", {"score": "85", "opinion": "技术领先"})
    c = _client(client, users["zone_officer"])
    c.post(
        f"/investments/{project.pk}/decide/",
        {
            "approved": "1",
            "amount": "200万",
            "date": "2025-12-20",
            "comment": "同意",
            "reason": "committee",
        },
    )
    _approve_latest(client, users)
    c = _client(client, users["zone_officer"])
    response = c.post(
        f"/investments/{project.pk}/agreement/",
        {
            "signed_on": "2026-01-05",
            "amount": "200万",
            "tranches": "2026-01-15 100万\n2026-07-15 100万",
            "milestones": "原型机 | 台数 | 3 | 2026-06-30 | 第三方检测报告",
            "variant": "B",
            "agreed_valuation": "2000万",
            "conversion_deadline": "2028-01-05",
            "buyback_rate": "3.5",
            "buyback_floor": "200万",
            "buyback_cap": "400万",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED
    for tranche, on in zip(
        project.agreement.tranches.all(), ("2026-01-15", "2026-07-15"), strict=True
    ):
        _client(client, users["zone_officer"]).post(
            f"/investments/tranches/{tranche.pk}/disburse/", {"date": on, "reason": "pay"}
        )
        _approve_latest(client, users)
    milestone = project.agreement.milestones.get()
    c = _client(client, users["enterprise_user"])
    c.post(
        f"/investments/milestones/{milestone.pk}/evidence/",
        {"file": SimpleUploadedFile("report.pdf", b"%PDF test"), "note": "检测报告"},
    )
    c = _client(client, users["reviewer"])
    c.post(f"/investments/milestones/{milestone.pk}/verdict/", {"met": "1", "comment": "达标"})
    milestone.refresh_from_db()
    assert milestone.status == "met"

    equity.open_cap_table(
        enterprise_id=firm.pk,
        founders=[("何知夏", 9_000_000)],
        on=dt.date(2021, 4, 1),
        actor=users["zone_officer"],
        source="test",
    )
    c = _client(client, users["zone_officer"])
    c.post(
        f"/investments/{project.pk}/convert/",
        {
            "date": "2026-08-01",
            "reason": "met",
            "exit_route": "secondary",
            "exit_horizon_years": "3",
            "target_multiple": "1.5",
        },
    )
    _approve_latest(client, users)
    project.refresh_from_db()
    assert project.stage == Stage.CONVERTED
    assert project.conversion.shares == 1_000_000  # 10% of 10M post-money at ¥20M agreed
    page = (
        _client(client, users["enterprise_user"])
        .get(f"/investments/{project.pk}/")
        .content.decode()
    )
    assert "Converted to equity" in page and "Tranche 2 paid" in page

    c = _client(client, users["zone_officer"])
    c.post(
        f"/investments/{project.pk}/exit/",
        {
            "route": "secondary_sale",
            "date": "2026-11-01",
            "proceeds": "300万",
            "buyer": "某基金",
            "reason": "round",
        },
    )
    _approve_latest(client, users)
    project.refresh_from_db()
    assert project.stage == Stage.EXITED
    assert project.exit.gain_fen == 100_000_000

    c = _client(client, users["auditor"])
    pool = c.get("/investments/pool/?as_of=2026-11-02").content.decode()
    assert "300.00万" in pool  # returned
    metrics = c.get("/investments/metrics/?as_of=2026-11-02").content.decode()
    assert "1.50×" in metrics  # DPI of ¥3M on ¥2M
    assert c.get("/investments/losses/").status_code == 200
    assert c.get("/investments/queue/").status_code == 200
    export = c.get("/investments/export.xlsx?as_of=2026-11-02")
    wb = load_workbook(io.BytesIO(export.content))
    assert wb["项目 Projects"].max_row == 2


def test_overdue_milestones_show_on_the_officers_queue(client, users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    page = _client(client, users["zone_officer"]).get("/investments/queue/?as_of=2026-08-01")
    assert "原型机" in page.content.decode()
    assert project.title in page.content.decode()


def test_a_verdict_by_the_evidence_submitter_is_refused_on_the_page(client, users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    milestone = project.agreement.milestones.get()
    c = _client(client, users["zone_officer"])
    c.post(
        f"/investments/milestones/{milestone.pk}/evidence/",
        {"file": SimpleUploadedFile("r.pdf", b"%PDF"), "note": ""},
    )
    response = c.post(
        f"/investments/milestones/{milestone.pk}/verdict/", {"met": "1", "comment": ""}, follow=True
    )
    assert "You submitted this evidence" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.status == "submitted"


@pytest.mark.parametrize("role", ["bank_officer", "guarantor_officer", "service_agent"])
def test_banks_guarantors_and_agents_see_nothing_here(client, users, firm, role):
    fund_pool(users)
    project = disbursed(users, firm)
    c = _client(client, users[role])
    for url in (
        "/investments/",
        f"/investments/{project.pk}/",
        "/investments/pool/",
        "/investments/metrics/",
        "/investments/export.xlsx",
    ):
        assert c.get(url).status_code in (403, 404), url


def test_another_firm_does_not_see_this_firms_project(client, users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    c = _client(client, users["other_enterprise_user"])
    assert c.get(f"/investments/{project.pk}/").status_code == 404
    assert project.title not in c.get("/investments/").content.decode()
    assert c.get("/investments/pool/").status_code == 403


def test_evidence_files_are_served_only_to_readers(client, users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    milestone = project.agreement.milestones.get()
    _client(client, users["enterprise_user"]).post(
        f"/investments/milestones/{milestone.pk}/evidence/",
        {"file": SimpleUploadedFile("r.pdf", b"%PDF secret"), "note": ""},
    )
    evidence = milestone.evidence.get()
    assert b"secret" in b"".join(
        _client(client, users["reviewer"])
        .get(f"/investments/evidence/{evidence.pk}/")
        .streaming_content
    )
    assert (
        _client(client, users["other_enterprise_user"])
        .get(f"/investments/evidence/{evidence.pk}/")
        .status_code
        == 404
    )
