"""API v1 for the invest-first programme: projects (list, detail with timeline, apply), reviews,
the agreement, milestone evidence and verdicts, proposals for the money steps (decision,
disbursement, conversion, write-off, exit: each answers the pending proposal), and the zone's
pool, metrics and loss ratio.

Same scope as the pages: enterprise users their own projects; zone staff and auditors every
project and the zone's figures; banks, guarantors and service agents nothing (an empty list, 404
for a project, 403 for the zone's figures). Amounts are int `*_fen` plus yuan strings; ratios are
decimal strings. Refusals answer `{"detail": message, "errors": {field: [messages]}}`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.accounts.models import Role
from patientcap.approvals import services as proposals
from patientcap.core.clock import today
from patientcap.domain.messages import Invalid
from patientcap.domain.money import yuan
from patientcap.investments import selectors, services
from patientcap.investments.actions import explain
from patientcap.investments.models import Milestone, Project, Tranche
from patientcap.ledger.models import Account as LedgerAccount

router = Router(tags=["investments"])
ZONE_READERS = {Role.ZONE_OFFICER, Role.REVIEWER, Role.AUDITOR}


class RefusalOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


REFUSALS = {403: RefusalOut, 409: RefusalOut, 422: RefusalOut}


class ProjectOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    title: str
    stage: str
    stage_label: str
    requested_fen: int
    requested: str
    applied_on: dt.date

    @staticmethod
    def resolve_enterprise(obj: Project) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_stage_label(obj: Project) -> str:
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_requested(obj: Project) -> str:
        return yuan(obj.requested_fen)


class EventOut(Schema):
    when: dt.date
    kind: str
    title: str
    detail: str


class TrancheOut(Schema):
    id: int
    number: int
    due_on: dt.date
    amount_fen: int
    amount: str
    disbursed_on: dt.date | None


class VerdictOut(Schema):
    met: bool
    comment: str
    given_on: dt.date
    given_by: str


class MilestoneOut(Schema):
    id: int
    what: str
    measure: str
    target: str
    due_on: dt.date
    evidence_required: str
    status: str
    evidence: list[dict[str, Any]]
    verdicts: list[VerdictOut]


class AgreementOut(Schema):
    amount_fen: int
    amount: str
    signed_on: dt.date
    variant: str
    discount: str
    agreed_valuation_fen: int | None
    fixed_fraction: str | None
    conversion_deadline: dt.date
    trigger_event: str
    buyback_rate: str | None
    buyback_floor_fen: int
    buyback_cap_fen: int | None
    loss_tolerance: str | None
    policy_version: str
    disbursed_fen: int
    tranches: list[TrancheOut]
    milestones: list[MilestoneOut]


class ProjectDetailOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    title: str
    stage: str
    stage_label: str
    requested_fen: int
    requested: str
    applied_on: dt.date
    plan: str
    timeline: list[EventOut]
    agreement: AgreementOut | None


class ApplyIn(Schema):
    enterprise_id: int
    title: str
    plan: str
    requested_fen: int


class ReviewIn(Schema):
    score: Decimal
    opinion: str
    evaluation_id: int | None = None


class MilestoneIn(Schema):
    what: str
    measure: str
    target: str
    due: dt.date
    evidence_required: str


class TrancheIn(Schema):
    due: dt.date
    amount_fen: int


class AgreementIn(Schema):
    signed_on: dt.date
    amount_fen: int
    variant: str
    conversion_deadline: dt.date
    tranches: list[TrancheIn]
    milestones: list[MilestoneIn] = []
    discount: Decimal = Decimal(0)
    agreed_valuation_fen: int | None = None
    fixed_fraction: Decimal | None = None
    trigger_event: str = ""
    buyback_rate: Decimal | None = None
    buyback_floor_fen: int = 0
    buyback_cap_fen: int | None = None


class VerdictIn(Schema):
    met: bool
    comment: str = ""


class DiligenceIn(Schema):
    findings: str
    duly_diligent: bool = True
    recovered_fen: int = 0


class ProposeIn(Schema):
    """The payload of the step (see each action) and the reason for the approver."""

    payload: dict[str, Any]
    reason: str


class ProposalOut(Schema):
    id: int
    action: str
    status: str
    summary: str


class PoolOut(Schema):
    as_of: dt.date
    contributions_fen: int
    invested_fen: int
    returned_fen: int
    written_off_fen: int
    cash_fen: int
    committed_fen: int
    available_fen: int
    outstanding_fen: int
    projects: int
    exited_projects: int
    recycling_rate: str | None
    balance: list[tuple[dt.date, int]]


class MetricsRowOut(Schema):
    project_id: int
    title: str
    enterprise: str
    stage: str
    invested_fen: int
    distributed_fen: int
    residual_fen: int
    dpi: str | None
    rvpi: str | None
    tvpi: str | None
    moic: str | None
    xirr: str | None


class MetricsOut(Schema):
    as_of: dt.date
    portfolio: MetricsRowOut
    projects: list[MetricsRowOut]


class VintageOut(Schema):
    year: int
    invested_fen: int
    written_off_fen: int
    loss_ratio: str | None


def _refused(exc: Invalid) -> Status:
    return Status(422, {"detail": explain(exc), "errors": {}})


def _forbidden() -> HttpError:
    return HttpError(403, "You may not do this.")


def _zone_reader(request: HttpRequest) -> Any:
    user = api_user(request)
    if not (user.is_superuser or user.role in ZONE_READERS):
        raise _forbidden()
    return user


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _detail(project: Project) -> dict[str, Any]:
    agreement = getattr(project, "agreement", None)
    out: dict[str, Any] = {
        "id": project.pk,
        "enterprise_id": project.enterprise_id,
        "enterprise": project.enterprise.name,
        "title": project.title,
        "stage": project.stage,
        "stage_label": str(project.get_stage_display()),
        "requested_fen": project.requested_fen,
        "requested": yuan(project.requested_fen),
        "applied_on": project.applied_on,
        "plan": project.plan,
        "timeline": [e.__dict__ for e in selectors.timeline(project)],
        "agreement": None,
    }
    if agreement is not None:
        out["agreement"] = {
            "amount_fen": agreement.amount_fen,
            "amount": yuan(agreement.amount_fen),
            "signed_on": agreement.signed_on,
            "variant": agreement.variant,
            "discount": str(agreement.discount),
            "agreed_valuation_fen": agreement.agreed_valuation_fen,
            "fixed_fraction": _str(agreement.fixed_fraction),
            "conversion_deadline": agreement.conversion_deadline,
            "trigger_event": agreement.trigger_event,
            "buyback_rate": _str(agreement.buyback_rate),
            "buyback_floor_fen": agreement.buyback_floor_fen,
            "buyback_cap_fen": agreement.buyback_cap_fen,
            "loss_tolerance": _str(agreement.loss_tolerance),
            "policy_version": agreement.policy_version,
            "disbursed_fen": services.disbursed_fen(agreement),
            "tranches": [
                {
                    "id": t.pk,
                    "number": t.number,
                    "due_on": t.due_on,
                    "amount_fen": t.amount_fen,
                    "amount": yuan(t.amount_fen),
                    "disbursed_on": t.disbursed_on,
                }
                for t in agreement.tranches.all()
            ],
            "milestones": [
                {
                    "id": m.pk,
                    "what": m.what,
                    "measure": m.measure,
                    "target": m.target,
                    "due_on": m.due_on,
                    "evidence_required": m.evidence_required,
                    "status": m.status,
                    "evidence": [
                        {"id": e.pk, "submitted_on": e.submitted_on, "note": e.note}
                        for e in m.evidence.all()
                    ],
                    "verdicts": [
                        {
                            "met": v.met,
                            "comment": v.comment,
                            "given_on": v.given_on,
                            "given_by": v.given_by.username,
                        }
                        for v in m.verdicts.all()
                    ],
                }
                for m in agreement.milestones.all()
            ],
        }
    return out


def _programme_user(request: HttpRequest) -> Any:
    user = api_user(request)
    if not (user.is_superuser or user.role in ZONE_READERS | {Role.ENTERPRISE_USER}):
        return None
    return user


# --- Projects ----------------------------------------------------------------------------------
@router.get("/projects", response=list[ProjectOut], summary="Invest-first projects I may see")
def list_projects(request: HttpRequest, stage: str = "") -> Any:
    user = _programme_user(request)
    if user is None:
        return []
    projects = scoping.readable(user, Project).select_related("enterprise")
    return projects.filter(stage=stage) if stage else projects


@router.get("/projects/{project_id}", response=ProjectDetailOut, summary="One project")
def get_project(request: HttpRequest, project_id: int) -> Any:
    user = _programme_user(request)
    if user is None:
        raise HttpError(404, "Not Found")
    return _detail(scoping.get_readable(user, Project, pk=project_id))


@router.post("/projects", response={201: ProjectOut, **REFUSALS}, summary="Apply")
def apply(request: HttpRequest, data: ApplyIn) -> Any:
    try:
        project = services.apply(
            enterprise_id=data.enterprise_id,
            title=data.title,
            plan=data.plan,
            requested_fen=data.requested_fen,
            on=today(),
            actor=api_user(request),
        )
    except Invalid as exc:
        return _refused(exc)
    except PermissionDenied:
        raise _forbidden() from None
    return Status(201, project)


def _call(run: Any) -> Any:
    try:
        return Status(201, run())
    except Invalid as exc:
        return _refused(exc)
    except PermissionDenied:
        raise _forbidden() from None


@router.post("/projects/{project_id}/reviews", response={201: dict, **REFUSALS}, summary="Review")
def review(request: HttpRequest, project_id: int, data: ReviewIn) -> Any:
    return _call(
        lambda: {
            "id": services.add_review(
                project_id=project_id,
                score=data.score,
                opinion=data.opinion,
                on=today(),
                actor=api_user(request),
                evaluation_id=data.evaluation_id,
            ).pk
        }
    )


@router.post("/projects/{project_id}/agreement", response={201: dict, **REFUSALS}, summary="Sign")
def agreement(request: HttpRequest, project_id: int, data: AgreementIn) -> Any:
    terms = data.dict()
    terms["tranches"] = [(t["due"], t["amount_fen"]) for t in terms["tranches"]]
    return _call(
        lambda: {
            "id": services.sign_agreement(
                project_id=project_id, actor=api_user(request), **terms
            ).pk
        }
    )


@router.post(
    "/projects/{project_id}/diligence", response={201: dict, **REFUSALS}, summary="Diligence"
)
def diligence(request: HttpRequest, project_id: int, data: DiligenceIn) -> Any:
    return _call(
        lambda: {
            "id": services.record_diligence(
                project_id=project_id,
                on=today(),
                findings=data.findings,
                duly_diligent=data.duly_diligent,
                recovered_fen=data.recovered_fen,
                actor=api_user(request),
            ).pk
        }
    )


@router.post(
    "/milestones/{milestone_id}/evidence",
    response={201: dict, **REFUSALS},
    summary="Upload milestone evidence",
)
def evidence(
    request: HttpRequest, milestone_id: int, file: File[UploadedFile], note: Form[str] = ""
) -> Any:
    scoping.get_readable(api_user(request), Milestone, pk=milestone_id)
    return _call(
        lambda: {
            "id": services.submit_evidence(
                milestone_id=milestone_id, file=file, note=note, on=today(), actor=api_user(request)
            ).pk
        }
    )


@router.post(
    "/milestones/{milestone_id}/verdict", response={201: dict, **REFUSALS}, summary="Verdict"
)
def verdict(request: HttpRequest, milestone_id: int, data: VerdictIn) -> Any:
    scoping.get_readable(api_user(request), Milestone, pk=milestone_id)
    return _call(
        lambda: {
            "id": services.give_verdict(
                milestone_id=milestone_id,
                met=data.met,
                comment=data.comment,
                on=today(),
                actor=api_user(request),
            ).pk
        }
    )


# --- Proposals for the money steps -------------------------------------------------------------
def _propose(request: HttpRequest, action: str, payload: dict[str, Any], reason: str) -> Any:
    try:
        proposal = proposals.propose(
            action=action, payload=payload, reason=reason, by=api_user(request)
        )
    except proposals.ProposalRefused as exc:
        return Status(exc.status_code, {"detail": exc.message, "errors": exc.errors})
    return Status(201, proposal)


def _project_step(action: str, summary: str, doc: str) -> Any:
    def step(request: HttpRequest, project_id: int, data: ProposeIn) -> Any:
        project = scoping.get_readable(api_user(request), Project, pk=project_id)
        return _propose(request, action, dict(data.payload, project_id=project.pk), data.reason)

    step.__doc__ = doc
    step.__name__ = f"propose_{action.rsplit('.', 1)[1]}"
    return step


for _path, _action, _summary, _doc in (
    (
        "decision",
        "investments.decide",
        "Propose the committee decision",
        "payload: {approved, amount_fen | amount, date, comment}",
    ),
    (
        "conversion",
        "investments.convert",
        "Propose the conversion to equity",
        "payload: {date, trigger_occurred, round_id, exit_route, exit_horizon_years, "
        "target_multiple}",
    ),
    (
        "write-off",
        "investments.write_off",
        "Propose the write-off",
        "payload: {diligence_id, date}",
    ),
    (
        "exit",
        "investments.exit",
        "Propose the exit",
        "payload: {route, date, proceeds_fen | proceeds, exit_value_fen | exit_value, buyer}",
    ),
):
    router.post(
        f"/projects/{{project_id}}/{_path}",
        response={201: ProposalOut, **REFUSALS},
        summary=_summary,
    )(_project_step(_action, _summary, _doc))


@router.post(
    "/tranches/{tranche_id}/disbursement",
    response={201: ProposalOut, **REFUSALS},
    summary="Propose paying a tranche",
)
def propose_disbursement(request: HttpRequest, tranche_id: int, data: ProposeIn) -> Any:
    """payload: {date}"""
    tranche = scoping.get_readable(api_user(request), Tranche, pk=tranche_id)
    return _propose(
        request, "investments.disburse", dict(data.payload, tranche_id=tranche.pk), data.reason
    )


# --- The zone's figures ------------------------------------------------------------------------
@router.get("/pool", response=PoolOut, summary="The fiscal pool on a date")
def pool(request: HttpRequest, as_of: dt.date | None = None) -> Any:
    user = _zone_reader(request)
    on = as_of or today()
    f = selectors.pool_figures(selectors.Rows.readable(user), on)
    cash = scoping.get_readable(user, LedgerAccount, code="fiscal_pool.cash")
    return {
        **{
            k: getattr(f, k)
            for k in (
                "as_of",
                "contributions_fen",
                "invested_fen",
                "returned_fen",
                "written_off_fen",
                "cash_fen",
                "committed_fen",
                "available_fen",
                "outstanding_fen",
                "projects",
                "exited_projects",
            )
        },
        "recycling_rate": _str(f.recycling_rate),
        "balance": [(p.when, p.balance_fen) for p in selectors.balance_series(cash, on)],
    }


def _row(key: int, title: str, enterprise: str, stage: str, m: Any) -> dict[str, Any]:
    x = m.multiples
    return {
        "project_id": key,
        "title": title,
        "enterprise": enterprise,
        "stage": stage,
        "invested_fen": x.invested_fen,
        "distributed_fen": x.distributed_fen,
        "residual_fen": x.residual_fen,
        "dpi": _str(x.dpi),
        "rvpi": _str(x.rvpi),
        "tvpi": _str(x.tvpi),
        "moic": _str(x.moic),
        "xirr": _str(m.xirr.value),
    }


@router.get("/metrics", response=MetricsOut, summary="Portfolio XIRR, DPI, TVPI, RVPI, MOIC")
def metrics(request: HttpRequest, as_of: dt.date | None = None) -> Any:
    user = _zone_reader(request)
    result = selectors.portfolio(selectors.Rows.readable(user), as_of or today())
    return {
        "as_of": result.as_of,
        "portfolio": _row(0, "portfolio", "", "", result.total),
        "projects": [
            _row(r.project_id, r.title, r.enterprise, r.stage, r.metrics) for r in result.rows
        ],
    }


@router.get("/losses", response=list[VintageOut], summary="Loss ratio by vintage")
def losses(request: HttpRequest, as_of: dt.date | None = None) -> Any:
    rows = selectors.Rows.readable(_zone_reader(request))
    return [
        {
            "year": v.year,
            "invested_fen": v.invested_fen,
            "written_off_fen": v.written_off_fen,
            "loss_ratio": _str(v.loss_ratio),
        }
        for v in selectors.loss_ratio_by_vintage(rows, as_of or today())
    ]
