"""A tiered loan end to end: application, both due diligences, the zone's approval under
maker-checker, contract, disbursements, repayments, default, claim, compensation and recovery."""

import datetime as dt
from decimal import Decimal

import pytest
from tests.integration.lending import helpers as h

from patientcap.ledger.selectors import balance
from patientcap.lending import services
from patientcap.lending.models import (
    ApplicationStatus,
    ClaimStatus,
    Loan,
    LoanStatus,
)
from patientcap.lending.selectors import loan_state

pytestmark = pytest.mark.django_db


def test_an_application_takes_the_firms_tier_and_records_the_policy_versions(users, orgs):
    firm = h.firm(users, orgs, kinds=("tech_sme",))
    app = h.application(users, orgs, firm)
    assert app.tier == "tech_sme"
    assert app.status == ApplicationStatus.DILIGENCE
    assert "tiered_loan.tier.tech_sme.max_amount" in app.policy_versions
    high = h.firm(users, orgs, seed=2, kinds=("high_tech_enterprise", "little_giant"))
    assert h.application(users, orgs, high, amount_fen=15_000_000_00, tenor=36).tier == "leader"


def test_due_diligence_runs_on_both_sides_in_either_order_and_then_waits_for_the_zone(users, orgs):
    app = h.application(users, orgs, h.firm(users, orgs))
    services.record_diligence(
        actor=users["guarantor_officer"],
        application_id=app.pk,
        favourable=True,
        opinion="反担保充足",
        on=h.APPLIED,
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DILIGENCE
    services.record_diligence(
        actor=users["bank_officer"],
        application_id=app.pk,
        favourable=True,
        opinion="经营稳定",
        on=h.APPLIED,
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.READY


def test_an_unfavourable_opinion_declines_the_application(users, orgs):
    app = h.application(users, orgs, h.firm(users, orgs))
    services.record_diligence(
        actor=users["bank_officer"],
        application_id=app.pk,
        favourable=False,
        opinion="现金流不足",
        on=h.APPLIED,
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DECLINED


def test_a_loan_is_serviced_and_closes_when_repaid(users, orgs):
    loan = h.loan(users, orgs, h.firm(users, orgs), amount_fen=1_200_000_00)
    assert loan.status == LoanStatus.ACTIVE
    assert loan.instalments.count() == 12
    state = loan_state(loan, dt.date(2024, 12, 1))
    assert state.dpd == 42 and state.category == "special_mention" and "par30" in state.flags
    owed = sum(i.principal_fen + i.interest_fen for i in loan.instalments.all())
    # A penalty has accrued on the late instalments; pay everything at once a little late.
    late = services.repay(
        actor=users["bank_officer"],
        loan_id=loan.pk,
        amount_fen=owed // 2,
        on=dt.date(2024, 12, 1),
        reference="R1",
    )
    assert late.penalty_fen > 0
    assert late.penalty_fen + late.interest_fen + late.principal_fen == owed // 2
    loan.refresh_from_db()
    day = dt.date(2024, 12, 1)
    rest = sum(i.principal_fen - i.principal_paid_fen for i in loan.instalments.all()) + sum(
        i.interest_fen - i.interest_paid_fen for i in loan.instalments.filter(due__lte=day)
    )
    services.repay(
        actor=users["bank_officer"],
        loan_id=loan.pk,
        amount_fen=rest,
        on=dt.date(2024, 12, 1),
        reference="R2",
    )
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.outstanding_fen == 0


def test_several_disbursements_each_get_a_schedule(users, orgs):
    firm = h.firm(users, orgs)
    app = h.application(users, orgs, firm, amount_fen=3_000_000_00)
    h.approve(users, app)
    loan = services.sign_contract(
        actor=users["bank_officer"],
        application_id=app.pk,
        contract_number="HT-M",
        signed_on=h.SIGNED,
        guarantee_fee_percent=Decimal("1.0"),
    )
    for n, day in enumerate((h.SIGNED, dt.date(2024, 11, 5)), start=1):
        services.disburse(
            actor=users["bank_officer"],
            loan_id=loan.pk,
            amount_fen=1_500_000_00,
            on=day,
            first_due=day + dt.timedelta(days=30),
        )
        assert loan.disbursements.count() == n
    assert loan.instalments.count() == 24
    loan.refresh_from_db()
    assert loan.disbursed_fen == 3_000_000_00


def test_a_default_is_claimed_compensated_by_pool_and_guarantor_and_recoveries_shared(users, orgs):
    h.fund_pool(users)
    loan = h.loan(users, orgs, h.firm(users, orgs), amount_fen=2_000_000_00)
    claim = h.claim(users, loan)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.DEFAULTED
    assert claim.loss_fen == 2_000_000_00  # principal basis: the whole unpaid principal
    assert "tiered_loan.claim.trigger_days" in claim.rule_versions
    cash_before = balance("risk_compensation_pool.cash", dt.date(2025, 12, 31))
    claim = h.compensate(users, claim)
    assert claim.status == ClaimStatus.COMPENSATED
    parts = {s.party: s.amount_fen for s in claim.shares.all()}
    # Pool 40% would be 800,000; its portfolio cap (5% of the 2,000,000 covered) leaves 100,000
    # and the bank, the residual party, takes the rest.
    assert parts == {"pool": 100_000_00, "guarantor": 800_000_00, "bank": 1_100_000_00}
    assert sum(parts.values()) == claim.loss_fen
    assert "tiered_loan.risk_share.pool_part_of_guarantor" in claim.rule_versions
    assert balance("risk_compensation_pool.cash", dt.date(2025, 12, 31)) == cash_before - 100_000_00
    assert (
        balance("risk_compensation_pool.guarantor_compensation", dt.date(2025, 12, 31))
        == 800_000_00
    )

    from patientcap.approvals import services as approvals

    proposal = approvals.propose(
        action="lending.record_recovery",
        payload={"claim_id": claim.pk, "amount": "50万", "date": "2025-06-30", "source": "拍卖"},
        reason="法院执行款到账",
        by=users["zone_officer"],
    )
    approvals.approve(proposal=proposal, by=users["reviewer"])
    recovery = claim.recoveries.get()
    assert recovery.parts == {"pool": 25_000_00, "guarantor": 200_000_00, "bank": 275_000_00}
    assert balance("risk_compensation_pool.recoveries", dt.date(2025, 12, 31)) == 25_000_00
    services.write_off(
        actor=users["bank_officer"], loan_id=loan.pk, on=dt.date(2025, 7, 1), note="核销"
    )
    assert Loan.objects.get(pk=loan.pk).status == LoanStatus.WRITTEN_OFF


def test_restructuring_reschedules_what_is_unpaid(users, orgs):
    loan = h.loan(users, orgs, h.firm(users, orgs), amount_fen=1_200_000_00)
    services.restructure(
        actor=users["bank_officer"],
        loan_id=loan.pk,
        on=dt.date(2024, 12, 1),
        tenor_months=24,
        method="equal_instalments",
        note="展期",
    )
    loan.refresh_from_db()
    active = loan.instalments.filter(superseded=False)
    assert sum(i.principal_fen for i in active) == 1_200_000_00
    assert "restructured" in loan.flags
    assert loan_state(loan, dt.date(2024, 12, 2)).dpd == 0
