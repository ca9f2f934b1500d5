"""Maker-checker services: propose, approve, reject, withdraw, with the test-only actions."""

from dataclasses import replace

import pytest
from django.db import IntegrityError, OperationalError, transaction
from tests.integration.approvals import actions
from tests.support import make_user

from patientcap.accounts import scoping
from patientcap.accounts.models import Organisation, Role
from patientcap.approvals import registry, selectors, services
from patientcap.approvals.models import Proposal, Status
from patientcap.audit.models import AuditEntry

CREATE = "tests.create_organisation"
RENAME = "tests.rename_organisation"


def propose_create(users, name="Incubator Nine", **payload):
    return services.propose(
        action=CREATE,
        payload={"name": name, **payload},
        reason="The zone needs a ninth incubator.",
        by=users["zone_officer"],
    )


def audit_actions(proposal):
    return list(
        AuditEntry.objects.filter(object_type="proposal", object_id=str(proposal.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_an_approved_proposal_runs_its_action_exactly_once_and_stores_the_result(users):
    proposal = propose_create(users)
    assert proposal.status == Status.PENDING
    assert not Organisation.objects.filter(name="Incubator Nine").exists()  # not before approval

    done = services.approve(proposal=proposal, by=users["reviewer"], comment="Checked.")

    org = Organisation.objects.get(name="Incubator Nine")
    assert actions.EXECUTED.count(proposal.pk) == 1
    assert done.status == Status.APPROVED
    assert done.result == {"organisation_id": org.pk}
    assert done.decided_by == users["reviewer"] and done.decision_comment == "Checked."
    assert audit_actions(proposal) == ["proposal.propose", "proposal.approve"]
    # The action's own record names the checker as actor.
    created = AuditEntry.objects.get(action="organisation.create", object_id=str(org.pk))
    assert created.actor == users["reviewer"]

    with pytest.raises(services.Conflict, match="no longer pending"):
        services.approve(proposal=proposal, by=users["reviewer"])
    assert actions.EXECUTED.count(proposal.pk) == 1


def test_the_proposal_payload_is_validated_up_front_and_bad_input_writes_nothing(users):
    before = Proposal.objects.count(), AuditEntry.objects.count()
    with pytest.raises(services.InvalidProposal, match="A name is required") as refused:
        propose_create(users, name="  ")
    assert refused.value.errors == {"name": ["A name is required."]}
    with pytest.raises(services.InvalidProposal, match="needs a reason"):
        services.propose(action=CREATE, payload={"name": "X"}, reason=" ", by=users["zone_officer"])
    with pytest.raises(services.InvalidProposal, match="no action"):
        services.propose(action="tests.nothing", payload={}, reason="r", by=users["zone_officer"])
    with pytest.raises(services.InvalidProposal, match="object of named values"):
        services.propose(action=CREATE, payload=["X"], reason="r", by=users["zone_officer"])
    assert (Proposal.objects.count(), AuditEntry.objects.count()) == before


def test_the_maker_cannot_approve_their_own_proposal_even_holding_a_checker_role(orgs, users):
    # Bank officers both propose and check renames: the maker is still not their own checker.
    maker = users["bank_officer"]
    proposal = services.propose(
        action=RENAME,
        reason="New brand.",
        by=maker,
        payload={"organisation_id": orgs["bank_a"].pk, "name": "Bank A+"},
    )
    with pytest.raises(services.NotAllowed, match="yourself"):
        services.approve(proposal=proposal, by=maker)
    with pytest.raises(services.NotAllowed, match="yourself"):
        services.reject(proposal=proposal, by=maker, comment="Changed my mind.")
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING
    assert Organisation.objects.get(pk=orgs["bank_a"].pk).name == "Bank A"


def test_a_checker_must_hold_a_checker_role_for_the_action(orgs, users):
    second_officer = make_user("zone_officer_2", Role.ZONE_OFFICER, orgs["zone"])
    proposal = propose_create(users)
    with pytest.raises(services.NotAllowed, match="may not approve or reject"):
        services.approve(proposal=proposal, by=second_officer)
    with pytest.raises(services.NotAllowed, match="may not approve or reject"):
        services.reject(proposal=proposal, by=second_officer, comment="No.")
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING


def test_a_checker_only_role_cannot_initiate_the_action(users):
    with pytest.raises(services.NotAllowed, match="may not propose"):
        services.propose(action=CREATE, payload={"name": "X"}, reason="r", by=users["reviewer"])
    assert not Proposal.objects.exists()


def test_a_checker_of_another_organisation_is_refused_with_a_clear_message(orgs, users):
    bank_checker = make_user("bank_a_checker", Role.BANK_OFFICER, orgs["bank_a"])
    proposal = services.propose(
        action=RENAME,
        reason="New brand.",
        by=users["bank_officer"],
        payload={"organisation_id": orgs["bank_a"].pk, "name": "Bank A+"},
    )
    entries = AuditEntry.objects.count()
    with pytest.raises(services.NotAllowed, match="another organisation"):
        services.approve(proposal=proposal, by=users["other_bank_officer"])
    with pytest.raises(services.NotAllowed, match="another organisation"):
        services.approve(proposal=proposal, by=users["reviewer"])  # zone staff do not decide it
    assert AuditEntry.objects.count() == entries
    assert Organisation.objects.get(pk=orgs["bank_a"].pk).name == "Bank A"

    services.approve(proposal=proposal, by=bank_checker)  # a colleague in the same bank may
    assert Organisation.objects.get(pk=orgs["bank_a"].pk).name == "Bank A+"


def test_acting_on_another_organisations_rows_is_refused_before_anything_is_written(orgs, users):
    with pytest.raises(services.InvalidProposal, match="only rename your own organisation"):
        services.propose(
            action=RENAME,
            reason="Hostile.",
            by=users["bank_officer"],
            payload={"organisation_id": orgs["bank_b"].pk, "name": "Mine now"},
        )
    assert not Proposal.objects.exists()
    assert Organisation.objects.get(pk=orgs["bank_b"].pk).name == "Bank B"


def test_an_auditor_can_read_proposals_but_cannot_propose_or_decide(orgs, users):
    auditor = users["auditor"]
    proposal = propose_create(users)
    assert scoping.get_readable(auditor, Proposal, pk=proposal.pk) == proposal
    assert not scoping.writable(auditor, Proposal).exists()
    assert not selectors.waiting_for(auditor).exists()
    with pytest.raises(services.NotAllowed, match="read-only"):
        services.approve(proposal=proposal, by=auditor)
    with pytest.raises(services.NotAllowed, match="read-only"):
        services.reject(proposal=proposal, by=auditor, comment="no")
    with pytest.raises(services.NotAllowed, match="read-only"):
        services.propose(action=CREATE, payload={"name": "Y"}, reason="r", by=auditor)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING


def test_proposals_are_visible_only_to_their_organisation_and_auditors(orgs, users):
    proposal = propose_create(users)
    for key in ("zone_officer", "reviewer", "auditor"):
        assert scoping.readable(users[key], Proposal).filter(pk=proposal.pk).exists(), key
    for key in ("bank_officer", "guarantor_officer", "service_agent", "enterprise_user"):
        assert not scoping.readable(users[key], Proposal).exists(), key


def test_rejecting_needs_a_comment_and_then_records_it(users):
    proposal = propose_create(users)
    with pytest.raises(services.InvalidProposal, match="comment is required"):
        services.reject(proposal=proposal, by=users["reviewer"], comment="  ")
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING

    services.reject(proposal=proposal, by=users["reviewer"], comment="Budget is used up.")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_comment) == (Status.REJECTED, "Budget is used up.")
    assert proposal.pk not in actions.EXECUTED
    assert not Organisation.objects.filter(name="Incubator Nine").exists()
    assert audit_actions(proposal) == ["proposal.propose", "proposal.reject"]


def test_only_the_maker_can_withdraw_and_only_while_pending(users):
    proposal = propose_create(users)
    with pytest.raises(services.NotAllowed, match="Only the person"):
        services.withdraw(proposal=proposal, by=users["reviewer"])
    services.withdraw(proposal=proposal, by=users["zone_officer"])
    assert Proposal.objects.get(pk=proposal.pk).status == Status.WITHDRAWN
    with pytest.raises(services.Conflict, match="no longer pending"):
        services.withdraw(proposal=proposal, by=users["zone_officer"])
    with pytest.raises(services.Conflict, match="no longer pending"):
        services.approve(proposal=proposal, by=users["reviewer"])
    assert audit_actions(proposal) == ["proposal.propose", "proposal.withdraw"]


def test_a_second_pending_proposal_for_the_same_target_is_refused(users):
    first = propose_create(users)
    with pytest.raises(services.Conflict, match=f"#{first.pk}"):
        propose_create(users)
    assert Proposal.objects.count() == 1
    services.withdraw(proposal=first, by=users["zone_officer"])
    assert propose_create(users).status == Status.PENDING  # a decided one no longer blocks


def test_the_database_keeps_one_pending_proposal_per_target_even_past_the_service(users):
    propose_create(users)
    twin = Proposal(
        action=CREATE,
        target="organisation:Incubator Nine",
        payload={},
        summary="s",
        reason="r",
        proposed_by=users["zone_officer"],
        organisation=users["zone_officer"].organisation,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_two_makers_racing_past_the_duplicate_check_get_a_clear_refusal(users, monkeypatch):
    first = propose_create(users)
    real_check = services._pending_for
    calls = []

    def blind_first_check(action, target):
        # The second maker's check ran before the first maker committed: it saw nothing.
        calls.append(target)
        return None if len(calls) == 1 else real_check(action, target)

    monkeypatch.setattr(services, "_pending_for", blind_first_check)
    with pytest.raises(services.Conflict, match=f"#{first.pk}.*already waiting"):
        propose_create(users)
    assert list(Proposal.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_failing_action_leaves_nothing_half_written_and_marks_the_proposal_failed(users):
    proposal = propose_create(users, name="Doomed Incubator", fail=True)
    with pytest.raises(services.ActionFailed, match="failed after writing") as failed:
        services.approve(proposal=proposal, by=users["reviewer"], comment="Go.")
    assert failed.value.status_code == 409
    assert not Organisation.objects.filter(name="Doomed Incubator").exists()
    assert not AuditEntry.objects.filter(action="organisation.create").exists()
    proposal.refresh_from_db()
    assert proposal.status == Status.FAILED
    assert proposal.error == "RuntimeError: the test action failed after writing"
    assert proposal.decided_by == users["reviewer"] and proposal.result is None
    assert audit_actions(proposal) == ["proposal.propose", "proposal.fail"]


def test_a_refusal_from_the_domain_is_kept_as_its_plain_message(users):
    proposal = propose_create(users, name="Eleventh", refuse=True)
    with pytest.raises(services.ActionFailed, match="room for 10 organisations"):
        services.approve(proposal=proposal, by=users["reviewer"])
    proposal.refresh_from_db()
    assert proposal.error == "The zone has room for 10 organisations only."
    assert not Organisation.objects.filter(name="Eleventh").exists()


def test_an_approval_of_a_payload_that_became_invalid_fails_with_the_validation_message(users):
    proposal = propose_create(users, name="Twin Incubator")
    Organisation.objects.create(name="Twin Incubator", type="service")  # the world moved on
    with pytest.raises(services.ActionFailed, match="already exists"):
        services.approve(proposal=proposal, by=users["reviewer"])
    assert proposal.pk not in actions.EXECUTED
    assert Proposal.objects.get(pk=proposal.pk).status == Status.FAILED


def test_a_transient_database_error_leaves_the_proposal_pending_for_another_try(users, monkeypatch):
    proposal = propose_create(users)
    spec = registry.get_action(CREATE)

    def database_is_locked(payload, proposal):
        raise OperationalError("database is locked")

    monkeypatch.setitem(registry._ACTIONS, CREATE, replace(spec, execute=database_is_locked))
    with pytest.raises(OperationalError):
        services.approve(proposal=proposal, by=users["reviewer"])
    assert Proposal.objects.get(pk=proposal.pk).status == Status.PENDING

    monkeypatch.undo()
    services.approve(proposal=proposal, by=users["reviewer"])
    assert Proposal.objects.get(pk=proposal.pk).status == Status.APPROVED


def test_the_waiting_list_holds_what_i_may_decide_and_not_my_own(orgs, users):
    mine = propose_create(users)
    assert list(selectors.waiting_for(users["reviewer"])) == [mine]
    assert not selectors.waiting_for(users["zone_officer"]).exists()  # own, and not a checker
    assert list(selectors.proposals(users["zone_officer"], tab="mine")) == [mine]
    assert not selectors.proposals(users["reviewer"], tab="mine").exists()
    assert not selectors.proposals(users["reviewer"], tab="all", status="approved").exists()


@pytest.mark.django_db(transaction=True)
def test_the_failed_status_is_committed_separately_from_the_rolled_back_action(orgs, users):
    # Real commits here (no test-wide transaction): the rollback and the failed mark are
    # separate transactions on the database, not savepoints of one.
    proposal = propose_create(users, name="Committed Doom", fail=True)
    with pytest.raises(services.ActionFailed):
        services.approve(proposal=proposal, by=users["reviewer"])
    assert not Organisation.objects.filter(name="Committed Doom").exists()
    assert Proposal.objects.get(pk=proposal.pk).status == Status.FAILED
