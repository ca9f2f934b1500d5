"""Bad input on tiered loans: a clear message and nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from tests.integration.lending import helpers as h

from patientcap.accounts import scoping
from patientcap.audit.models import AuditEntry
from patientcap.lending import rules, services
from patientcap.lending.models import Application, Claim, Loan, Repayment
from patientcap.lending.rules import PolicyRefusal

pytestmark = pytest.mark.django_db


def _nothing_written(before: int) -> None:
    assert AuditEntry.objects.count() == before


def test_a_loan_above_its_tiers_ceiling_is_refused(users, orgs):
    firm = h.firm(users, orgs, kinds=("tech_sme",))
    before = AuditEntry.objects.count()
    with pytest.raises(services.LendingRefusal, match=r"above the ceiling of the tech_sme tier"):
        h.application(users, orgs, firm, amount_fen=3_000_000_01)
    assert not Application.objects.exists()
    _nothing_written(before)


def test_a_firm_without_a_qualifying_certification_or_evaluation_is_refused(users, orgs):
    firm = h.firm(users, orgs, kinds=("innovative_sme",))
    before = AuditEntry.objects.count()
    with pytest.raises(services.LendingRefusal, match="is not eligible for a tiered loan"):
        h.application(users, orgs, firm)
    assert not Application.objects.exists()
    _nothing_written(before)


def test_a_claim_before_the_trigger_is_refused(users, orgs):
    loan = h.loan(users, orgs, h.firm(users, orgs))
    before = AuditEntry.objects.count()
    with pytest.raises(services.LendingRefusal, match=r"a claim can be filed from 90 days"):
        h.claim(users, loan, on=dt.date(2024, 12, 1))  # 42 days past due
    assert not Claim.objects.exists()
    _nothing_written(before)


def test_a_second_claim_for_the_same_default_is_refused(users, orgs):
    loan = h.loan(users, orgs, h.firm(users, orgs))
    h.claim(users, loan)
    before = AuditEntry.objects.count()
    with pytest.raises(services.LendingRefusal, match="one claim per default"):
        h.claim(users, loan, on=dt.date(2025, 4, 1))
    assert Claim.objects.count() == 1
    _nothing_written(before)


def test_shares_that_do_not_add_to_100_percent_are_refused():
    with pytest.raises(PolicyRefusal, match=r"add up to 90%, not 100%"):
        rules.make_rule(
            shares={"pool": Decimal("0.4"), "guarantor": Decimal("0.3"), "bank": Decimal("0.2")},
            basis="principal",
            interest_days=0,
            pool_per_loan_cap_fen=None,
            pool_annual_cap_fen=None,
            portfolio_cap_rate=None,
        )


def test_a_repayment_on_a_closed_loan_is_refused(users, orgs):
    loan = h.loan(users, orgs, h.firm(users, orgs), amount_fen=1_200_000_00)
    day = dt.date(2024, 10, 1)
    owed = sum(i.principal_fen for i in loan.instalments.all())
    services.repay(
        actor=users["bank_officer"], loan_id=loan.pk, amount_fen=owed, on=day, reference="R"
    )
    loan.refresh_from_db()
    assert loan.status == "closed"
    count, before = Repayment.objects.count(), AuditEntry.objects.count()
    with pytest.raises(services.LendingRefusal, match=r"is Closed: a repayment is recorded only"):
        services.repay(
            actor=users["bank_officer"], loan_id=loan.pk, amount_fen=100, on=day, reference="R2"
        )
    assert Repayment.objects.count() == count
    _nothing_written(before)


def test_a_bank_officer_cannot_open_or_act_on_another_banks_file(users, orgs):
    loan = h.loan(users, orgs, h.firm(users, orgs))
    other = users["other_bank_officer"]
    with pytest.raises(Http404):
        scoping.get_readable(other, Loan, pk=loan.pk)
    with pytest.raises(Http404):
        scoping.get_readable(other, Application, pk=loan.application_id)
    before = AuditEntry.objects.count()
    with pytest.raises(services.LendingRefusal, match="Only the loan's bank"):
        services.repay(
            actor=other, loan_id=loan.pk, amount_fen=100, on=dt.date(2024, 11, 1), reference="X"
        )
    _nothing_written(before)


def test_a_guarantor_sees_only_the_loans_it_guarantees(users, orgs):
    loan = h.loan(users, orgs, h.firm(users, orgs))
    assert scoping.readable(users["guarantor_officer"], Loan).filter(pk=loan.pk).exists()
    assert not scoping.readable(users["other_guarantor_officer"], Loan).exists()
    assert scoping.readable(users["enterprise_user"], Loan).filter(pk=loan.pk).exists()
    assert not scoping.readable(users["other_enterprise_user"], Loan).exists()
    assert not scoping.readable(users["enterprise_user"], Claim).exists()


def test_the_circuit_breaker_stops_new_inclusions_for_a_bank_above_the_npl_threshold(users, orgs):
    loan = h.loan(users, orgs, h.firm(users, orgs))
    h.claim(users, loan)  # the bank's only loan is now non-performing
    app = h.application(users, orgs, h.firm(users, orgs, seed=2), on=dt.date(2025, 3, 2))
    for role in ("bank_officer", "guarantor_officer"):
        services.record_diligence(
            actor=users[role],
            application_id=app.pk,
            favourable=True,
            opinion="ok",
            on=dt.date(2025, 3, 3),
        )
    app.refresh_from_db()
    with pytest.raises(services.LendingRefusal, match="circuit-breaker threshold"):
        services.check_approval(app, dt.date(2025, 3, 4), rules.Versions())
