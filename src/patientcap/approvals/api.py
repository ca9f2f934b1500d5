"""Approvals API: list, read, propose, approve, reject, withdraw.

Refusals answer with `{"detail": message, "errors": {field: [messages]}}`: 403 for a user who
may not take the step, 409 for a proposal that is no longer pending, a duplicate pending one or
an action that failed on approval (the proposal is then `failed`), 422 for bad input. A proposal
outside the user's scope is a 404, the same as one that does not exist.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.approvals import selectors, services
from patientcap.approvals.models import Proposal
from patientcap.approvals.registry import get_action

router = Router(tags=["approvals"])


class ProposalOut(Schema):
    id: int
    action: str
    action_label: str
    target: str
    summary: str
    reason: str
    payload: dict[str, Any]
    status: str
    organisation_id: int
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_comment: str
    result: dict[str, Any] | None
    error: str

    @staticmethod
    def resolve_action_label(obj: Proposal) -> str:
        spec = get_action(obj.action)
        return str(spec.label) if spec else obj.action

    @staticmethod
    def resolve_proposed_by(obj: Proposal) -> str:
        return obj.proposed_by.username

    @staticmethod
    def resolve_decided_by(obj: Proposal) -> str | None:
        return obj.decided_by.username if obj.decided_by else None


class ProposeIn(Schema):
    action: str
    payload: dict[str, Any]
    reason: str


class CommentIn(Schema):
    comment: str = ""


class ListFilter(Schema):
    tab: str = "all"
    status: str = ""


class RefusalOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


REFUSALS = {403: RefusalOut, 409: RefusalOut, 422: RefusalOut}


@router.get("/", response=list[ProposalOut], summary="Proposals I may see")
@paginate
def list_proposals(request: HttpRequest, filters: Query[ListFilter]) -> Any:
    """`tab`: waiting (those I may decide), mine, or all; `status`: pending, approved, …"""
    return selectors.proposals(api_user(request), tab=filters.tab, status=filters.status)


@router.post("/", response={201: ProposalOut, **REFUSALS}, summary="Propose an action")
def propose(request: HttpRequest, data: ProposeIn) -> Any:
    try:
        proposal = services.propose(
            action=data.action, payload=data.payload, reason=data.reason, by=api_user(request)
        )
    except services.ProposalRefused as exc:
        return _refusal(exc)
    return Status(201, proposal)


@router.get("/{proposal_id}", response=ProposalOut, summary="One proposal")
def get_proposal(request: HttpRequest, proposal_id: int) -> Any:
    return _visible(request, proposal_id)


@router.post(
    "/{proposal_id}/approve",
    response={200: ProposalOut, **REFUSALS},
    summary="Approve and carry out",
)
def approve(request: HttpRequest, proposal_id: int, data: CommentIn) -> Any:
    return _step(
        request,
        proposal_id,
        lambda p, by: services.approve(proposal=p, by=by, comment=data.comment),
    )


@router.post(
    "/{proposal_id}/reject",
    response={200: ProposalOut, **REFUSALS},
    summary="Reject (a comment is required)",
)
def reject(request: HttpRequest, proposal_id: int, data: CommentIn) -> Any:
    return _step(
        request, proposal_id, lambda p, by: services.reject(proposal=p, by=by, comment=data.comment)
    )


@router.post(
    "/{proposal_id}/withdraw",
    response={200: ProposalOut, **REFUSALS},
    summary="Withdraw my pending proposal",
)
def withdraw(request: HttpRequest, proposal_id: int) -> Any:
    return _step(request, proposal_id, lambda p, by: services.withdraw(proposal=p, by=by))


def _visible(request: HttpRequest, proposal_id: int) -> Proposal:
    return scoping.get_readable(api_user(request), Proposal, pk=proposal_id)


def _step(request: HttpRequest, proposal_id: int, step: Any) -> Any:
    proposal = _visible(request, proposal_id)
    try:
        return Status(200, step(proposal, api_user(request)))
    except services.ProposalRefused as exc:
        return _refusal(exc)


def _refusal(exc: services.ProposalRefused) -> Status:
    return Status(exc.status_code, {"detail": exc.message, "errors": exc.errors})
