"""The bank's decision and its disbursement, under maker-checker within the bank.

A bank officer proposes (approve with an amount within the limit, reject with reasons, or refer
back; or disburse an approved amount); another officer of the same bank approves the proposal
(the approvals app only lets the proposer's own organisation decide, and never the proposer).
Imported from MatchingConfig.ready().
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap import approvals
from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.core.clock import today
from patientcap.domain.money import AmountError, format_yuan, parse_amount
from patientcap.matching import services
from patientcap.matching.models import Application, RejectionReason

BANK = {Role.BANK_OFFICER}


def _file(payload: dict, user: Any) -> Application:
    pk = payload.get("application_id")
    app = (
        scoping.writable(user, Application).filter(pk=pk).first()
        if isinstance(pk, int) and not isinstance(pk, bool)
        else None
    )
    if app is None or user.role != Role.BANK_OFFICER:
        raise ValidationError({"application_id": _("There is no such file at your bank.")})
    return app


def _amount(payload: dict, required: bool) -> int | None:
    value = payload.get("amount_fen")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(payload.get("amount", "") or "").strip()
    if not text:
        if required:
            raise ValidationError(
                {"amount": _("Give the amount in yuan, e.g. 2000000.00 or 200万.")}
            )
        return None
    try:
        return parse_amount(text)
    except AmountError:
        raise ValidationError(
            {"amount": _("Give the amount in yuan, e.g. 2000000.00 or 200万.")}
        ) from None


def _day(payload: dict) -> dt.date:
    raw = payload.get("on") or today().isoformat()
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationError({"on": _("Give the date as YYYY-MM-DD.")}) from None


def _refused(exc: services.Refused) -> ValidationError:
    return ValidationError({exc.field or "application_id": exc.message})


def validate_decision(payload: dict, user: Any) -> dict:
    """{"application_id", "decision": approve|reject|refer, "amount" | "amount_fen",
    "reasons": [...], "note", "on"} -> the same with amount_fen (approvals only)."""
    app = _file(payload, user)
    decision = str(payload.get("decision", ""))
    amount = _amount(payload, required=decision == services.APPROVE)
    reasons = payload.get("reasons") or []
    if not isinstance(reasons, list):
        reasons = [reasons]
    reasons = [str(r) for r in reasons]
    note = str(payload.get("note", "") or "").strip()
    on = _day(payload)
    try:
        services.check_decision(
            app, decision=decision, amount_fen=amount, reasons=reasons, note=note, on=on
        )
    except services.Refused as exc:
        raise _refused(exc) from None
    return {
        "application_id": app.pk,
        "decision": decision,
        "amount_fen": amount if decision == services.APPROVE else None,
        "reasons": reasons if decision == services.REJECT else [],
        "note": note,
        "on": on.isoformat(),
    }


def _decision_summary(p: dict) -> str:
    if p["decision"] == services.APPROVE:
        return _("Approve matched credit of %(amount)s on file #%(id)s") % {
            "amount": format_yuan(p["amount_fen"]),
            "id": p["application_id"],
        }
    if p["decision"] == services.REJECT:
        labels = ", ".join(str(RejectionReason(r).label) for r in p["reasons"])
        return _("Reject matched-credit file #%(id)s (%(reasons)s)") % {
            "id": p["application_id"],
            "reasons": labels,
        }
    return _("Refer matched-credit file #%(id)s back") % {"id": p["application_id"]}


@approvals.action(
    "matching.decide",
    label=gettext_lazy("Decide a matched-credit application"),
    maker_roles=BANK,
    checker_roles=BANK,
    validate=validate_decision,
    target=lambda p: f"matched_credit:{p['application_id']}:decision",
    summarise=_decision_summary,
)
def decide(payload: dict, proposal: Any) -> dict:
    services.record_decision(
        application_id=payload["application_id"],
        decision=payload["decision"],
        amount_fen=payload["amount_fen"],
        reasons=payload["reasons"],
        note=payload["note"],
        on=dt.date.fromisoformat(payload["on"]),
        maker=proposal.proposed_by,
        checker=proposal.decided_by,
    )
    return {"application_id": payload["application_id"], "decision": payload["decision"]}


def validate_disbursement(payload: dict, user: Any) -> dict:
    """{"application_id", "amount" | "amount_fen", "on", "loan_reference"}."""
    app = _file(payload, user)
    amount = _amount(payload, required=True)
    assert amount is not None
    on = _day(payload)
    try:
        services.check_disbursement(app, amount_fen=amount, on=on)
    except services.Refused as exc:
        raise _refused(exc) from None
    return {
        "application_id": app.pk,
        "amount_fen": amount,
        "on": on.isoformat(),
        "loan_reference": str(payload.get("loan_reference", "") or "").strip()[:100],
    }


@approvals.action(
    "matching.disburse",
    label=gettext_lazy("Disburse matched credit"),
    maker_roles=BANK,
    checker_roles=BANK,
    validate=validate_disbursement,
    target=lambda p: f"matched_credit:{p['application_id']}:disbursement",
    summarise=lambda p: (
        _("Disburse %(amount)s of matched credit on file #%(id)s")
        % {"amount": format_yuan(p["amount_fen"]), "id": p["application_id"]}
    ),
)
def disburse(payload: dict, proposal: Any) -> dict:
    services.record_disbursement(
        application_id=payload["application_id"],
        amount_fen=payload["amount_fen"],
        on=dt.date.fromisoformat(payload["on"]),
        loan_reference=payload["loan_reference"],
        maker=proposal.proposed_by,
        checker=proposal.decided_by,
    )
    return {"application_id": payload["application_id"], "amount_fen": payload["amount_fen"]}
