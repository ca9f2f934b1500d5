"""Reads of proposals, always through the user's scope."""

from typing import Any

from django.db.models import QuerySet

from patientcap.accounts import scoping
from patientcap.approvals import rules
from patientcap.approvals.models import Proposal, Status
from patientcap.approvals.registry import Action, actions, get_action, payload_rows

TABS = ("waiting", "mine", "all")


def waiting_for(user: Any) -> "QuerySet[Proposal]":
    """Pending proposals `user` may decide: their organisation's, of actions their role checks,
    not their own."""
    names = [a.name for a in actions() if user.role in a.checker_roles]
    return (
        scoping.writable(user, Proposal)
        .filter(status=Status.PENDING, action__in=names)
        .exclude(proposed_by_id=user.pk)
    )


def proposals(user: Any, *, tab: str = "all", status: str = "") -> "QuerySet[Proposal]":
    """One tab of the approvals list, optionally filtered by status."""
    if tab == "waiting":
        qs = waiting_for(user)
    elif tab == "mine":
        qs = scoping.readable(user, Proposal).filter(proposed_by_id=user.pk)
    else:
        qs = scoping.readable(user, Proposal)
    if status in Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("proposed_by", "decided_by", "organisation")


def detail(user: Any, pk: int) -> dict:
    """A proposal the user may see (404 otherwise), with what the user may do with it."""
    proposal = scoping.get_readable(user, Proposal, pk=pk)
    spec: Action | None = get_action(proposal.action)
    return {
        "proposal": proposal,
        "action": spec,
        "rows": (spec.display if spec else payload_rows)(proposal.payload),
        "decide_refusal": rules.refusal_to_decide(user, proposal, spec),
        "withdraw_refusal": rules.refusal_to_withdraw(user, proposal),
    }
