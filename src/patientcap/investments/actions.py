"""Invest-first actions that run only under maker-checker: the committee decision, a tranche's
disbursement, the conversion to equity, the write-off (容亏) and the exit.

A zone officer proposes; a reviewer or another zone officer approves (the approvals service
refuses the maker as checker). `validate` runs the service's own checks with the maker's scope,
so a proposal the rules would refuse is never queued; `execute` runs the service as the checker.
Imported from InvestmentsConfig.ready(), which registers them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap import approvals
from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.domain.messages import Invalid
from patientcap.domain.money import AmountError, format_yuan, parse_amount
from patientcap.investments import services
from patientcap.investments.models import ExitRoute, Project, Tranche

MAKERS = {Role.ZONE_OFFICER}
CHECKERS = {Role.REVIEWER, Role.ZONE_OFFICER}


def explain(exc: Invalid) -> str:
    """A domain refusal in the active language."""
    return _(exc.message.template) % exc.message.params


def _refused(exc: Invalid, field: str = "payload") -> ValidationError:
    return ValidationError({field: explain(exc)})


def _int(payload: dict, key: str) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except ValueError:
            raise ValidationError({key: _("Give a whole number.")}) from None
    return value


def _date(payload: dict, key: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(str(payload.get(key, "")))
    except ValueError:
        raise ValidationError({key: _("Give the date as YYYY-MM-DD.")}) from None


def _fen(payload: dict, key: str, *, required: bool = True) -> int | None:
    """An amount as int fen (`<key>`) or as yuan text (`<key without _fen>`, e.g. "200万")."""
    value = payload.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(payload.get(key.removesuffix("_fen"), "") or "").strip()
    if not text:
        if required:
            raise ValidationError({key: _("Give the amount in yuan, e.g. 2000000.00 or 200万.")})
        return None
    try:
        return parse_amount(text)
    except AmountError:
        raise ValidationError(
            {key: _("Give the amount in yuan, e.g. 2000000.00 or 200万.")}
        ) from None


def _project(user: Any, payload: dict) -> Project:
    project_id = _int(payload, "project_id")
    try:
        return scoping.get_writable(user, Project, pk=project_id)
    except (Http404, PermissionDenied):
        raise ValidationError({"project_id": _("There is no such project.")}) from None


def _title(payload: dict) -> str:
    return (
        Project.objects.filter(pk=payload["project_id"]).values_list("title", flat=True).first()
        or ""
    )


# --- Committee decision ------------------------------------------------------------------------
def validate_decision(payload: dict, user: Any) -> dict:
    """{"project_id", "approved": bool, "amount_fen" | "amount", "date", "comment"}"""
    project = _project(user, payload)
    approved = payload.get("approved") in (True, "true", "1", 1, "on")
    amount = _fen(payload, "amount_fen") if approved else None
    try:
        services.check_decision(project=project, approved=approved, amount_fen=amount)
    except Invalid as exc:
        raise _refused(exc) from None
    return {
        "project_id": project.pk,
        "approved": approved,
        "amount_fen": amount or 0,
        "date": _date(payload).isoformat(),
        "comment": str(payload.get("comment", "")).strip()[:1000],
    }


@approvals.action(
    "investments.decide",
    label=gettext_lazy("Invest-first committee decision"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_decision,
    target=lambda p: f"project:{p['project_id']}:decision",
    summarise=lambda p: (
        _("Approve %(amount)s of invest-first money for %(project)s")
        % {"amount": format_yuan(p["amount_fen"]), "project": _title(p)}
        if p["approved"]
        else _("Reject the invest-first application %(project)s") % {"project": _title(p)}
    ),
)
def decide(payload: dict, proposal: Any) -> dict:
    decision = services.record_decision(
        project_id=payload["project_id"],
        approved=payload["approved"],
        amount_fen=payload["amount_fen"] or None,
        on=dt.date.fromisoformat(payload["date"]),
        comment=payload["comment"],
        made_by=proposal.proposed_by,
        actor=proposal.decided_by,
        proposal_id=proposal.pk,
    )
    return {"decision_id": decision.pk}


# --- Disbursement ------------------------------------------------------------------------------
def validate_disbursement(payload: dict, user: Any) -> dict:
    """{"tranche_id", "date"}"""
    tranche_id = _int(payload, "tranche_id")
    tranche = (
        scoping.writable(user, Tranche)
        .select_related("agreement__project")
        .filter(pk=tranche_id)
        .first()
    )
    if tranche is None:
        raise ValidationError({"tranche_id": _("There is no such tranche.")})
    on = _date(payload)
    try:
        services.check_disbursement(tranche=tranche, on=on)
    except Invalid as exc:
        raise _refused(exc, "tranche_id") from None
    return {
        "tranche_id": tranche.pk,
        "project_id": tranche.agreement.project_id,
        "amount_fen": tranche.amount_fen,
        "date": on.isoformat(),
    }


@approvals.action(
    "investments.disburse",
    label=gettext_lazy("Disburse an invest-first tranche"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_disbursement,
    target=lambda p: f"tranche:{p['tranche_id']}",
    summarise=lambda p: (
        _("Pay %(amount)s to %(project)s from the fiscal pool")
        % {"amount": format_yuan(p["amount_fen"]), "project": _title(p)}
    ),
)
def disburse(payload: dict, proposal: Any) -> dict:
    tranche = services.disburse(
        tranche_id=payload["tranche_id"],
        on=dt.date.fromisoformat(payload["date"]),
        actor=proposal.decided_by,
        proposal_id=proposal.pk,
    )
    return {"tranche_id": tranche.pk, "entry_id": tranche.entry_id}


# --- Conversion --------------------------------------------------------------------------------
def validate_conversion(payload: dict, user: Any) -> dict:
    """{"project_id", "date", "trigger_occurred": bool, "round_id": int | null}"""
    project = _project(user, payload)
    on = _date(payload)
    trigger = payload.get("trigger_occurred") in (True, "true", "1", 1, "on")
    round_id = payload.get("round_id")
    round_id = _int(payload, "round_id") if round_id not in (None, "") else None
    try:
        services.check_conversion(project=project, on=on, trigger_occurred=trigger)
    except (Invalid, ObjectDoesNotExist) as exc:
        if isinstance(exc, Invalid):
            raise _refused(exc) from None
        raise ValidationError({"project_id": _("The project has no agreement.")}) from None
    return {
        "project_id": project.pk,
        "date": on.isoformat(),
        "trigger_occurred": trigger,
        "round_id": round_id,
        "exit_plan": _exit_plan(payload),
    }


EXIT_ROUTES = ("buyback", "secondary", "trade_sale", "ipo")


def _exit_plan(payload: dict) -> dict | None:
    """The converted stake's exit plan, when the maker gives one: {"exit_route",
    "exit_horizon_years", "target_multiple"} (the agreement's default otherwise)."""
    route = str(payload.get("exit_route") or "").strip()
    if not route:
        return None
    if route not in EXIT_ROUTES:
        raise ValidationError({"exit_route": _("Choose the intended exit route.")})
    horizon = _int(payload, "exit_horizon_years")
    if not 1 <= horizon <= 30:
        raise ValidationError(
            {"exit_horizon_years": _("The exit horizon is a whole number of years, 1 to 30.")}
        )
    try:
        multiple = Decimal(str(payload.get("target_multiple", "")))
    except ArithmeticError:
        multiple = Decimal(0)
    if not multiple.is_finite() or multiple <= 0:
        raise ValidationError({"target_multiple": _("The target multiple must be positive.")})
    return {"exit_route": route, "exit_horizon_years": horizon, "target_multiple": str(multiple)}


@approvals.action(
    "investments.convert",
    label=gettext_lazy("Convert invest-first money to equity"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_conversion,
    target=lambda p: f"project:{p['project_id']}:convert",
    summarise=lambda p: (
        _("Convert the invest-first money of %(project)s to equity") % {"project": _title(p)}
    ),
)
def convert(payload: dict, proposal: Any) -> dict:
    plan = payload.get("exit_plan")
    conversion = services.convert(
        project_id=payload["project_id"],
        on=dt.date.fromisoformat(payload["date"]),
        trigger_occurred=payload["trigger_occurred"],
        round_id=payload["round_id"],
        exit_plan=plan and dict(plan, target_multiple=Decimal(plan["target_multiple"])),
        actor=proposal.decided_by,
        proposal_id=proposal.pk,
    )
    return {"conversion_id": conversion.pk, "shares": conversion.shares}


# --- Write-off ---------------------------------------------------------------------------------
def validate_write_off(payload: dict, user: Any) -> dict:
    """{"project_id", "diligence_id", "date"}"""
    project = _project(user, payload)
    on = _date(payload)
    diligence_id = _int(payload, "diligence_id")
    try:
        result, _review, paid, _tolerance, _version = services.check_write_off(
            project=project, diligence_id=diligence_id, on=on
        )
    except Invalid as exc:
        raise _refused(exc) from None
    return {
        "project_id": project.pk,
        "diligence_id": diligence_id,
        "date": on.isoformat(),
        "disbursed_fen": paid,
        "loss_fen": result.loss_fen,
    }


@approvals.action(
    "investments.write_off",
    label=gettext_lazy("Write off an invest-first project"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_write_off,
    target=lambda p: f"project:{p['project_id']}:write_off",
    summarise=lambda p: (
        _("Write off %(loss)s of %(project)s")
        % {"loss": format_yuan(p["loss_fen"]), "project": _title(p)}
    ),
)
def write_off(payload: dict, proposal: Any) -> dict:
    row = services.write_off(
        project_id=payload["project_id"],
        diligence_id=payload["diligence_id"],
        on=dt.date.fromisoformat(payload["date"]),
        actor=proposal.decided_by,
        proposal_id=proposal.pk,
    )
    return {"write_off_id": row.pk, "loss_fen": row.loss_fen}


# --- Exit --------------------------------------------------------------------------------------
def validate_exit(payload: dict, user: Any) -> dict:
    """{"project_id", "route", "date", "proceeds_fen" | "proceeds" (sale, IPO),
    "exit_value_fen" | "exit_value" (M&A: the whole company's price), "buyer"}"""
    project = _project(user, payload)
    on = _date(payload)
    route = str(payload.get("route", ""))
    proceeds = exit_value = None
    if route in (ExitRoute.SECONDARY, ExitRoute.IPO):
        proceeds = _proceeds(payload, "proceeds_fen")
    elif route == ExitRoute.MERGER:
        exit_value = _proceeds(payload, "exit_value_fen")
    try:
        result, _terms = services.check_exit(
            project=project, route=route, on=on, proceeds_fen=proceeds, exit_value_fen=exit_value
        )
    except Invalid as exc:
        raise _refused(exc) from None
    return {
        "project_id": project.pk,
        "route": route,
        "date": on.isoformat(),
        "proceeds_fen": result.proceeds_fen,
        "exit_value_fen": exit_value,
        "buyer": str(payload.get("buyer", "")).strip()[:200],
    }


def _proceeds(payload: dict, key: str) -> int:
    """Amounts may be negative here so that the domain names the refusal ("cannot be
    negative") rather than the parser."""
    value = payload.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(payload.get(key.removesuffix("_fen"), "") or "").strip()
    negative = text.startswith("-")
    amount = _fen({key.removesuffix("_fen"): text.removeprefix("-")}, key)
    assert amount is not None
    return -amount if negative else amount


@approvals.action(
    "investments.exit",
    label=gettext_lazy("Exit an invest-first stake"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_exit,
    target=lambda p: f"project:{p['project_id']}:exit",
    summarise=lambda p: (
        _("Exit %(project)s (%(route)s) for %(proceeds)s")
        % {
            "project": _title(p),
            "route": ExitRoute(p["route"]).label,
            "proceeds": format_yuan(p["proceeds_fen"]),
        }
    ),
)
def exit_stake(payload: dict, proposal: Any) -> dict:
    row = services.exit_project(
        project_id=payload["project_id"],
        route=payload["route"],
        on=dt.date.fromisoformat(payload["date"]),
        proceeds_fen=payload["proceeds_fen"],
        exit_value_fen=payload["exit_value_fen"],
        buyer=payload["buyer"],
        actor=proposal.decided_by,
        proposal_id=proposal.pk,
    )
    return {"exit_id": row.pk, "proceeds_fen": row.proceeds_fen, "gain_fen": row.gain_fen}
