"""The override of an evaluation that changes a credit line runs under maker-checker.

A zone officer proposes the new grade with the reason (the proposal's reason is the override's
reason); a reviewer approves it, and only then the evaluation's grade and credit line change.
Imported from EvaluationConfig.ready(), which registers it with the approvals registry.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap import approvals
from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.domain.money import format_yuan
from patientcap.evaluation.models import Evaluation

ACTION = "evaluation.override"
MAKERS = {Role.ZONE_OFFICER}
CHECKERS = {Role.REVIEWER, Role.ZONE_OFFICER}  # never the maker: the approvals service refuses


def validate_override(payload: dict, user: Any) -> dict:
    """{"evaluation_id": 7, "grade": "B"} -> the same with the credit lines it moves between."""
    from patientcap.evaluation.services import grade_line

    eid = payload.get("evaluation_id")
    ev = (
        scoping.readable(user, Evaluation).filter(pk=eid).first()
        if isinstance(eid, int) and not isinstance(eid, bool)
        else None
    )
    if ev is None:
        raise ValidationError({"evaluation_id": _("There is no such evaluation.")})
    grade = str(payload.get("grade", "")).strip()
    line = grade_line(ev, grade)
    return {
        "evaluation_id": ev.pk,
        "grade": grade,
        "credit_line_fen": line,
        "from_grade": ev.grade,
        "from_credit_line_fen": ev.credit_line_fen,
    }


@approvals.action(
    ACTION,
    label=gettext_lazy("Override an evaluation's grade and credit line"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_override,
    target=lambda p: f"evaluation:{p['evaluation_id']}",
    summarise=lambda p: (
        _("Evaluation #%(id)s: grade %(old)s → %(new)s, credit line %(old_line)s → %(new_line)s")
        % {
            "id": p["evaluation_id"],
            "old": p["from_grade"],
            "new": p["grade"],
            "old_line": format_yuan(p["from_credit_line_fen"]),
            "new_line": format_yuan(p["credit_line_fen"]),
        }
    ),
)
def apply_override(payload: dict, proposal: Any) -> dict:
    from patientcap.evaluation.services import record_override

    row = record_override(
        evaluation_id=payload["evaluation_id"],
        grade=payload["grade"],
        reason=proposal.reason,
        made_by=proposal.proposed_by,
        approved_by=proposal.decided_by,
        proposal=proposal,
    )
    return {"override_id": row.pk}
