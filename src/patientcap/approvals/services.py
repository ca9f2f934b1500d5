"""Propose, approve, reject and withdraw. Every step is audited in its own transaction.

Approval runs the action's `execute` in the SAME transaction as the status change, so either
both happen or neither does. When `execute` (or the re-validation just before it) raises, that
transaction rolls back — nothing the action wrote remains — and the proposal is then marked
*failed*, with the error text, in a separate transaction, and `ActionFailed` is raised.

Why failed rather than left pending: the checker approved this payload at this moment and the
action refused it (an insufficient balance, an entry already reversed); that is a fact worth
keeping in the trail, and a retry should be a fresh proposal that a checker looks at again, not
a silent re-run of an old approval under new circumstances. A transient database error (a lock
timeout, a serialisation failure) is different: it is re-raised and the proposal stays pending,
so the checker can simply try again.
"""

import json
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patientcap.approvals import rules
from patientcap.approvals.models import Proposal, Status
from patientcap.approvals.registry import Action, get_action
from patientcap.audit.services import record
from patientcap.domain.messages import Invalid

logger = logging.getLogger(__name__)


class ProposalRefused(Exception):
    """A refused request: nothing was written. `status_code` is the HTTP status to answer."""

    status_code = 400

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotAllowed(ProposalRefused):
    status_code = 403


class Conflict(ProposalRefused):
    status_code = 409


class InvalidProposal(ProposalRefused):
    status_code = 422


class ActionFailed(ProposalRefused):
    """The approved action raised: its writes were rolled back and the proposal is `failed`."""

    status_code = 409

    def __init__(self, message: str, *, proposal: Proposal) -> None:
        super().__init__(message)
        self.proposal = proposal


