"""The maker-checker action of valuations: recording the approving body's written approval of a
state-money price below 90% of the assessed value (32号令).

The zone officer proposes it with the approval document's reference and date; a reviewer (never
the same person) approves, and only then is the approval recorded against the valuation.
Imported from ValuationsConfig.ready(), which registers it with the approvals registry.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap import approvals
from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.audit import services as audit
from patientcap.valuations.models import StateOutcomeChoice, Valuation, WrittenApproval

MAKERS = {Role.ZONE_OFFICER}
CHECKERS = {Role.REVIEWER}


def validate_written_approval(payload: dict, user: Any) -> dict:
    """{"valuation_id": 7, "reference": "渝国资〔2025〕3号", "approved_on": "2025-06-01"}."""
    errors: dict[str, str] = {}
    vid = payload.get("valuation_id")
    valuation = (
        scoping.readable(user, Valuation).filter(pk=vid).first()
        if isinstance(vid, int) and not isinstance(vid, bool)
        else None
    )
    if valuation is None:
        raise ValidationError({"valuation_id": _("There is no such valuation.")})
    if valuation.state_outcome != StateOutcomeChoice.NEEDS_APPROVAL:
        errors["valuation_id"] = _(
            "Only a state-money price below 90 percent of a current assessment needs a written "
            "approval."
        )
    elif WrittenApproval.objects.filter(valuation=valuation).exists():
        errors["valuation_id"] = _("This valuation's written approval is already recorded.")
    reference = str(payload.get("reference", "")).strip()
    if not reference:
        errors["reference"] = _("Name the approving body's document (文号).")
    try:
        approved_on = dt.date.fromisoformat(str(payload.get("approved_on", "")))
    except ValueError:
        errors["approved_on"] = _("Give the approval's date as YYYY-MM-DD.")
    else:
        if valuation.assessment_date and approved_on < valuation.assessment_date:
            errors["approved_on"] = _("The approval cannot predate the assessment.")
    if errors:
        raise ValidationError(errors)
    return {
        "valuation_id": valuation.pk,
        "reference": reference[:200],
        "approved_on": approved_on.isoformat(),
    }


@approvals.action(
    "valuations.written_approval",
    label=gettext_lazy("Record a written approval of a state-money price below 90%"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_written_approval,
    target=lambda p: f"valuation:{p['valuation_id']}",
    summarise=lambda p: (
        _("Written approval %(ref)s for valuation #%(id)s")
        % {"ref": p["reference"], "id": p["valuation_id"]}
    ),
)
def record_written_approval(payload: dict, proposal: Any) -> dict:
    approval = WrittenApproval.objects.create(
        valuation_id=payload["valuation_id"],
        reference=payload["reference"],
        approved_on=dt.date.fromisoformat(payload["approved_on"]),
        proposal_id=proposal.pk,
        recorded_by=proposal.decided_by,
    )
    audit.record(
        actor=proposal.decided_by,
        action="valuation.written_approval",
        object_type="valuation",
        object_id=payload["valuation_id"],
        after={**payload, "proposal_id": proposal.pk},
    )
    return {"written_approval_id": approval.pk}
