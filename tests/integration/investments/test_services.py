"""The invest-first use cases through the real services and maker-checker: each bad input of
issue 3 is refused with a clear message and writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.integration.investments.builders import (
    POOL_FEN,
    applied,
    approve,
    approved,
    disbursed,
    fund_pool,
    signed,
)

from patientcap.approvals import services as proposals
from patientcap.approvals.services import InvalidProposal
from patientcap.equity import services as equity
from patientcap.investments import selectors, services
from patientcap.investments.models import Evidence, Milestone, Project, Stage, Verdict
from patientcap.ledger.models import Entry
from patientcap.ledger.selectors import balance


def _entries() -> int:
    return Entry.objects.count()


def test_a_firm_applies_is_reviewed_and_the_committee_approves_through_maker_checker(users, firm):
    project = approved(users, firm)
    assert project.stage == Stage.APPROVED
    assert project.decision.made_by == users["zone_officer"]
    assert project.decision.checked_by == users["reviewer"]
    assert project.reviews.get().score == Decimal("82.50")


def test_the_agreement_records_the_loss_tolerance_in_force_and_its_policy_version(users, firm):
    project = signed(users, firm)
    agreement = project.agreement
    assert agreement.loss_tolerance == Decimal("1")
    assert "invest_first.loss_tolerance" in agreement.policy_version
    assert [t.amount_fen for t in agreement.tranches.all()] == [100_000_000, 100_000_000]


def test_tranches_above_the_agreement_are_refused_and_nothing_is_written(users, firm):
    project = approved(users, firm)
    with pytest.raises(services.InvestFirstError, match="more than the 200000000 fen"):
        services.sign_agreement(
            project_id=project.pk,
            signed_on=dt.date(2026, 1, 5),
            amount_fen=200_000_000,
            variant="B",
            agreed_valuation_fen=2_000_000_000,
            conversion_deadline=dt.date(2028, 1, 1),
            tranches=[(dt.date(2026, 1, 15), 150_000_000), (dt.date(2026, 7, 15), 100_000_000)],
            milestones=[],
            actor=users["zone_officer"],
        )
    project.refresh_from_db()
    assert project.stage == Stage.APPROVED
    assert not hasattr(project, "agreement") or not Project.objects.filter(agreement__isnull=False)


def test_a_disbursement_books_the_pool_and_moves_the_project_to_disbursing(users, firm):
    fund_pool(users)
    project = disbursed(users, firm, tranches=1)
    assert project.stage == Stage.DISBURSING
    assert balance("fiscal_pool.invest_first") == 100_000_000
    assert balance("fiscal_pool.cash") == POOL_FEN - 100_000_000
    assert selectors.public_investment_fen(firm.pk, dt.date(2026, 1, 15)) == 100_000_000
    assert selectors.public_investment_fen(firm.pk, dt.date(2026, 1, 14)) == 0


def test_a_disbursement_the_pool_cannot_cover_is_refused_when_proposed(users, firm):
    fund_pool(users, amount_fen=50_000_000)
    project = signed(users, firm)
    tranche = project.agreement.tranches.first()
    before = _entries()
    with pytest.raises(InvalidProposal, match="The pool has 50000000 fen available"):
        proposals.propose(
            action="investments.disburse",
            payload={"tranche_id": tranche.pk, "date": "2026-01-15"},
            reason="pay",
            by=users["zone_officer"],
        )
    assert _entries() == before
    tranche.refresh_from_db()
    assert tranche.disbursed_on is None


def test_a_tranche_is_paid_only_once(users, firm):
    fund_pool(users)
    project = disbursed(users, firm, tranches=1)
    tranche = project.agreement.tranches.first()
    with pytest.raises(InvalidProposal, match="already disbursed"):
        proposals.propose(
            action="investments.disburse",
            payload={"tranche_id": tranche.pk, "date": "2026-02-01"},
            reason="again",
            by=users["zone_officer"],
        )


def test_the_maker_cannot_approve_their_own_disbursement(users, firm):
    fund_pool(users)
    project = signed(users, firm)
    tranche = project.agreement.tranches.first()
    p = proposals.propose(
        action="investments.disburse",
        payload={"tranche_id": tranche.pk, "date": "2026-01-15"},
        reason="pay",
        by=users["zone_officer"],
    )
    with pytest.raises(proposals.NotAllowed):
        proposals.approve(proposal=p, by=users["zone_officer"])


def _evidence(users, milestone: Milestone, by: str = "enterprise_user") -> Evidence:
    return services.submit_evidence(
        milestone_id=milestone.pk,
        file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 test report"),
        note="检测报告",
        on=dt.date(2026, 6, 1),
        actor=users[by],
    )


def test_a_milestone_verdict_by_the_evidence_submitter_is_refused(users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    milestone = project.agreement.milestones.get()
    _evidence(users, milestone, by="zone_officer")
    with pytest.raises(services.InvestFirstError, match="You submitted this evidence"):
        services.give_verdict(
            milestone_id=milestone.pk,
            met=True,
            comment="ok",
            on=dt.date(2026, 6, 2),
            actor=users["zone_officer"],
        )
    milestone.refresh_from_db()
    assert milestone.status == "submitted"
    assert not Verdict.objects.exists()


def test_a_reviewer_gives_the_verdict_and_the_history_is_kept(users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    milestone = project.agreement.milestones.get()
    _evidence(users, milestone)
    services.give_verdict(
        milestone_id=milestone.pk,
        met=False,
        comment="不足",
        on=dt.date(2026, 6, 2),
        actor=users["reviewer"],
    )
    _evidence(users, milestone)
    services.give_verdict(
        milestone_id=milestone.pk,
        met=True,
        comment="达标",
        on=dt.date(2026, 6, 20),
        actor=users["reviewer"],
    )
    milestone.refresh_from_db()
    assert milestone.status == "met"
    assert [v.met for v in milestone.verdicts.all()] == [False, True]
    assert milestone.evidence.count() == 2


def test_conversion_before_the_milestones_are_met_is_refused(users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    before = _entries()
    with pytest.raises(InvalidProposal, match="Milestone 原型机 is not met"):
        proposals.propose(
            action="investments.convert",
            payload={"project_id": project.pk, "date": "2026-08-01"},
            reason="convert",
            by=users["zone_officer"],
        )
    assert _entries() == before
    project.refresh_from_db()
    assert project.stage == Stage.DISBURSING


def test_a_write_off_needs_a_diligence_review_and_grounds(users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    with pytest.raises(InvalidProposal, match="Record the diligence review first"):
        proposals.propose(
            action="investments.write_off",
            payload={"project_id": project.pk, "diligence_id": 0, "date": "2026-08-01"},
            reason="write off",
            by=users["zone_officer"],
        )
    review = services.record_diligence(
        project_id=project.pk, on=dt.date(2026, 8, 1), findings="尽职", actor=users["reviewer"]
    )
    with pytest.raises(InvalidProposal, match="No milestone has failed"):
        proposals.propose(
            action="investments.write_off",
            payload={"project_id": project.pk, "diligence_id": review.pk, "date": "2026-08-01"},
            reason="write off",
            by=users["zone_officer"],
        )


def _failed(users, project: Project) -> None:
    milestone = project.agreement.milestones.get()
    _evidence(users, milestone)
    services.give_verdict(
        milestone_id=milestone.pk,
        met=False,
        comment="未达标",
        on=dt.date(2026, 7, 1),
        actor=users["reviewer"],
    )


def test_a_write_off_within_the_tolerance_books_the_loss_and_the_recovery(users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    _failed(users, project)
    review = services.record_diligence(
        project_id=project.pk,
        on=dt.date(2026, 8, 1),
        findings="团队尽职，技术路线失败",
        recovered_fen=20_000_000,
        actor=users["reviewer"],
    )
    approve(
        "investments.write_off",
        {"project_id": project.pk, "diligence_id": review.pk, "date": "2026-08-01"},
        users,
    )
    project.refresh_from_db()
    assert project.stage == Stage.WRITTEN_OFF
    assert project.write_off.loss_fen == 180_000_000
    assert "invest_first.loss_tolerance" in project.write_off.policy_version
    assert balance("fiscal_pool.write_off_losses") == 180_000_000
    assert balance("fiscal_pool.invest_first") == 0
    assert selectors.public_investment_fen(firm.pk, dt.date(2026, 8, 1)) == 0
    assert selectors.public_investment_fen(firm.pk, dt.date(2026, 7, 31)) == 200_000_000


def test_a_write_off_above_the_tolerance_in_force_is_refused(users, firm, settings, tmp_path):
    policy = tmp_path / "policy"
    policy.mkdir()
    (policy / "invest_first.yaml").write_text(
        "description: test\nparameters:\n  invest_first.loss_tolerance:\n    unit: percent\n"
        "    description: test tolerance\n    values:\n      - from: 2020-01-01\n"
        "        value: 60\n        reference: test reference\n",
        encoding="utf-8",
    )
    settings.POLICY_DIR = policy
    fund_pool(users)
    project = disbursed(users, firm)
    _failed(users, project)
    review = services.record_diligence(
        project_id=project.pk,
        on=dt.date(2026, 8, 1),
        findings="尽职",
        recovered_fen=0,
        actor=users["reviewer"],
    )
    before = _entries()
    with pytest.raises(InvalidProposal, match=r"exceeds the loss tolerance of 0\.6"):
        proposals.propose(
            action="investments.write_off",
            payload={"project_id": project.pk, "diligence_id": review.pk, "date": "2026-08-01"},
            reason="write off",
            by=users["zone_officer"],
        )
    assert _entries() == before
    project.refresh_from_db()
    assert project.stage == Stage.DISBURSING


def test_a_buyback_exit_returns_the_formula_price_to_the_pool(users, firm):
    fund_pool(users)
    project = disbursed(users, firm)
    approve(
        "investments.exit",
        {"project_id": project.pk, "route": "buyback", "date": "2026-11-15", "buyer": "创始人"},
        users,
    )
    project.refresh_from_db()
    row = project.exit
    # 1M × 3.5% × 304/365 + 1M × 3.5% × 123/365 = 40,945.205… yuan, rounded once
    assert row.proceeds_fen == 200_000_000 + 4_094_521
    assert row.gain_fen == row.proceeds_fen - 200_000_000
    assert balance("fiscal_pool.realised_gains") == row.gain_fen
    assert balance("fiscal_pool.cash") == POOL_FEN - 200_000_000 + row.proceeds_fen
    assert project.stage == Stage.EXITED


def _converted(users, firm) -> Project:
    fund_pool(users)
    project = disbursed(users, firm)
    milestone = project.agreement.milestones.get()
    _evidence(users, milestone)
    services.give_verdict(
        milestone_id=milestone.pk, met=True, comment="达标", on=dt.date(2026, 7, 1),
        actor=users["reviewer"],
    )  # fmt: skip
    equity.open_cap_table(
        enterprise_id=firm.pk, founders=[("何知夏", 9_000_000)], on=dt.date(2021, 4, 1),
        actor=users["zone_officer"], source="test",
    )  # fmt: skip
    approve("investments.convert", {"project_id": project.pk, "date": "2026-08-01"}, users)
    project.refresh_from_db()
    return project


def test_a_conversion_books_the_reclassification_and_the_cap_table(users, firm):
    project = _converted(users, firm)
    assert project.stage == Stage.CONVERTED
    assert project.conversion.shares == 1_000_000  # ¥2M at an agreed ¥20M post-money
    assert project.conversion.stake == Decimal("0.1")
    assert balance("fiscal_pool.converted_equity") == 200_000_000
    assert balance("fiscal_pool.invest_first") == 0
    assert "invest_first.loss_tolerance" in project.conversion.policy_version
    assert selectors.public_investment_fen(firm.pk, dt.date(2026, 8, 1)) == 200_000_000


def test_an_exit_with_negative_proceeds_is_refused(users, firm):
    project = _converted(users, firm)
    before = _entries()
    with pytest.raises(InvalidProposal, match="Exit proceeds cannot be negative"):
        proposals.propose(
            action="investments.exit",
            payload={"project_id": project.pk, "route": "secondary_sale", "date": "2026-11-15",
                     "proceeds": "-100"},
            reason="sell", by=users["zone_officer"],
        )  # fmt: skip
    assert _entries() == before
    project.refresh_from_db()
    assert project.stage == Stage.CONVERTED


def test_an_application_with_no_amount_is_refused(users, firm):
    with pytest.raises(services.InvestFirstError, match="must be a positive amount"):
        services.apply(
            enterprise_id=firm.pk,
            title="x",
            plan="y",
            requested_fen=0,
            on=dt.date(2026, 1, 1),
            actor=users["enterprise_user"],
        )
    assert not Project.objects.exists()


def test_another_firm_cannot_apply_for_this_firm(users, firm):
    from django.http import Http404

    with pytest.raises(Http404):
        applied(users | {"enterprise_user": users["other_enterprise_user"]}, firm)


def test_the_diligence_package_lists_reviews_decision_and_agreement(users, firm):
    signed(users, firm)
    titles = [item["title"] for item in selectors.diligence_package(firm.pk)]
    assert any("review, score 82.50" in t for t in titles)
    assert any("committee decision (approved)" in t for t in titles)
    assert any("invest-first agreement" in t for t in titles)
