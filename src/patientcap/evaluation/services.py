"""Evaluation use cases: score a firm and store it, override a grade, raise and answer an
objection, score the whole registry (in-process or on Dask).

Every write runs in `transaction.atomic` with an audit record. A refusal raises `Refused` with
a message for the user and writes nothing.

The objection clock is 20 *calendar* days from the day the objection is received: 征信业管理
条例 art. 25 says the objection is checked and answered "自收到异议之日起20日内", and Chinese
regulations say 工作日 when they mean working days; a plain 日 is a calendar day. An objection
still open after its due day is overdue.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from patientcap.accounts.models import Role
from patientcap.approvals import services as approvals
from patientcap.approvals.models import Proposal
from patientcap.audit.services import record
from patientcap.domain import scoring
from patientcap.domain.ruleset import RuleSet
from patientcap.enterprises.models import Enterprise
from patientcap.evaluation import actions, batch, codec, inputs, rulesets
from patientcap.evaluation.models import (
    BatchRun,
    Evaluation,
    Objection,
    ObjectionStatus,
    Override,
    RuleSetSnapshot,
)
from patientcap.policy.registry import value_at

OBJECTION_PERIOD = "evaluation.objection.answer_within"  # policy/evaluation.yaml
ZONE_STAFF = {Role.ZONE_OFFICER, Role.REVIEWER}


class Refused(ValueError):
    """A request the evaluation service refuses; the message is for the user."""


def may_evaluate(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in ZONE_STAFF))


def _require_zone(actor: Any) -> None:
    if not may_evaluate(actor):
        raise Refused(_("Only zone staff score enterprises and answer objections."))


def snapshot(loaded: rulesets.Loaded) -> RuleSetSnapshot:
    rs = loaded.ruleset
    row, _created = RuleSetSnapshot.objects.get_or_create(
        digest=rs.digest,
        defaults={
            "ruleset_id": rs.id,
            "version": rs.version,
            "source_name": loaded.source_name,
            "text": loaded.text,
        },
    )
    return row


def _ruleset(ruleset_id: str, version: str | None, on: dt.date) -> rulesets.Loaded:
    try:
        return rulesets.get(ruleset_id, version, on)
    except LookupError:
        raise Refused(
            _("Unknown rule set %(id)s.") % {"id": f"{ruleset_id} {version or ''}".strip()}
        ) from None


def _row(
    *,
    enterprise_id: int,
    snap: RuleSetSnapshot,
    result: scoring.Evaluation,
    values: dict[str, Any],
    sources: dict[str, str],
    picks: dict[str, scoring.Pick],
    year: int | None,
    as_of: dt.date,
    actor: Any,
    run: BatchRun | None = None,
) -> Evaluation:
    return Evaluation(
        enterprise_id=enterprise_id,
        snapshot=snap,
        ruleset_id=result.ruleset_id,
        ruleset_version=result.ruleset_version,
        ruleset_digest=result.ruleset_digest,
        batch=run,
        data_year=year,
        evaluated_on=as_of,
        evaluated_by=actor,
        inputs=codec.inputs_json(values),
        sources={k: sources.get(k, inputs.NOT_HELD) for k in values},
        picks=codec.picks_json(picks),
        indicators=codec.indicators_json(result),
        dimensions=codec.dimensions_json(result),
        reasons=codec.reasons_json(result),
        raw_total=result.raw_total,
        total=result.total,
        passed=result.passed,
        directly_qualified=result.directly_qualified,
        computed_grade=result.grade,
        computed_credit_line_fen=result.credit_line_fen,
        grade=result.grade,
        credit_line_fen=result.credit_line_fen,
    )


def expert_picks(*, actor: Any, points: dict[str, str], reason: str) -> dict[str, scoring.Pick]:
    """An expert's picks inside range bands, as typed ({indicator: points}), with the expert
    recorded as the picker; empty entries are skipped. The scorer checks each pick's range."""
    picker = (actor.get_full_name() or actor.get_username()).strip()
    out = {}
    for key, text in points.items():
        text = (text or "").strip()
        if not text:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise Refused(_("Points picked for %(key)s must be a number.") % {"key": key}) from None
        if not value.is_finite():
            raise Refused(_("Points picked for %(key)s must be a number.") % {"key": key})
        out[key] = scoring.Pick(value, picker, (reason or "").strip())
    return out


