"""Evaluation pages: a firm's evaluation (radar, indicator table, grade and credit line,
reasons, counterfactuals, live what-if), overrides and objections, the rule-set browser, batch
scoring of the registry with its workbook, and score stability (PSI). Views read through
`selectors`, write through `services`, and show a service's refusal as a message."""

import io
import time
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.approvals.models import Proposal
from patientcap.core.clock import today
from patientcap.core.models import Job
from patientcap.domain import scoring
from patientcap.domain.money import format_yuan
from patientcap.enterprises.models import Enterprise
from patientcap.evaluation import (
    codec,
    exporting,
    presenting,
    rulesets,
    selectors,
    services,
    tasks,
    whatif,
)
from patientcap.evaluation.models import BatchRun, Evaluation, Objection, ObjectionStatus

RECENT = 20
DEFAULT_RULESET = "tech-credit-card"  # the zone's own card comes first where one is chosen


def _grades(ruleset: Any) -> list[tuple[str, str]]:
    return [(g.grade, format_yuan(g.credit_line_fen)) for g in ruleset.grades]


def _page_context(request: HttpRequest, ev: Evaluation) -> dict[str, Any]:
    ruleset = services.ruleset_of(ev)
    domain_ev = codec.from_json(ev)
    values = presenting.stored_inputs(ev)
    picks = presenting.stored_picks(ev)
    user: Any = request.user
    own_firm = (
        user.role == Role.ENTERPRISE_USER
        and ev.enterprise.organisation_id is not None
        and ev.enterprise.organisation_id == user.organisation_id
    )
    _again, reproduced = selectors.reproduce(ev)
    return {
        "ev": ev,
        "enterprise": ev.enterprise,
        "ruleset": ruleset,
        "ruleset_name": presenting.name(ruleset),
        "rows": presenting.rows(ruleset, domain_ev.indicators, ev.sources),
        "radar": presenting.radar(ruleset, domain_ev.dimensions),
        "dimensions": [
            (presenting.name(d), v, d.maximum)
            for d, (_k, v) in zip(ruleset.dimensions, domain_ev.dimensions, strict=True)
        ],
        "reasons": presenting.reason_texts(ev.reasons),
        "moves": presenting.moves(ruleset, scoring.counterfactuals(ruleset, values, picks)),
        "credit_line": format_yuan(ev.credit_line_fen),
        "computed_line": format_yuan(ev.computed_credit_line_fen),
        "fields": presenting.whatif_fields(ruleset, values),
        "grades": _grades(ruleset),
        "overrides": ev.overrides.select_related("made_by", "approved_by"),
        "objections": ev.objections.all(),
        "reproduced": reproduced,
        "ranges": [
            (r, band)
            for r, s in zip(
                presenting.rows(ruleset, domain_ev.indicators, ev.sources),
                domain_ev.indicators,
                strict=True,
            )
            for band in ruleset.indicator(s.key).bands
            if band.label == s.band and band.is_range
        ],
        "history": selectors.evaluations(user)
        .filter(enterprise_id=ev.enterprise_id, ruleset_id=ev.ruleset_id)
        .order_by("-evaluated_on", "-pk")[:RECENT],
        "may_override": user.is_superuser or user.role == Role.ZONE_OFFICER,
        "may_object": own_firm,
        "may_score": services.may_evaluate(user),
        "today": today(),
    }


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The latest evaluations the user may read, newest first."""
    latest = selectors.evaluations(request.user).order_by("-evaluated_at", "-pk")[:100]
    return render(
        request,
        "evaluation/index.html",
        {
            "evaluations": latest,
            "may_score": services.may_evaluate(request.user),
            "ids": rulesets.ids(),
        },
    )


@login_required
@require_GET
def enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    """A firm's latest evaluation on the chosen rule set (or a prompt to score it)."""
    firm = scoping.get_readable(request.user, Enterprise, pk=pk)
    latest = selectors.latest_per_ruleset(request.user, firm.pk)
    evaluated = [e.ruleset_id for e in latest]
    wanted = request.GET.get("ruleset") or (
        DEFAULT_RULESET if DEFAULT_RULESET in evaluated else (evaluated[0] if evaluated else "")
    )
    ev = next((e for e in latest if e.ruleset_id == wanted), None)
    context: dict[str, Any] = _page_context(request, ev) if ev is not None else {}
    context.update(
        enterprise=firm,
        latest=latest,
        ids=rulesets.ids(),
        wanted=wanted,
        may_score=services.may_evaluate(request.user),
    )
    return render(request, "evaluation/evaluation.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ev = scoping.get_readable(request.user, Evaluation, pk=pk)
    context = _page_context(request, ev)
    context.update(
        latest=selectors.latest_per_ruleset(request.user, ev.enterprise_id),
        ids=rulesets.ids(),
        wanted=ev.ruleset_id,
    )
    return render(request, "evaluation/evaluation.html", context)


@login_required
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    firm = scoping.get_readable(request.user, Enterprise, pk=pk)
    if not services.may_evaluate(request.user):
        raise PermissionDenied
    picked = {
        k.removeprefix("points_"): str(v)
        for k, v in request.POST.items()
        if k.startswith("points_")
    }
    try:
        picks = services.expert_picks(
            actor=request.user, points=picked, reason=request.POST.get("pick_reason", "")
        )
        ev = services.evaluate_enterprise(
            actor=request.user,
            enterprise_id=firm.pk,
            ruleset_id=request.POST.get("ruleset", ""),
            as_of=today(),
            picks=picks,
        )
    except services.Refused as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:enterprise", pk=firm.pk)
    messages.success(
        request, _("The enterprise was scored: grade %(grade)s.") % {"grade": ev.grade}
    )
    return redirect("evaluation:detail", pk=ev.pk)


@login_required
@require_GET
def what_if(request: HttpRequest, pk: int) -> HttpResponse:
    """The what-if panel's answer (htmx): the score with the typed inputs; writes nothing."""
    started = time.perf_counter()
    ev = scoping.get_readable(request.user, Evaluation, pk=pk)
    ruleset = services.ruleset_of(ev)
    result = whatif.rescore(
        ruleset,
        presenting.stored_inputs(ev),
        {k: str(v) for k, v in request.GET.items()},
        presenting.stored_picks(ev),
    )
    out = result.evaluation
    context = {
        "ev": ev,
        "result": out,
        "line": format_yuan(out.credit_line_fen),
        "reasons": presenting.reason_texts(out.reasons),
        "moves": presenting.moves(ruleset, result.counterfactuals),
        "radar": presenting.radar(ruleset, out.dimensions),
        "errors": [
            (presenting.field_label(f), _(message)) for f, message in sorted(result.errors.items())
        ],
        "changed": out.total != ev.total,
    }
    response = render(request, "evaluation/_whatif.html", context)
    response["Server-Timing"] = f"rescore;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    ev = scoping.get_readable(request.user, Evaluation, pk=pk)
    try:
        done = services.override_evaluation(
            actor=request.user,
            evaluation_id=ev.pk,
            grade=request.POST.get("grade", ""),
            reason=request.POST.get("reason", ""),
        )
    except services.Refused as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:detail", pk=ev.pk)
    if isinstance(done, Proposal):
        messages.success(
            request,
            _("The override changes the credit line: it waits for a reviewer's approval."),
        )
    else:
        messages.success(request, _("The override was recorded."))
    return redirect("evaluation:detail", pk=ev.pk)


@login_required
@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    ev = scoping.get_readable(request.user, Evaluation, pk=pk)
    try:
        row = services.raise_objection(
            actor=request.user,
            evaluation_id=ev.pk,
            reason=request.POST.get("reason", ""),
            evidence=request.POST.get("evidence", ""),
            received_on=today(),
        )
    except services.Refused as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:detail", pk=ev.pk)
    messages.success(
        request,
        _("Your objection was received; the answer is due by %(day)s.")
        % {"day": row.due_on.isoformat()},
    )
    return redirect("evaluation:objection", pk=row.pk)


@login_required
@require_GET
def objections(request: HttpRequest) -> HttpResponse:
    rows = selectors.objections(request.user).order_by("status", "due_on", "pk")
    day = today()
    listed = [(o, selectors.objection_is_overdue(o, day)) for o in rows[:200]]
    return render(
        request,
        "evaluation/objections.html",
        {"objections": listed, "overdue": sum(1 for _o, late in listed if late), "today": day},
    )


@login_required
@require_GET
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    row = scoping.get_readable(request.user, Objection, pk=pk)
    return render(
        request,
        "evaluation/objection.html",
        {
            "objection": row,
            "overdue": selectors.objection_is_overdue(row, today()),
            "may_decide": services.may_evaluate(request.user)
            and row.status == ObjectionStatus.OPEN,
            "rule_days": (row.due_on - row.received_on).days,
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    row = scoping.get_readable(request.user, Objection, pk=pk)
    try:
        services.decide_objection(
            actor=request.user,
            objection_id=row.pk,
            upheld=request.POST.get("outcome") == "upheld",
            decision=request.POST.get("decision", ""),
            decided_on=today(),
        )
    except services.Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The objection was answered."))
    return redirect("evaluation:objection", pk=row.pk)


@login_required
@require_GET
def ruleset_browser(request: HttpRequest) -> HttpResponse:
    """Every version of every rule set: indicators, bands, points, gates, grades, references."""
    groups = []
    for rid in rulesets.ids():
        versions = []
        for loaded in reversed(rulesets.versions(rid)):
            rs = loaded.ruleset
            dims = {d.key: presenting.name(d) for d in rs.dimensions}
            versions.append(
                {
                    "rs": rs,
                    "name": presenting.name(rs),
                    "file": loaded.source_name,
                    "indicators": [
                        {
                            "ind": i,
                            "name": presenting.name(i),
                            "dimension": dims[i.dimension],
                            "input": f"{i.formula}({', '.join(i.operands)})",
                        }
                        for i in rs.indicators
                    ],
                    "grades": _grades(rs),
                }
            )
        groups.append((rid, versions))
    return render(request, "evaluation/rulesets.html", {"groups": groups})


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    """Start the scoring of the whole registry (zone staff); the recent batches."""
    user: Any = request.user
    if not (services.may_evaluate(user) or user.role == Role.AUDITOR):
        raise PermissionDenied
    if request.method == "POST":
        try:
            job = tasks.start_batch(actor=request.user, ruleset_id=request.POST.get("ruleset", ""))
        except services.Refused as exc:
            messages.error(request, str(exc))
            return redirect("evaluation:batches")
        return redirect("job", pk=job.pk)
    runs = scoping.readable(request.user, BatchRun).select_related("started_by")[:RECENT]
    jobs = (
        scoping.readable(request.user, Job).filter(kind=tasks.KIND).defer("input")[:RECENT]
        if services.may_evaluate(request.user)
        else []
    )
    return render(
        request,
        "evaluation/batches.html",
        {
            "runs": runs,
            "jobs": jobs,
            "ids": rulesets.ids(),
            "may_score": services.may_evaluate(request.user),
        },
    )


@login_required
@require_GET
def batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    run = scoping.get_readable(request.user, BatchRun, pk=pk)
    rows = (
        selectors.evaluations(request.user)
        .filter(batch=run)
        .select_related("enterprise")
        .order_by("enterprise__name", "pk")
    )
    out = io.BytesIO()
    exporting.write_evaluations(rows, out, title=str(run))
    response = HttpResponse(out.getvalue(), content_type=exporting.CONTENT_TYPE)
    name = f"scores-{run.ruleset_id}-v{run.version}-{run.as_of.isoformat()}-{run.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def stability(request: HttpRequest) -> HttpResponse:
    """PSI of a rule set's scores this year against last year's."""
    ids = rulesets.ids()
    fallback = DEFAULT_RULESET if DEFAULT_RULESET in ids else (ids[0] if ids else "")
    rid = request.GET.get("ruleset") or fallback
    if rid not in ids:
        raise Http404
    try:
        year = int(request.GET.get("year", today().year))
    except ValueError:
        year = today().year
    result = selectors.stability(request.user, rid, year)
    chart = {
        "bins": [label for label, _b, _a in result.shares],
        "previous": [b for _l, b, _a in result.shares],
        "current": [a for _l, _b, a in result.shares],
    }
    return render(
        request,
        "evaluation/stability.html",
        {
            "s": result,
            "ids": ids,
            "chart": chart,
            "thresholds": (scoring.PSI_STABLE, scoring.PSI_SHIFT),
            "distribution": selectors.grade_distribution(request.user, rid),
            "zero": Decimal(0),
        },
    )