def propose(*, action: str, payload: dict, reason: str, by: Any) -> Proposal:
    """Record a proposal after validating it up-front; a refused one writes nothing."""
    spec = _known(action)
    if refusal := rules.refusal_to_propose(by, spec):
        raise NotAllowed(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidProposal(
            _("Say why: a proposal needs a reason."),
            errors={"reason": [_("This field is required.")]},
        )
    clean = _validated(spec, payload, by)
    target = spec.target(clean)
    if duplicate := _pending_for(spec.name, target):
        raise _duplicate(duplicate)
    proposal = Proposal(
        action=spec.name,
        target=target,
        payload=clean,
        summary=spec.summary(clean)[:300],
        reason=reason,
        proposed_by=by,
        organisation_id=by.organisation_id,
    )
    try:
        with transaction.atomic():
            proposal.save()
            record(
                actor=by,
                action="proposal.propose",
                object_type="proposal",
                object_id=proposal.pk,
                after={"action": spec.name, "target": target, "payload": clean, "reason": reason},
            )
    except IntegrityError:
        # Two makers raced past the check above; the partial unique index let one through.
        if (duplicate := _pending_for(spec.name, target)) is None:
            raise
        raise _duplicate(duplicate) from None
    return proposal


def approve(*, proposal: Proposal, by: Any, comment: str = "") -> Proposal:
    """Approve and run the action, exactly once, in one transaction with the status change."""
    spec = get_action(proposal.action)
    comment = (comment or "").strip()
    try:
        with transaction.atomic():
            locked = _locked(proposal)
            _check_decider(by, locked, spec)
            assert spec is not None  # _check_decider refuses unknown actions
            # The action sees who approves it (its own records name the checker as actor).
            locked.decided_by, locked.decided_at = by, timezone.now()
            try:
                clean = spec.validate(dict(locked.payload), locked.proposed_by)
                result = _as_json(spec.execute(_as_json(clean), locked) or {})
            except OperationalError:
                raise  # transient: nothing changed, the proposal stays pending; try again
            except Exception as exc:
                raise _Failure(exc) from exc
            _decide(locked, Status.APPROVED, by=by, comment=comment, result=result)
    except _Failure as failure:
        error = _describe(failure.cause)
        logger.warning(
            "approved action of proposal %s failed: %s", proposal.pk, error, exc_info=failure.cause
        )
        with transaction.atomic():
            locked = _locked(proposal)
            if locked.status == Status.PENDING:
                _decide(locked, Status.FAILED, by=by, comment=comment, error=error)
        raise ActionFailed(
            _("The action failed and was rolled back: %(error)s") % {"error": error},
            proposal=locked,
        ) from failure.cause
    return locked


class _Failure(Exception):
    """Carries what `validate` or `execute` raised out of the rolled-back transaction."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def reject(*, proposal: Proposal, by: Any, comment: str) -> Proposal:
    """Reject with a comment saying why (the maker needs to know what to change)."""
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = _locked(proposal)
        _check_decider(by, locked, get_action(locked.action))
        if not comment:
            raise InvalidProposal(
                _("Say why the proposal is rejected: a comment is required."),
                errors={"comment": [_("This field is required.")]},
            )
        _decide(locked, Status.REJECTED, by=by, comment=comment)
    return locked


def withdraw(*, proposal: Proposal, by: Any) -> Proposal:
    """The maker takes back a proposal that is still pending."""
    with transaction.atomic():
        locked = _locked(proposal)
        if refusal := rules.refusal_to_withdraw(by, locked):
            raise NotAllowed(refusal) if locked.status == Status.PENDING else Conflict(refusal)
        _decide(locked, Status.WITHDRAWN, by=by)
    return locked


def _check_decider(by: Any, proposal: Proposal, spec: Action | None) -> None:
    if refusal := rules.refusal_to_decide(by, proposal, spec):
        # Deciding what is no longer pending is a conflict of state, not of permission.
        raise NotAllowed(refusal) if proposal.status == Status.PENDING else Conflict(refusal)


def _known(name: str) -> Action:
    spec = get_action(name)
    if spec is None:
        raise InvalidProposal(
            _("There is no action “%(name)s”.") % {"name": name},
            errors={"action": [_("Unknown action.")]},
        )
    return spec


def _validated(spec: Action, payload: Any, user: Any) -> dict:
    if not isinstance(payload, dict):
        raise InvalidProposal(_("The payload must be an object of named values."))
    try:
        clean = spec.validate(dict(payload), user)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"payload": exc.messages}
        raise InvalidProposal(" ".join(exc.messages), errors=errors) from None
    return _as_json(clean)


def _duplicate(pending: Proposal) -> Conflict:
    return Conflict(
        _("Proposal #%(id)d for the same thing is already waiting for a decision.")
        % {"id": pending.pk}
    )


def _pending_for(action: str, target: str) -> Proposal | None:
    return Proposal.objects.filter(action=action, target=target, status=Status.PENDING).first()


def _locked(proposal: Proposal) -> Proposal:
    # The row lock serialises two checkers deciding the same proposal on PostgreSQL; SQLite
    # transactions here are IMMEDIATE, which serialises them anyway.
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _decide(
    proposal: Proposal,
    status: str,
    *,
    by: Any,
    comment: str = "",
    result: dict | None = None,
    error: str = "",
) -> None:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_comment = comment
    proposal.result = result
    proposal.error = error
    proposal.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "result", "error"]
    )
    after: dict[str, Any] = {"status": status, "comment": comment}
    if result is not None:
        after["result"] = result
    if error:
        after["error"] = error
    record(
        actor=by,
        action=f"proposal.{_VERBS[status]}",
        object_type="proposal",
        object_id=proposal.pk,
        before={"status": Status.PENDING},
        after=after,
    )


_VERBS: dict[str, str] = {
    Status.APPROVED: "approve",
    Status.REJECTED: "reject",
    Status.WITHDRAWN: "withdraw",
    Status.FAILED: "fail",
}


def _describe(exc: Exception) -> str:
    """The error text kept on a failed proposal: the reason for a refusal, or, for anything
    unexpected, its type too (the traceback goes to the log)."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, ProposalRefused):
        return exc.message
    if isinstance(exc, Invalid):  # a refusal from the domain (ledger, money, ...)
        return exc.message.text
    return f"{type(exc).__name__}: {exc}"


def _as_json(value: Any) -> dict:
    """The value as the JSON column will give it back (dates and Decimals become strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
