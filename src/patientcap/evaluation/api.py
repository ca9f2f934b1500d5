"""API v1 for evaluation: score a firm, read its evaluations, start a batch over the registry
(a background job) and read a batch's results, list the rule sets. Totals are decimal strings,
credit lines integers named *_fen. Rows come from the same scoped selectors as the pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.core import api as jobs_api
from patientcap.core.api import JobStartedOut
from patientcap.core.clock import today
from patientcap.enterprises.models import Enterprise
from patientcap.evaluation import rulesets, selectors, services, tasks
from patientcap.evaluation.models import BatchRun, Evaluation

router = Router(tags=["evaluation"])
MAX_RESULTS = 5_000


class DetailOut(Schema):
    detail: str


class ScoreIn(Schema):
    ruleset: str
    version: str | None = None
    # An expert's points inside range bands ({indicator: "3.5"}); the caller is the picker.
    picks: dict[str, str] = {}
    pick_reason: str = ""


class BatchIn(Schema):
    ruleset: str


class IndicatorOut(Schema):
    key: str
    dimension: str
    value: str | None
    band: str
    points: str
    max: str
    source: str
    picker: str


class ReasonOut(Schema):
    code: str
    indicator: str
    lost: str
    zh: str
    en: str


class EvaluationOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    ruleset_id: str
    ruleset_version: str
    ruleset_digest: str
    evaluated_on: dt.date
    data_year: int | None
    total: str
    grade: str
    credit_line_fen: int
    computed_grade: str
    computed_credit_line_fen: int
    passed: bool
    directly_qualified: bool
    dimensions: list[list[str]]
    reasons: list[ReasonOut]


class EvaluationDetailOut(EvaluationOut):
    inputs: dict[str, str | None]
    sources: dict[str, str]
    picks: dict[str, dict[str, str]]
    indicators: list[IndicatorOut]
    reproduced: bool


class BatchOut(Schema):
    id: int
    ruleset_id: str
    version: str
    as_of: dt.date
    scored: int
    engine: str
    results: list[EvaluationOut]


class RuleSetOut(Schema):
    id: str
    version: str
    effective_from: dt.date
    name_zh: str
    name_en: str
    reference: str
    digest: str
    file: str
    indicators: list[str]
    grades: list[dict[str, Any]]


def _summary(ev: Evaluation) -> dict[str, Any]:
    return {
        "id": ev.pk,
        "enterprise_id": ev.enterprise_id,
        "enterprise_name": ev.enterprise.name,
        "ruleset_id": ev.ruleset_id,
        "ruleset_version": ev.ruleset_version,
        "ruleset_digest": ev.ruleset_digest,
        "evaluated_on": ev.evaluated_on,
        "data_year": ev.data_year,
        "total": str(ev.total),
        "grade": ev.grade,
        "credit_line_fen": ev.credit_line_fen,
        "computed_grade": ev.computed_grade,
        "computed_credit_line_fen": ev.computed_credit_line_fen,
        "passed": ev.passed,
        "directly_qualified": ev.directly_qualified,
        "dimensions": ev.dimensions,
        "reasons": ev.reasons,
    }


def _detail(ev: Evaluation) -> dict[str, Any]:
    _again, same = selectors.reproduce(ev)
    return {
        **_summary(ev),
        "inputs": ev.inputs,
        "sources": ev.sources,
        "picks": ev.picks,
        "indicators": ev.indicators,
        "reproduced": same,
    }


@router.post(
    "/enterprises/{int:pk}/score",
    response={201: EvaluationDetailOut, 403: DetailOut, 422: DetailOut},
    summary="Score a firm from its registry figures and store the evaluation (zone staff)",
)
def score(request: HttpRequest, pk: int, payload: ScoreIn) -> Any:
    user = api_user(request)
    firm = scoping.get_readable(user, Enterprise, pk=pk)
    if not services.may_evaluate(user):
        return Status(403, {"detail": "Only zone staff score enterprises."})
    try:
        picks = services.expert_picks(actor=user, points=payload.picks, reason=payload.pick_reason)
        ev = services.evaluate_enterprise(
            actor=user,
            enterprise_id=firm.pk,
            ruleset_id=payload.ruleset,
            version=payload.version,
            as_of=today(),
            picks=picks,
        )
    except services.Refused as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, _detail(ev))


@router.get(
    "/enterprises/{int:pk}/evaluations",
    response=list[EvaluationOut],
    summary="A firm's evaluations, newest first",
)
def enterprise_evaluations(request: HttpRequest, pk: int, ruleset: str = "") -> Any:
    user = api_user(request)
    firm = scoping.get_readable(user, Enterprise, pk=pk)
    rows = selectors.evaluations(user).filter(enterprise_id=firm.pk)
    if ruleset:
        rows = rows.filter(ruleset_id=ruleset)
    return [_summary(ev) for ev in rows.order_by("-evaluated_on", "-pk")[:200]]


@router.get(
    "/evaluations/{int:evaluation_id}",
    response=EvaluationDetailOut,
    summary="One evaluation with its inputs, sources, picks and indicators",
)
def evaluation(request: HttpRequest, evaluation_id: int) -> Any:
    ev = scoping.get_readable(api_user(request), Evaluation, pk=evaluation_id)
    return _detail(ev)


@router.post(
    "/batches",
    response={202: JobStartedOut, 403: DetailOut},
    summary="Score the whole registry with a rule set, in the background (zone staff)",
    description="Answers 202 with the job to poll (`GET /api/v1/jobs/{id}`); when it has "
    "succeeded its `result.batch_id` names the batch to read.",
)
def start_batch(request: HttpRequest, payload: BatchIn) -> Any:
    try:
        job = tasks.start_batch(actor=api_user(request), ruleset_id=payload.ruleset)
    except services.Refused as exc:
        return Status(403, {"detail": str(exc)})
    return jobs_api.started(job)


@router.get(
    "/batches/{int:batch_id}",
    response=BatchOut,
    summary="A batch and its results (zone staff and auditors)",
)
def batch(request: HttpRequest, batch_id: int) -> Any:
    user = api_user(request)
    run = scoping.get_readable(user, BatchRun, pk=batch_id)
    rows = selectors.evaluations(user).filter(batch=run).order_by("enterprise_id", "pk")
    return {
        "id": run.pk,
        "ruleset_id": run.ruleset_id,
        "version": run.version,
        "as_of": run.as_of,
        "scored": run.scored,
        "engine": run.engine,
        "results": [_summary(ev) for ev in rows[:MAX_RESULTS]],
    }


@router.get("/rulesets", response=list[RuleSetOut], summary="Every version of every rule set")
def ruleset_list(request: HttpRequest) -> Any:
    return [
        {
            "id": x.ruleset.id,
            "version": x.ruleset.version,
            "effective_from": x.ruleset.effective_from,
            "name_zh": x.ruleset.name_zh,
            "name_en": x.ruleset.name_en,
            "reference": x.ruleset.reference,
            "digest": x.ruleset.digest,
            "file": x.source_name,
            "indicators": [i.key for i in x.ruleset.indicators],
            "grades": [
                {"grade": g.grade, "min": str(g.minimum), "credit_line_fen": g.credit_line_fen}
                for g in x.ruleset.grades
            ],
        }
        for x in rulesets.load_all()
    ]
