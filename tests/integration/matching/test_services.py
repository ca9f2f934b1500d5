"""Matched credit end to end through the services and maker-checker: eligibility from the
platform's own investment records, the clock with pauses, the bank's decision within the bank,
disbursement, the history, and every refusal leaving nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from tests.integration.matching.conftest import (
    APPLIED,
    DD,
    DEADLINE,
    TWO_MILLION,
    applied,
    decide,
    disburse,
    under_review,
)

from patientcap.accounts import scoping
from patientcap.approvals import services as proposals
from patientcap.audit.models import AuditEntry
from patientcap.core.kpis import collect
from patientcap.matching import selectors, services
from patientcap.matching.models import Application, Pause, Status, Transition
from patientcap.policy import services as calendar_admin
from patientcap.policy.calendar import working_calendar

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Application.objects.count(), Transition.objects.count(), Pause.objects.count()


def test_an_application_records_the_limit_and_the_policy_versions_it_used(users, orgs, firm):
    app = applied(users, orgs, firm)
    assert (app.invest_first_fen, app.angel_fen, app.limit_fen) == (TWO_MILLION, 0, TWO_MILLION)
    assert app.invest_first_ratio == Decimal(1) and app.angel_ratio == Decimal(2)
    assert set(app.policy_versions) == {services.INVEST_FIRST_RATIO, services.ANGEL_RATIO}
    assert app.policy_versions[services.INVEST_FIRST_RATIO].startswith(
        "matched_credit.max_ratio.invest_first@2025-12-05#"
    )
    assert app.qualifying_investments == [{"kind": "invest_first", "amount_fen": TWO_MILLION}]
    assert app.status == Status.SUBMITTED
    assert list(app.transitions.values_list("from_status", "to_status")) == [("", "submitted")]
    assert AuditEntry.objects.filter(action="matching.apply", object_id=str(app.pk)).exists()


def test_the_limit_follows_the_money_paid_by_the_application_date(users, orgs, firm):
    # Only the first half had been paid on 2026-02-02.
    limit, _ = services.limit_for(firm.pk, dt.date(2026, 2, 2))
    assert limit.total_fen == TWO_MILLION // 2


def test_credit_above_the_matching_limit_is_refused_and_nothing_is_written(users, orgs, firm):
    before = counts()
    with pytest.raises(services.Refused, match=r"above the firm's matching limit of ¥2,000,000.00"):
        applied(users, orgs, firm, amount_fen=TWO_MILLION + 1)
    assert counts() == before


def test_a_firm_with_no_qualifying_investment_is_refused_and_nothing_is_written(
    users, orgs, bare_firm
):
    before = counts()
    with pytest.raises(services.Refused, match="no qualifying investment"):
        services.apply(
            actor=users["other_enterprise_user"], enterprise_id=bare_firm.pk,
            bank_id=orgs["bank_b"].pk, amount_fen=100_000_00, on=APPLIED,
        )  # fmt: skip
    assert counts() == before


def test_a_firm_cannot_apply_for_another_firm(users, orgs, firm):
    with pytest.raises(Http404):
        services.apply(
            actor=users["other_enterprise_user"], enterprise_id=firm.pk,
            bank_id=orgs["bank_b"].pk, amount_fen=100, on=APPLIED,
        )  # fmt: skip


def test_completing_due_diligence_starts_the_clock_and_hands_over_the_package(users, orgs, firm):
    app = under_review(users, orgs, firm)
    assert app.status == Status.UNDER_REVIEW
    assert (app.dd_completed_on, app.sla_days) == (DD, 7)
    assert app.sla_version.startswith("matched_credit.sla.due_diligence_to_disbursement@")
    titles = [i["title"] for i in app.package.items]
    assert any("agreement" in t for t in titles)
    state = selectors.clock_state(app, working_calendar(), DD)
    assert (state.deadline, state.days_left, state.overdue) == (DEADLINE, 7, False)


def test_paused_working_days_extend_the_deadline_and_every_pause_is_recorded(users, orgs, firm):
    app = under_review(users, orgs, firm)
    bank = users["bank_officer"]
    services.pause(actor=bank, application_id=app.pk, documents="2025年审计报告",
                   on=dt.date(2026, 8, 6))  # fmt: skip
    services.resume(actor=bank, application_id=app.pk, on=dt.date(2026, 8, 10))
    services.pause(actor=bank, application_id=app.pk, documents="纳税证明",
                   on=dt.date(2026, 8, 11))  # fmt: skip
    services.resume(actor=bank, application_id=app.pk, on=dt.date(2026, 8, 11))  # same day
    app.refresh_from_db()
    state = selectors.clock_state(app, working_calendar(), dt.date(2026, 8, 11))
    # paused (Thu 8-06, Mon 8-10]: Fri and Mon = 2 working days; the same-day pause costs 0.
    assert state.paused_days == 2
    assert state.deadline == dt.date(2026, 8, 18)
    assert [p.documents_requested for p in app.pauses.all()] == ["2025年审计报告", "纳税证明"]
    assert list(app.transitions.values_list("to_status", flat=True)) == [
        "submitted", "under_review", "paused", "under_review", "paused", "under_review",
    ]  # fmt: skip
    assert AuditEntry.objects.filter(action="matching.pause", object_id=str(app.pk)).count() == 2


def test_the_bank_decides_under_maker_checker_within_the_bank(users, orgs, firm, checker):
    app = under_review(users, orgs, firm)
    p = proposals.propose(
        action="matching.decide",
        payload={"application_id": app.pk, "decision": "approve", "amount": "200万",
                 "on": "2026-08-10"},
        reason="同意", by=users["bank_officer"],
    )  # fmt: skip
    with pytest.raises(proposals.NotAllowed):
        proposals.approve(proposal=p, by=users["bank_officer"])  # never the maker
    with pytest.raises(proposals.NotAllowed):
        proposals.approve(proposal=p, by=users["other_bank_officer"])  # never another bank
    proposals.approve(proposal=p, by=checker)
    app.refresh_from_db()
    assert (app.status, app.approved_fen, app.decided_by) == (Status.APPROVED, TWO_MILLION, checker)


def test_only_the_files_bank_may_propose_its_decision(users, orgs, firm):
    app = under_review(users, orgs, firm)
    for who in ("other_bank_officer", "zone_officer"):
        with pytest.raises(proposals.ProposalRefused):
            proposals.propose(
                action="matching.decide",
                payload={"application_id": app.pk, "decision": "approve", "amount": "1"},
                reason="x", by=users[who],
            )  # fmt: skip


def test_an_approval_above_the_limit_is_refused(users, orgs, firm):
    app = under_review(users, orgs, firm, amount_fen=TWO_MILLION // 2)
    with pytest.raises(proposals.InvalidProposal, match="above the firm's matching limit"):
        proposals.propose(
            action="matching.decide",
            payload={"application_id": app.pk, "decision": "approve", "amount": "200.01万"},
            reason="x", by=users["bank_officer"],
        )  # fmt: skip


def test_no_decision_while_the_clock_is_paused(users, orgs, firm):
    app = under_review(users, orgs, firm)
    services.pause(actor=users["bank_officer"], application_id=app.pk, documents="报表",
                   on=dt.date(2026, 8, 6))  # fmt: skip
    with pytest.raises(proposals.InvalidProposal, match="paused"):
        proposals.propose(
            action="matching.decide",
            payload={"application_id": app.pk, "decision": "approve", "amount": "100万"},
            reason="x", by=users["bank_officer"],
        )  # fmt: skip


def test_a_rejection_needs_listed_reasons_and_a_referral_a_note(users, orgs, firm, checker):
    app = under_review(users, orgs, firm)
    with pytest.raises(proposals.InvalidProposal, match="at least one reason"):
        decide(users, checker, app, decision="reject", reasons=[])
    with pytest.raises(proposals.InvalidProposal, match="note"):
        decide(users, checker, app, decision="reject", reasons=["other"])
    with pytest.raises(proposals.InvalidProposal, match="change"):
        decide(users, checker, app, decision="refer", note="")
    decide(users, checker, app, decision="reject", reasons=["cash_flow", "documents"], note="")
    app.refresh_from_db()
    assert app.status == Status.REJECTED
    assert app.reasons == ["cash_flow", "documents"]
    assert app.reason_labels[0] == "weak or unverifiable cash flow"


def test_disbursement_within_the_deadline_counts_as_met(users, orgs, firm, checker):
    app = under_review(users, orgs, firm)
    decide(users, checker, app)
    with pytest.raises(proposals.InvalidProposal, match="at most the approved"):
        disburse(users, checker, app, amount="200.01万")
    disburse(users, checker, app)
    app.refresh_from_db()
    assert (app.status, app.disbursed_fen, app.disbursed_on) == (
        Status.DISBURSED, TWO_MILLION, dt.date(2026, 8, 12),
    )  # fmt: skip
    state = selectors.clock_state(app, working_calendar(), dt.date(2026, 11, 1))
    assert state.met is True and state.elapsed == 5 and not state.overdue
    assert selectors.matched_credit_fen(dt.date(2026, 8, 11)) == 0
    assert selectors.matched_credit_fen(dt.date(2026, 8, 12)) == TWO_MILLION
    [row] = selectors.sla_by_bank(
        Application.objects.all(), working_calendar(), dt.date(2026, 9, 1)
    )
    assert (row.disbursed, row.on_time, row.attainment, row.median_days) == (
        1, 1, Decimal("1.0000"), Decimal(5),
    )  # fmt: skip


def test_a_late_disbursement_and_an_overdue_file_miss_the_deadline(users, orgs, firm, checker):
    late = under_review(users, orgs, firm, amount_fen=TWO_MILLION // 4)
    decide(users, checker, late, amount="50万", on=dt.date(2026, 8, 14))
    disburse(users, checker, late, amount="50万", on=dt.date(2026, 8, 18))
    stuck = under_review(users, orgs, firm, amount_fen=TWO_MILLION // 4)
    [row] = selectors.sla_by_bank(
        Application.objects.all(), working_calendar(), dt.date(2026, 8, 20)
    )
    assert (row.disbursed, row.on_time, row.overdue_now, row.attainment) == (
        1, 0, 1, Decimal(0),
    )  # fmt: skip
    state = selectors.clock_state(stuck, working_calendar(), dt.date(2026, 8, 20))
    assert state.overdue and state.days_left == -4


def test_kpis_report_count_amount_leverage_and_sla(users, orgs, firm, checker):
    app = under_review(users, orgs, firm)
    decide(users, checker, app)
    disburse(users, checker, app)
    figures = collect(dt.date(2026, 9, 1))["matched_credit"]
    assert figures == {
        "count": 1, "amount_yuan": "2000000.00", "leverage": "1.00", "sla_met_rate": "1.0000",
    }  # fmt: skip


def test_a_bank_officer_cannot_open_or_touch_another_banks_file(users, orgs, firm):
    app = under_review(users, orgs, firm)
    other = users["other_bank_officer"]
    assert not scoping.readable(other, Application).filter(pk=app.pk).exists()
    before = counts()
    with pytest.raises(Http404):
        services.pause(actor=other, application_id=app.pk, documents="x", on=DD)
    assert counts() == before


def test_a_deadline_the_calendar_does_not_cover_is_refused_naming_the_year(
    users, orgs, firm, monkeypatch
):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 12, 28))
    app = services.apply(
        actor=users["enterprise_user"], enterprise_id=firm.pk, bank_id=orgs["bank_a"].pk,
        amount_fen=100_000_00, on=dt.date(2026, 12, 21),
    )  # fmt: skip
    before = counts()
    with pytest.raises(services.Refused, match=r"does not cover 2027.*override table"):
        services.complete_due_diligence(
            actor=users["zone_officer"], application_id=app.pk, on=dt.date(2026, 12, 28)
        )
    assert counts() == before
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.dd_completed_on is None


def test_declaring_the_next_year_covered_lets_the_deadline_be_counted(
    users, orgs, firm, monkeypatch
):
    admin = users["zone_officer"]
    admin.is_superuser = True
    calendar_admin.set_override(
        actor=admin, date=dt.date(2027, 1, 1), is_working_day=False, name="元旦",
        reference="国办发明电〔2026〕",
    )  # fmt: skip
    calendar_admin.declare_year_covered(actor=admin, year=2027, reference="国办发明电〔2026〕")
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 12, 28))
    app = services.apply(
        actor=users["enterprise_user"], enterprise_id=firm.pk, bank_id=orgs["bank_a"].pk,
        amount_fen=100_000_00, on=dt.date(2026, 12, 21),
    )  # fmt: skip
    app = services.complete_due_diligence(
        actor=users["zone_officer"], application_id=app.pk, on=dt.date(2026, 12, 28)
    )
    state = selectors.clock_state(app, working_calendar(), dt.date(2026, 12, 28))
    assert state.deadline == dt.date(2027, 1, 7)  # 1-01 is a holiday


def test_steps_out_of_order_are_refused(users, orgs, firm):
    app = applied(users, orgs, firm)
    with pytest.raises(services.Refused, match="not possible while the file is submitted"):
        services.pause(actor=users["bank_officer"], application_id=app.pk, documents="x", on=DD)
    with pytest.raises(services.Refused, match="before the file's last step"):
        services.complete_due_diligence(
            actor=users["zone_officer"], application_id=app.pk, on=dt.date(2026, 7, 1)
        )
    with pytest.raises(services.Refused, match="role"):
        services.complete_due_diligence(actor=users["bank_officer"], application_id=app.pk, on=DD)


def test_documents_are_stored_with_their_digest_and_refused_when_empty(users, orgs, firm):
    app = applied(users, orgs, firm)
    doc = services.upload_document(
        actor=users["enterprise_user"], application_id=app.pk, title="审计报告",
        file_name="audit.pdf", content=b"%PDF-1.4", content_type="application/pdf",
    )  # fmt: skip
    assert doc.size == 8 and len(doc.sha256) == 64
    with pytest.raises(services.Refused, match="empty"):
        services.upload_document(
            actor=users["enterprise_user"], application_id=app.pk, title="x", file_name="x",
            content=b"",
        )  # fmt: skip


def test_a_second_application_may_only_use_what_is_left_of_the_limit(users, orgs, firm):
    applied(users, orgs, firm, amount_fen=150_000_000)
    with pytest.raises(services.Refused, match="what is left"):
        applied(users, orgs, firm, amount_fen=50_000_001, bank="bank_b")
    applied(users, orgs, firm, amount_fen=50_000_000, bank="bank_b")
