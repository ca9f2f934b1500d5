"""Tiered-loan actions that run only under maker-checker: the zone's approval of an application,
the compensation of a claim and the sharing of a recovery. A zone officer proposes; a reviewer
(or another zone officer) approves, and only then does the service run.

Imported from LendingConfig.ready(), which registers them with the approvals registry.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap import approvals
from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.domain.messages import Invalid
from patientcap.domain.money import AmountError, format_yuan, parse_amount
from patientcap.lending import services
from patientcap.lending.models import Application, ApplicationStatus, Claim, ClaimStatus
from patientcap.lending.rules import Versions, explain

MAKERS = {Role.ZONE_OFFICER}
CHECKERS = {Role.REVIEWER, Role.ZONE_OFFICER}  # never the maker: the approvals service refuses


def _date(payload: dict, errors: dict) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(payload.get("date", "")))
    except ValueError:
        errors["date"] = _("Give the date as YYYY-MM-DD.")
        return None


def _id(payload: dict, key: str) -> int | None:
    value = payload.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def validate_approval(payload: dict, user: Any) -> dict:
    """{"application_id": 7, "date": "2025-03-01"}: the application is ready and passes the
    day's checks (tier, ceiling, circuit breaker)."""
    errors: dict[str, str] = {}
    day = _date(payload, errors)
    found = (
        scoping.readable(user, Application).filter(pk=_id(payload, "application_id") or 0).first()
    )
    if found is None:
        errors["application_id"] = _("There is no such application.")
    elif found.status != ApplicationStatus.READY:
        errors["application_id"] = _(
            "Only an application with both due diligences favourable is approved."
        )
    elif day is not None:
        try:
            services.check_approval(found, day, Versions())
        except Invalid as exc:
            errors["application_id"] = explain(exc)
    if errors:
        raise ValidationError(errors)
    assert found is not None and day is not None
    return {"application_id": found.pk, "reference": found.reference, "date": day.isoformat()}


@approvals.action(
    "lending.approve_application",
    label=gettext_lazy("Approve a tiered-loan application"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_approval,
    target=lambda p: f"tiered-application:{p['application_id']}",
    summarise=lambda p: _("Approve tiered-loan application %(ref)s") % {"ref": p["reference"]},
)
def approve_application(payload: dict, proposal: Any) -> dict:
    application = services.approve_application(
        application_id=payload["application_id"],
        actor=proposal.decided_by,
        on=dt.date.fromisoformat(payload["date"]),
    )
    return {"application_id": application.pk, "status": application.status}


def _claim(payload: dict, user: Any, errors: dict, status: str, message: str) -> Claim | None:
    found = scoping.readable(user, Claim).filter(pk=_id(payload, "claim_id") or 0).first()
    if found is None:
        errors["claim_id"] = _("There is no such claim.")
    elif found.status != status:
        errors["claim_id"] = message
    return found


def validate_compensation(payload: dict, user: Any) -> dict:
    """{"claim_id": 3, "date": "2025-09-01"}: a filed claim to compensate on that date."""
    errors: dict[str, str] = {}
    day = _date(payload, errors)
    found = _claim(
        payload, user, errors, ClaimStatus.FILED, _("This claim is no longer waiting for review.")
    )
    if found is not None and day is not None and day < found.filed_on:
        errors["date"] = _("Compensation cannot come before the claim was filed.")
    if errors:
        raise ValidationError(errors)
    assert found is not None and day is not None
    return {
        "claim_id": found.pk,
        "reference": found.reference,
        "loss_fen": found.loss_fen,
        "date": day.isoformat(),
    }


@approvals.action(
    "lending.compensate_claim",
    label=gettext_lazy("Compensate a tiered-loan claim"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_compensation,
    target=lambda p: f"tiered-claim:{p['claim_id']}",
    summarise=lambda p: (
        _("Compensate claim %(ref)s (loss %(loss)s)")
        % {"ref": p["reference"], "loss": format_yuan(p["loss_fen"])}
    ),
)
def compensate_claim(payload: dict, proposal: Any) -> dict:
    claim = services.compensate(
        claim_id=payload["claim_id"],
        actor=proposal.decided_by,
        on=dt.date.fromisoformat(payload["date"]),
    )
    return {"claim_id": claim.pk, "entries": claim.entry_ids}


def validate_recovery(payload: dict, user: Any) -> dict:
    """{"claim_id": 3, "amount": "50万" | "amount_fen": 50000000, "date": "2025-06-30",
    "source": "..."}: a recovery no larger than what is still unrecovered."""
    errors: dict[str, str] = {}
    day = _date(payload, errors)
    found = _claim(
        payload,
        user,
        errors,
        ClaimStatus.COMPENSATED,
        _("Recoveries are shared only on a compensated claim."),
    )
    amount = _id(payload, "amount_fen")
    if amount is None:
        try:
            amount = parse_amount(str(payload.get("amount", "")))
        except AmountError:
            errors["amount"] = _("Give the amount in yuan, e.g. 500000.00 or 50万.")
    if amount is not None and amount <= 0:
        errors["amount"] = _("The amount must be above zero.")
    elif amount is not None and found is not None:
        left = sum(s.amount_fen - s.recovered_fen for s in found.shares.all())
        if amount > left:
            errors["amount"] = _("%(amount)s is more than the %(left)s still unrecovered.") % {
                "amount": format_yuan(amount),
                "left": format_yuan(left),
            }
    source = str(payload.get("source", "")).strip()[:200]
    if not source:
        errors["source"] = _("Say where the money came from (collateral sale, court, firm).")
    if errors:
        raise ValidationError(errors)
    assert found is not None and day is not None and amount is not None
    return {
        "claim_id": found.pk,
        "reference": found.reference,
        "amount_fen": amount,
        "date": day.isoformat(),
        "source": source,
    }


@approvals.action(
    "lending.record_recovery",
    label=gettext_lazy("Share a recovery on a tiered-loan claim"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_recovery,
    target=lambda p: f"tiered-recovery:{p['claim_id']}",
    summarise=lambda p: (
        _("Recovery of %(amount)s on claim %(ref)s")
        % {"amount": format_yuan(p["amount_fen"]), "ref": p["reference"]}
    ),
)
def record_recovery(payload: dict, proposal: Any) -> dict:
    recovery = services.record_recovery(
        claim_id=payload["claim_id"],
        actor=proposal.decided_by,
        on=dt.date.fromisoformat(payload["date"]),
        amount_fen=payload["amount_fen"],
        source=payload["source"],
    )
    return {"recovery_id": recovery.pk, "parts_fen": recovery.parts}