def evaluate_enterprise(
    *,
    actor: Any,
    enterprise_id: int,
    ruleset_id: str,
    as_of: dt.date,
    version: str | None = None,
    picks: dict[str, scoring.Pick] | None = None,
) -> Evaluation:
    """Score one firm from its registry figures and store the evaluation."""
    _require_zone(actor)
    loaded = _ruleset(ruleset_id, version, as_of)
    firm = inputs.with_figures(Enterprise.objects.filter(pk=enterprise_id)).first()
    if firm is None:
        raise Refused(_("There is no such enterprise."))
    got = inputs.build(firm, as_of)
    picks = picks or {}
    try:
        values = scoring.normalise(loaded.ruleset, got.values)
        result = scoring.score(loaded.ruleset, values, picks)
    except scoring.ScoringError as exc:
        raise Refused(str(exc)) from None
    with transaction.atomic():
        row = _row(
            enterprise_id=firm.pk,
            snap=snapshot(loaded),
            result=result,
            values=values,
            sources=got.sources,
            picks=picks,
            year=got.year,
            as_of=as_of,
            actor=actor,
        )
        row.save()
        record(
            actor=actor,
            action="evaluation.score",
            object_type="evaluation",
            object_id=row.pk,
            after={
                "enterprise_id": firm.pk,
                "ruleset": f"{row.ruleset_id} v{row.ruleset_version}",
                "digest": row.ruleset_digest,
                "total": str(row.total),
                "grade": row.grade,
                "credit_line_fen": row.credit_line_fen,
            },
        )
    return row


def ruleset_of(evaluation: Evaluation) -> RuleSet:
    """The exact rule set the evaluation was scored with (its stored text, parsed once)."""
    snap = evaluation.snapshot
    return batch.parsed(snap.text, snap.source_name)


def grade_line(evaluation: Evaluation, grade: str) -> int:
    """The credit line the evaluation's rule set gives `grade` (refused for an unknown grade)."""
    ruleset = ruleset_of(evaluation)
    lines = {g.grade: g.credit_line_fen for g in ruleset.grades}
    if grade not in lines:
        raise Refused(
            _("Unknown grade %(grade)s; this rule set has %(grades)s.")
            % {"grade": grade or "—", "grades": ", ".join(lines)}
        )
    return lines[grade]


def override_evaluation(
    *, actor: Any, evaluation_id: int, grade: str, reason: str
) -> Override | Proposal:
    """Replace an evaluation's grade by a human decision with a written reason.

    One that leaves the credit line as it is is recorded at once; one that changes the credit
    line is proposed for a reviewer's approval (maker-checker) and returns the proposal.
    """
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("An override needs a written reason."))
    if not (actor.is_superuser or actor.role == Role.ZONE_OFFICER):
        raise Refused(_("Only the zone officer overrides a grade."))
    ev = Evaluation.objects.filter(pk=evaluation_id).first()
    if ev is None:
        raise Refused(_("There is no such evaluation."))
    grade = (grade or "").strip()
    line = grade_line(ev, grade)
    if grade == ev.grade:
        raise Refused(_("The evaluation already has grade %(grade)s.") % {"grade": grade})
    if line == ev.credit_line_fen:
        return record_override(
            evaluation_id=ev.pk, grade=grade, reason=reason, made_by=actor, approved_by=None
        )
    try:
        return approvals.propose(
            action=actions.ACTION,
            payload={"evaluation_id": ev.pk, "grade": grade},
            reason=reason,
            by=actor,
        )
    except approvals.Conflict:
        raise Refused(
            _("An override of this evaluation is already waiting for approval.")
        ) from None


def record_override(
    *,
    evaluation_id: int,
    grade: str,
    reason: str,
    made_by: Any,
    approved_by: Any,
    proposal: Proposal | None = None,
) -> Override:
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("An override needs a written reason."))
    with transaction.atomic():
        ev = Evaluation.objects.select_for_update().get(pk=evaluation_id)
        line = grade_line(ev, grade)
        row = Override.objects.create(
            evaluation=ev,
            previous_grade=ev.grade,
            previous_credit_line_fen=ev.credit_line_fen,
            grade=grade,
            credit_line_fen=line,
            reason=reason,
            made_by=made_by,
            approved_by=approved_by,
            proposal=proposal,
        )
        ev.grade, ev.credit_line_fen = grade, line
        ev.save(update_fields=["grade", "credit_line_fen"])
        record(
            actor=approved_by or made_by,
            action="evaluation.override",
            object_type="evaluation",
            object_id=ev.pk,
            before={"grade": row.previous_grade, "credit_line_fen": row.previous_credit_line_fen},
            after={"grade": grade, "credit_line_fen": line, "reason": reason},
        )
    return row


