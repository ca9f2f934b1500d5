"""Who may propose, decide and withdraw (approvals/rules.py), on unsaved objects: no database."""

import pytest

from patientcap.accounts.models import Role, User
from patientcap.approvals.models import Proposal, Status
from patientcap.approvals.registry import Action, payload_rows
from patientcap.approvals.rules import refusal_to_decide, refusal_to_propose, refusal_to_withdraw

ZONE, BANK = 1, 2
ACTION = Action(
    name="unit.fund",
    label="Fund the pool",
    maker_roles=frozenset({Role.ZONE_OFFICER}),
    checker_roles=frozenset({Role.REVIEWER}),
    validate=lambda p, u: p,
    execute=lambda p, prop: None,
    target=lambda p: "pool",
    summarise=None,
    display=payload_rows,
)


def user(pk, role, org, **extra):
    return User(pk=pk, username=f"u{pk}", role=role, organisation_id=org, **extra)


def proposal(status=Status.PENDING, by=1, org=ZONE):
    return Proposal(pk=9, action=ACTION.name, status=status, proposed_by_id=by, organisation_id=org)


def test_a_maker_role_may_propose_and_a_checker_only_role_may_not():
    assert refusal_to_propose(user(1, Role.ZONE_OFFICER, ZONE), ACTION) is None
    assert "may not propose" in refusal_to_propose(user(2, Role.REVIEWER, ZONE), ACTION)


def test_an_auditor_may_neither_propose_nor_decide():
    auditor = user(3, Role.AUDITOR, ZONE)
    assert "read-only" in refusal_to_propose(auditor, ACTION)
    assert "read-only" in refusal_to_decide(auditor, proposal(), ACTION)


def test_a_different_checker_of_the_same_organisation_may_decide():
    assert refusal_to_decide(user(2, Role.REVIEWER, ZONE), proposal(by=1), ACTION) is None


def test_the_maker_may_not_approve_their_own_proposal_even_with_a_checker_role():
    assert "yourself" in refusal_to_decide(user(1, Role.REVIEWER, ZONE), proposal(by=1), ACTION)


def test_a_checker_of_another_organisation_is_refused():
    refusal = refusal_to_decide(user(2, Role.REVIEWER, BANK), proposal(org=ZONE), ACTION)
    assert "another organisation" in refusal


def test_a_user_without_a_checker_role_for_the_action_is_refused():
    refusal = refusal_to_decide(user(2, Role.ZONE_OFFICER, ZONE), proposal(by=1), ACTION)
    assert "may not approve" in refusal


@pytest.mark.parametrize(
    "status", [Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.FAILED]
)
def test_only_a_pending_proposal_can_be_decided_or_withdrawn(status):
    assert "no longer pending" in refusal_to_decide(
        user(2, Role.REVIEWER, ZONE), proposal(status=status), ACTION
    )
    assert "no longer pending" in refusal_to_withdraw(
        user(1, Role.ZONE_OFFICER, ZONE), proposal(status=status)
    )


def test_an_unregistered_action_cannot_be_decided():
    assert "not known" in refusal_to_decide(user(2, Role.REVIEWER, ZONE), proposal(), None)


def test_only_the_maker_may_withdraw():
    assert refusal_to_withdraw(user(1, Role.ZONE_OFFICER, ZONE), proposal(by=1)) is None
    assert "Only the person" in refusal_to_withdraw(user(2, Role.REVIEWER, ZONE), proposal(by=1))


def test_an_inactive_user_cannot_act():
    assert "inactive" in refusal_to_decide(
        user(2, Role.REVIEWER, ZONE, is_active=False), proposal(), ACTION
    )
