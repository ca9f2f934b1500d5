"""Valuation pages: the list of current valuations, an enterprise's valuation history with its
versions, one valuation with its football-field chart and state-asset panel, and the workbench
where the zone officer runs the methods (HTMX recalculates as inputs change) and saves.

Readers follow the enterprise's scope (zone staff, auditors, the firm itself, banks and
guarantors it granted access); only the zone officer opens the workbench.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patientcap.accounts import scoping
from patientcap.approvals import rules
from patientcap.approvals.registry import get_action
from patientcap.approvals.services import ProposalRefused, propose
from patientcap.core.clock import today
from patientcap.domain import valuation as v
from patientcap.domain.money import format_yuan, to_yuan
from patientcap.enterprises.models import Enterprise
from patientcap.valuations import selectors, services, workbench
from patientcap.valuations.models import MethodChoice, Purpose, StageChoice, Valuation

APPROVAL_ACTION = "valuations.written_approval"


def _may_value(user: Any) -> bool:
    return services.may_value(user)


def _may_propose(user: Any) -> bool:
    spec = get_action(APPROVAL_ACTION)
    return spec is not None and rules.refusal_to_propose(user, spec) is None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = selectors.readable_current(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(enterprise__name__icontains=q)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    stale = selectors.stale_assessments(request.user, today()).count()
    enterprises = (
        scoping.readable(request.user, Enterprise).order_by("name")[:500]
        if _may_value(request.user)
        else []
    )
    return render(
        request,
        "valuations/index.html",
        {"page": page, "q": q, "stale": stale, "enterprises": enterprises},
    )


@login_required
def enterprise(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    firm = scoping.get_readable(request.user, Enterprise, pk=enterprise_id)
    rows = list(selectors.history(request.user, firm.pk))
    return render(
        request,
        "valuations/enterprise.html",
        {"enterprise": firm, "rows": rows, "may_value": _may_value(request.user)},
    )


def _chart(valuation: Valuation, results: list) -> dict:
    return selectors.chart(
        results,
        low=valuation.low_fen,
        high=valuation.high_fen,
        point=valuation.pre_money_fen,
        price=valuation.proposed_price_fen,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    valuation = scoping.get_readable(request.user, Valuation, pk=pk)
    results = list(valuation.results.all())
    return render(
        request,
        "valuations/detail.html",
        {
            "valuation": valuation,
            "results": results,
            "chart": _chart(valuation, results),
            "versions": selectors.versions(request.user, valuation),
            "approval": valuation.written_approvals.first(),
            "may_value": _may_value(request.user) and selectors.is_current(request.user, valuation),
            "may_propose": _may_propose(request.user) and valuation.needs_written_approval,
        },
    )


def _options(post: Any) -> dict[str, Any]:
    """The reconciliation and price options of a posted workbench form."""
    weights = {
        m.value: post.get(f"weight.{m.value}", "").strip()
        for m in v.Method
        if post.get(f"weight.{m.value}", "").strip()
    }
    return {
        "rationale": post.get("rationale", ""),
        "weights": weights or None,
        "chosen": post.get("chosen", "").strip() or None,
        "proposed_price": post.get("proposed_price", "").strip() or None,
        "state_money": bool(post.get("state_money")),
        "assessed_value": post.get("assessed_value", "").strip() or None,
        "assessment_date": post.get("assessment_date", "").strip() or None,
        "relisted": bool(post.get("relisted")),
    }


def _as_of(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _sections(stage: str, given: dict, used: set[str], values: dict) -> list[dict]:
    """A section per method fitting the stage; the latest round is offered always and used
    when ticked (a firm without a round leaves it out)."""
    methods = v.methods_for_stage(v.Stage(stage), has_round=True)
    return [
        {
            "method": m.value,
            "label": MethodChoice(m.value).label,
            "used": m.value in used,
            "fields": workbench.fields(m, given.get(m.value, {})),
            "weight": values.get(f"weight.{m.value}", ""),
        }
        for m in methods
    ]


def _workbench_context(request: HttpRequest, firm: Enterprise) -> dict[str, Any]:
    """The form's state: from the POST, a version being revised, or fresh."""
    revise = None
    if request.method == "POST":
        source = request.POST
        stage = source.get("stage") or firm.growth_stage
        given = workbench.parse(source)
        used = set(given)
        values = {k: source.get(k, "") for k in source}
        revise_id = source.get("previous")
    else:
        revise_id = request.GET.get("revise")
        if revise_id:
            revise = scoping.get_readable(request.user, Valuation, pk=revise_id, enterprise=firm)
        stage = request.GET.get("stage") or (revise.stage if revise else firm.growth_stage)
        given = dict(revise.inputs) if revise else {}
        used = set(given)
        values = _revise_values(revise) if revise else {"valued_on": today().isoformat()}
    if stage not in StageChoice.values:
        stage = v.Stage.STARTUP.value
    round_inputs = services.round_from_equity(firm.pk, today())
    if round_inputs and v.Method.LATEST_ROUND.value not in given:
        given[v.Method.LATEST_ROUND.value] = round_inputs
    return {
        "enterprise": firm,
        "stage": stage,
        "stages": StageChoice.choices,
        "purposes": Purpose.choices,
        "sections": _sections(stage, given, used, values),
        "round_from_equity": bool(round_inputs),
        "values": values,
        "previous": revise_id or "",
    }