def raise_objection(
    *, actor: Any, evaluation_id: int, reason: str, evidence: str, received_on: dt.date
) -> Objection:
    """The enterprise disputes one of its evaluations; the answer is due within the dated period
    of policy/evaluation.yaml (20 calendar days), recorded with its version on the objection."""
    reason, evidence = (reason or "").strip(), (evidence or "").strip()
    ev = Evaluation.objects.select_related("enterprise").filter(pk=evaluation_id).first()
    if ev is None:
        raise Refused(_("There is no such evaluation."))
    own = (
        actor.role == Role.ENTERPRISE_USER
        and ev.enterprise.organisation_id is not None
        and ev.enterprise.organisation_id == actor.organisation_id
    )
    if not own:
        raise Refused(_("Only the enterprise evaluated may object to its evaluation."))
    if not reason:
        raise Refused(_("Say why you object: an objection needs a reason."))
    if not evidence:
        raise Refused(_("Name the evidence that supports the objection."))
    if ev.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise Refused(_("An objection to this evaluation is already open."))
    period = value_at(OBJECTION_PERIOD, received_on)
    with transaction.atomic():
        row = Objection.objects.create(
            evaluation=ev,
            enterprise=ev.enterprise,
            raised_by=actor,
            received_on=received_on,
            due_on=received_on + dt.timedelta(days=int(period.value)),
            clock_rule=f"征信业管理条例 art. 25: {period.value} calendar days from receipt "
            f"({period.version})"[:200],
            reason=reason,
            evidence=evidence,
        )
        record(
            actor=actor,
            action="evaluation.object",
            object_type="objection",
            object_id=row.pk,
            after={"evaluation_id": ev.pk, "reason": reason, "due_on": row.due_on.isoformat()},
        )
    return row


def decide_objection(
    *, actor: Any, objection_id: int, upheld: bool, decision: str, decided_on: dt.date
) -> Objection:
    """A reviewer answers an open objection in writing (upheld or rejected)."""
    _require_zone(actor)
    decision = (decision or "").strip()
    if not decision:
        raise Refused(_("Write the answer to the objection."))
    with transaction.atomic():
        row = Objection.objects.select_for_update().filter(pk=objection_id).first()
        if row is None:
            raise Refused(_("There is no such objection."))
        if row.status != ObjectionStatus.OPEN:
            raise Refused(_("This objection has already been answered."))
        row.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        row.decision, row.decided_by, row.decided_on = decision, actor, decided_on
        row.save(update_fields=["status", "decision", "decided_by", "decided_on"])
        record(
            actor=actor,
            action="evaluation.objection_decide",
            object_type="objection",
            object_id=row.pk,
            after={
                "status": row.status,
                "decision": decision,
                "late": decided_on > row.due_on,
            },
        )
    return row


def score_registry(
    *,
    actor: Any,
    ruleset_id: str,
    as_of: dt.date,
    version: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    address: str | None = None,
    enterprise_ids: list[int] | None = None,
    job: Any = None,
) -> BatchRun:
    """Score every registered firm (or those named) and store one evaluation each.

    Scoring runs in-process, or on the Dask cluster at `address` (default: the setting
    `PATIENTCAP_DASK_ADDRESS`); the stored results are identical either way.
    """
    _require_zone(actor)
    loaded = _ruleset(ruleset_id, version, as_of)
    address = batch.dask_address() if address is None else address
    firms = Enterprise.objects.order_by("pk")
    if enterprise_ids is not None:
        firms = firms.filter(pk__in=enterprise_ids)
    ids = list(firms.values_list("pk", flat=True))
    total = len(ids)
    gathered: list[tuple[int, inputs.Inputs]] = []
    chunk = 500
    for start in range(0, total, chunk):
        part = inputs.with_figures(Enterprise.objects.filter(pk__in=ids[start : start + chunk]))
        gathered.extend((f.pk, inputs.build(f, as_of)) for f in part.order_by("pk"))
        if progress:
            progress(len(gathered) // 2, total)
    rows = [scoring.normalise(loaded.ruleset, got.values) for _pk, got in gathered]
    results = batch.score_many(loaded.text, loaded.source_name, rows, address=address)
    if progress:
        progress(total * 3 // 4, total)
    with transaction.atomic():
        run = BatchRun.objects.create(
            ruleset_id=loaded.ruleset.id,
            version=loaded.ruleset.version,
            as_of=as_of,
            job=job,
            started_by=actor,
            scored=total,
            engine=address or "in-process",
        )
        snap = snapshot(loaded)
        Evaluation.objects.bulk_create(
            [
                _row(
                    enterprise_id=pk,
                    snap=snap,
                    result=result,
                    values=values,
                    sources=got.sources,
                    picks={},
                    year=got.year,
                    as_of=as_of,
                    actor=actor,
                    run=run,
                )
                for (pk, got), values, result in zip(gathered, rows, results, strict=True)
            ],
            batch_size=500,
        )
        record(
            actor=actor,
            action="evaluation.batch",
            object_type="batch",
            object_id=run.pk,
            after={
                "ruleset": f"{run.ruleset_id} v{run.version}",
                "digest": loaded.ruleset.digest,
                "scored": total,
                "engine": run.engine,
                "as_of": as_of.isoformat(),
            },
        )
    return run
