"""Who may propose, decide or withdraw: each function returns the reason for a refusal, or None.

No database access: the caller passes the user, the proposal's facts and the action, so the
same rules serve the services (which enforce them) and the pages (which hide buttons).
"""

from typing import Any

from django.utils.translation import gettext as _

from patientcap.approvals.registry import Action

PENDING = "pending"


def _acting_refusal(user: Any) -> str | None:
    if not user.is_active:
        return _("Your account is inactive.")
    if user.is_read_only:
        return _("Auditors have read-only access; they cannot propose or decide.")
    if not user.organisation_id or not user.role:
        return _("Only a member of an organisation with a role can take part in approvals.")
    return None


def refusal_to_propose(user: Any, action: Action) -> str | None:
    if reason := _acting_refusal(user):
        return reason
    if user.role not in action.maker_roles:
        return _("Your role (%(role)s) may not propose “%(action)s”.") % {
            "role": user.get_role_display(),
            "action": action.label,
        }
    return None


def refusal_to_decide(user: Any, proposal: Any, action: Action | None) -> str | None:
    """Approve and reject share one rule: a checker of the proposal's organisation, holding a
    checker role for the action, who is not the maker (no self-approval, ever)."""
    if reason := _acting_refusal(user):
        return reason
    if user.organisation_id != proposal.organisation_id:
        return _("This proposal belongs to another organisation; only its own staff decide it.")
    if proposal.status != PENDING:
        return _("This proposal is no longer pending (it is %(status)s).") % {
            "status": proposal.get_status_display()
        }
    if user.pk == proposal.proposed_by_id:
        return _("You proposed this yourself; a different person must approve or reject it.")
    if action is None:
        return _("The action “%(name)s” is not known to this installation.") % {
            "name": proposal.action
        }
    if user.role not in action.checker_roles:
        return _("Your role (%(role)s) may not approve or reject “%(action)s”.") % {
            "role": user.get_role_display(),
            "action": action.label,
        }
    return None


def refusal_to_withdraw(user: Any, proposal: Any) -> str | None:
    if user.pk != proposal.proposed_by_id:
        return _("Only the person who proposed this can withdraw it.")
    if proposal.status != PENDING:
        return _("This proposal is no longer pending (it is %(status)s).") % {
            "status": proposal.get_status_display()
        }
    return None