def _revise_values(row: Valuation) -> dict[str, str]:
    def y(fen: int | None) -> str:
        return "" if fen is None else str(to_yuan(fen))

    values = {
        "valued_on": today().isoformat(),
        "purpose": row.purpose,
        "rationale": row.rationale,
        "investment": y(row.investment_fen),
        "proposed_price": y(row.proposed_price_fen),
        "state_money": "on" if row.state_money else "",
        "assessed_value": y(row.assessed_value_fen),
        "assessment_date": row.assessment_date.isoformat() if row.assessment_date else "",
        "relisted": "on" if row.relisted else "",
    }
    values |= {f"weight.{m}": w for m, w in row.weights.items()}
    return values


@login_required
def workbench_page(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    if not _may_value(request.user):
        raise PermissionDenied
    firm = scoping.get_readable(request.user, Enterprise, pk=enterprise_id)
    context = _workbench_context(request, firm)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        as_of = _as_of(request.POST.get("valued_on", ""))
        previous = request.POST.get("previous", "")
        if as_of is None:
            errors = {"valued_on": [_("Give the valuation date as YYYY-MM-DD.")]}
        elif as_of > today():
            errors = {"valued_on": [_("A valuation cannot be dated in the future.")]}
        else:
            try:
                row = services.save_valuation(
                    actor=request.user,
                    enterprise_id=firm.pk,
                    valued_on=as_of,
                    stage=context["stage"],
                    purpose=request.POST.get("purpose", ""),
                    inputs=workbench.parse(request.POST),
                    investment=request.POST.get("investment", "").strip() or None,
                    previous_id=int(previous) if previous.isdigit() else None,
                    **_options(request.POST),
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(
                    request,
                    _("Valuation saved: version %(version)s, post-money %(value)s.")
                    % {"version": row.version, "value": format_yuan(row.point_fen)},
                )
                return redirect("valuations:detail", pk=row.pk)
    context["errors"] = errors
    status = 422 if errors else 200
    return render(request, "valuations/workbench.html", context, status=status)


@login_required
@require_POST
def compute(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The results of the posted inputs, nothing saved (the workbench's live panel)."""
    if not _may_value(request.user):
        raise PermissionDenied
    scoping.get_readable(request.user, Enterprise, pk=enterprise_id)
    as_of = _as_of(request.POST.get("valued_on", "")) or today()
    context: dict[str, Any] = {"errors": {}, "outcome": None}
    try:
        outcome = services.evaluate(
            stage=request.POST.get("stage", ""),
            as_of=as_of,
            inputs=workbench.parse(request.POST),
            **(_options(request.POST) | {"rationale": request.POST.get("rationale") or "-"}),
        )
    except ValidationError as exc:
        context["errors"] = exc.message_dict
    else:
        rec = outcome.reconciliation
        rows = [
            {
                "method": MethodChoice(m.value).label,
                "get_method_display": MethodChoice(m.value).label,
                "value_fen": c.result.value_fen,
                "low_fen": c.low_fen,
                "high_fen": c.high_fen,
                "steps": c.result.steps,
                "weight": outcome.weights.get(m),
            }
            for m, c in outcome.computation.computed.items()
        ]
        context |= {
            "outcome": outcome,
            "rows": rows,
            "not_computed": [
                (MethodChoice(m.value).label, why)
                for m, why in outcome.computation.not_computed.items()
            ],
            "chart": {
                "methods": [
                    {
                        "method": str(r["method"]),
                        "low": r["low_fen"],
                        "high": r["high_fen"],
                        "value": r["value_fen"],
                    }
                    for r in rows
                ],
                "low": rec.low_fen,
                "high": rec.high_fen,
                "point": rec.point_fen,
                "price": outcome.proposed_price_fen,
            },
        }
    return render(request, "valuations/_results.html", context)


@login_required
@require_POST
def propose_approval(request: HttpRequest, pk: int) -> HttpResponse:
    valuation = scoping.get_readable(request.user, Valuation, pk=pk)
    if not _may_propose(request.user):
        raise PermissionDenied
    try:
        proposal = propose(
            action=APPROVAL_ACTION,
            payload={
                "valuation_id": valuation.pk,
                "reference": request.POST.get("reference", ""),
                "approved_on": request.POST.get("approved_on", ""),
            },
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except ProposalRefused as exc:
        problems = [p for ps in exc.errors.values() for p in ps] or [exc.message]
        for problem in problems:
            messages.error(request, problem)
        return redirect("valuations:detail", pk=valuation.pk)
    messages.success(request, _("Proposed; a reviewer must approve it before it is recorded."))
    return redirect("approvals:detail", pk=proposal.pk)
