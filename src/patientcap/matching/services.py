"""Write use cases of matched credit: apply, complete due diligence (the clock starts), pause
and resume the clock, upload documents, and — run by the approvals of `actions.py`, under
maker-checker within the bank — record the bank's decision and the disbursement.

Every function takes keyword arguments, runs in one transaction, writes a `Transition` for each
change of status or pause, and an audit record. Refusals raise `Refused` with a message in the
user's language; nothing is written then. A file the user may not see is a 404 (a bank officer
opening another bank's file), one they may see but not change a 403 (`scoping.get_writable`).
"""

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from patientcap.accounts import scoping
from patientcap.accounts.models import Organisation, OrganisationType, Role
from patientcap.audit.services import record
from patientcap.core.clock import today
from patientcap.domain.calendar import CalendarNotCovered
from patientcap.domain.matching import Limit, check_amount, matching_limit
from patientcap.domain.messages import Invalid
from patientcap.domain.money import yuan
from patientcap.domain.policy import NotInForce
from patientcap.enterprises.models import Enterprise
from patientcap.equity import selectors as equity
from patientcap.evaluation import rulesets
from patientcap.evaluation import selectors as evaluation
from patientcap.investments import selectors as investments
from patientcap.matching import selectors
from patientcap.matching.models import (
    Application,
    DiligencePackage,
    Document,
    Pause,
    RejectionReason,
    Status,
    Transition,
)
from patientcap.policy.calendar import working_calendar
from patientcap.policy.registry import value_at

INVEST_FIRST_RATIO = "matched_credit.max_ratio.invest_first"
ANGEL_RATIO = "matched_credit.max_ratio.angel_fund"
SLA_DAYS = "matched_credit.sla.due_diligence_to_disbursement"
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


class Refused(Exception):
    """Bad input or a step the file's state does not allow: nothing was written."""

    status_code = 422

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def explain(exc: Invalid) -> str:
    """A domain refusal in the user's language (the template translated, then filled in)."""
    return _(exc.message.template) % exc.message.params


def calendar_gap(exc: CalendarNotCovered) -> str:
    return _(
        "The working-day calendar does not cover %(year)s, so the deadline cannot be counted. "
        "An administrator must enter %(year)s's holidays and make-up working days in the "
        "calendar override table (Policy → Working-day calendar) and declare the year covered."
    ) % {"year": exc.year}


# --- the limit --------------------------------------------------------------------------------
def limit_for(enterprise_id: int, on: dt.date) -> tuple[Limit, dict[str, str]]:
    """The firm's matching limit on `on` from the platform's own investment records, and the
    versions of the policy parameters it used."""
    try:
        first, angel = value_at(INVEST_FIRST_RATIO, on), value_at(ANGEL_RATIO, on)
    except NotInForce as exc:
        raise Refused(
            _("Matched credit has no policy in force on %(date)s (the programme starts %(first)s).")
            % {"date": on.isoformat(), "first": exc.first.isoformat()}
        ) from None
    limit = matching_limit(
        invest_first_fen=investments.public_investment_fen(enterprise_id, on),
        angel_fen=equity.angel_investment_fen(enterprise_id, on),
        invest_first_ratio=Decimal(first.value),
        angel_ratio=Decimal(angel.value),
    )
    return limit, {INVEST_FIRST_RATIO: first.version, ANGEL_RATIO: angel.version}


# --- helpers ----------------------------------------------------------------------------------
def _date(on: dt.date | None, *, not_before: dt.date | None = None) -> dt.date:
    day = on or today()
    if day > today():
        raise Refused(_("%(date)s is in the future.") % {"date": day.isoformat()}, field="on")
    if not_before is not None and day < not_before:
        raise Refused(
            _("%(date)s is before the file's last step (%(last)s).")
            % {"date": day.isoformat(), "last": not_before.isoformat()},
            field="on",
        )
    return day


def _last_step(app: Application) -> dt.date:
    last = app.transitions.order_by("-on").values_list("on", flat=True).first()
    pause = app.pauses.order_by("-started_on").first()
    days = [d for d in (last, pause and (pause.ended_on or pause.started_on)) if d]
    return max(days) if days else app.applied_on


def _locked(user: Any, application_id: int) -> Application:
    app = scoping.get_writable(user, Application, pk=application_id)
    return Application.objects.select_for_update().get(pk=app.pk)


def _require(app: Application, *statuses: str) -> None:
    if app.status not in statuses:
        raise Refused(
            _("This step is not possible while the file is %(status)s.")
            % {"status": app.get_status_display()}
        )


def _require_role(user: Any, *roles: str) -> None:
    if user.role not in roles:
        raise Refused(_("Your role may not take this step."), field="role")


def _move(
    app: Application, to: str, *, on: dt.date, by: Any, note: str = "", data: dict | None = None
) -> Transition:
    t = Transition.objects.create(
        application=app,
        from_status=app.status,
        to_status=to,
        on=on,
        by=by,
        note=note,
        data=data or {},
    )
    app.status = to
    return t


def _audit(by: Any, action: str, app: Application, after: dict) -> None:
    record(
        actor=by,
        action=f"matching.{action}",
        object_type="matched_credit",
        object_id=app.pk,
        after=after,
    )


def _check_deadline_covered(app: Application, as_of: dt.date) -> None:
    try:
        selectors.clock(app).deadline(working_calendar(), as_of)
    except CalendarNotCovered as exc:
        raise Refused(calendar_gap(exc), field="on") from None


def used_fen(enterprise_id: int) -> int:
    """Matched credit the firm holds or has asked for: disbursed amounts, approved amounts not
    yet disbursed, and the amounts of files still being decided."""
    used = 0
    for app in Application.objects.filter(enterprise_id=enterprise_id).exclude(
        status__in=(Status.REJECTED, Status.REFERRED)
    ):
        used += app.disbursed_fen or app.approved_fen or app.requested_fen
    return used


def bank_directory() -> "QuerySet[Organisation]":
    """The banks a firm may apply to (names only: the directory every applicant picks from)."""
    return Organisation.objects.filter(type=OrganisationType.BANK).order_by("name")


# --- use cases --------------------------------------------------------------------------------
def apply(
    *,
    actor: Any,
    enterprise_id: int,
    bank_id: int,
    amount_fen: int,
    purpose: str = "",
    on: dt.date | None = None,
) -> Application:
    """A firm (or the zone officer for it) asks a bank for matched credit within its limit."""
    _require_role(actor, Role.ENTERPRISE_USER, Role.ZONE_OFFICER)
    enterprise = scoping.get_writable(actor, Enterprise, pk=enterprise_id)
    bank = bank_directory().filter(pk=bank_id).first()
    if bank is None:
        raise Refused(_("Choose a bank."), field="bank")
    day = _date(on)
    limit, versions = limit_for(enterprise.pk, day)
    try:
        check_amount(limit, amount_fen, used_fen(enterprise.pk))
    except Invalid as exc:
        raise Refused(explain(exc), field="amount") from None
    qualifying = []
    if limit.invest_first_fen:
        qualifying.append({"kind": "invest_first", "amount_fen": limit.invest_first_fen})
    if limit.angel_fen:
        qualifying.append({"kind": "angel_fund", "amount_fen": limit.angel_fen})
    with transaction.atomic():
        app = Application(
            enterprise=enterprise,
            bank=bank,
            requested_fen=amount_fen,
            purpose=purpose.strip()[:300],
            applied_on=day,
            invest_first_fen=limit.invest_first_fen,
            angel_fen=limit.angel_fen,
            invest_first_ratio=limit.invest_first_ratio,
            angel_ratio=limit.angel_ratio,
            limit_fen=limit.total_fen,
            policy_versions=versions,
            qualifying_investments=qualifying,
            created_by=actor,
        )
        app.save()
        Transition.objects.create(
            application=app,
            to_status=Status.SUBMITTED,
            on=day,
            by=actor,
            data={"requested_fen": amount_fen},
        )
        _audit(
            actor,
            "apply",
            app,
            {
                "enterprise_id": enterprise.pk,
                "bank_id": bank.pk,
                "requested": yuan(amount_fen),
                "limit": yuan(limit.total_fen),
                "policy_versions": versions,
            },
        )
    return app


def complete_due_diligence(
    *, actor: Any, application_id: int, summary: str = "", on: dt.date | None = None
) -> Application:
    """The zone hands the bank its diligence package; the clock starts on this day."""
    _require_role(actor, Role.ZONE_OFFICER)
    with transaction.atomic():
        app = _locked(actor, application_id)
        _require(app, Status.SUBMITTED)
        day = _date(on, not_before=_last_step(app))
        try:
            sla = value_at(SLA_DAYS, day)
        except NotInForce as exc:
            raise Refused(
                _("No deadline is in force on %(date)s (from %(first)s).")
                % {"date": day.isoformat(), "first": exc.first.isoformat()}
            ) from None
        app.dd_completed_on, app.sla_days, app.sla_version = day, int(sla.value), sla.version
        _check_deadline_covered(app, day)
        DiligencePackage.objects.create(
            application=app,
            items=_json_dates(investments.diligence_package(app.enterprise_id)),
            evaluation=_evaluations(app.enterprise_id),
            summary=summary.strip(),
            assembled_on=day,
            assembled_by=actor,
        )
        _move(
            app,
            Status.UNDER_REVIEW,
            on=day,
            by=actor,
            note=summary.strip(),
            data={"sla_days": app.sla_days, "sla_version": app.sla_version},
        )
        app.save()
        _audit(
            actor,
            "complete_due_diligence",
            app,
            {"on": day, "sla_days": app.sla_days, "sla_version": app.sla_version},
        )
    return app


def _json_dates(items: list[dict]) -> list[dict]:
    return [
        {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in i.items()} for i in items
    ]


def _evaluations(enterprise_id: int) -> list[dict]:
    out = []
    for ruleset_id in rulesets.ids():
        ev = evaluation.latest_evaluation(enterprise_id, ruleset_id)
        if ev is not None:
            out.append(
                {
                    "ruleset_id": ruleset_id,
                    "ruleset_version": ev.ruleset_version,
                    "evaluated_on": ev.evaluated_on.isoformat(),
                    "total": str(ev.total),
                    "grade": ev.grade,
                    "credit_line_fen": ev.credit_line_fen,
                    "passed": ev.passed,
                }
            )
    return out


def pause(*, actor: Any, application_id: int, documents: str, on: dt.date | None = None) -> Pause:
    """The bank waits for documents from the firm: the clock stops."""
    _require_role(actor, Role.BANK_OFFICER)
    documents = (documents or "").strip()
    if not documents:
        raise Refused(_("Say which documents the bank is waiting for."), field="documents")
    with transaction.atomic():
        app = _locked(actor, application_id)
        _require(app, Status.UNDER_REVIEW)
        day = _date(on, not_before=_last_step(app))
        p = Pause.objects.create(
            application=app, started_on=day, documents_requested=documents, started_by=actor
        )
        _move(app, Status.PAUSED, on=day, by=actor, note=documents)
        app.save(update_fields=["status"])
        _audit(actor, "pause", app, {"on": day, "documents": documents})
    return p


def resume(*, actor: Any, application_id: int, on: dt.date | None = None, note: str = "") -> Pause:
    """The documents arrived: the clock runs again from the end of this day."""
    _require_role(actor, Role.BANK_OFFICER)
    with transaction.atomic():
        app = _locked(actor, application_id)
        _require(app, Status.PAUSED)
        p = app.pauses.select_for_update().get(ended_on__isnull=True)
        day = _date(on, not_before=_last_step(app))
        p.ended_on, p.ended_by = day, actor
        p.save(update_fields=["ended_on", "ended_by"])
        _move(
            app,
            Status.UNDER_REVIEW,
            on=day,
            by=actor,
            note=note.strip(),
            data={"paused_from": p.started_on.isoformat()},
        )
        app.save(update_fields=["status"])
        _check_deadline_covered(app, day)
        _audit(actor, "resume", app, {"on": day, "paused_from": p.started_on})
    return p


def upload_document(
    *,
    actor: Any,
    application_id: int,
    title: str,
    file_name: str,
    content: bytes,
    content_type: str = "application/octet-stream",
) -> Document:
    """A document for the file: from the firm, the zone or the bank (auditors read only)."""
    title = (title or "").strip() or file_name
    if not content:
        raise Refused(_("The file is empty."), field="file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise Refused(_("The file is larger than 10 MB."), field="file")
    with transaction.atomic():
        app = _locked(actor, application_id)
        if app.status in (Status.REJECTED, Status.REFERRED, Status.DISBURSED):
            raise Refused(_("The file is closed; no further documents are taken."))
        doc = Document.objects.create(
            application=app,
            title=title[:200],
            file_name=file_name[:200],
            content_type=content_type[:100],
            content=content,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor,
        )
        _audit(
            actor,
            "upload_document",
            app,
            {"document_id": doc.pk, "title": doc.title, "sha256": doc.sha256},
        )
    return doc


# --- run by the approvals (actions.py): the bank's decision and the disbursement ---------------
APPROVE, REJECT, REFER = "approve", "reject", "refer"
DECISIONS = {APPROVE: Status.APPROVED, REJECT: Status.REJECTED, REFER: Status.REFERRED}


def check_decision(
    app: Application,
    *,
    decision: str,
    amount_fen: int | None,
    reasons: list[str],
    note: str,
    on: dt.date,
) -> None:
    """Refuse a decision the file cannot take (shared by proposing and approving)."""
    if decision not in DECISIONS:
        raise Refused(_("Decide: approve, reject or refer back."), field="decision")
    if app.status == Status.PAUSED:
        raise Refused(_("The clock is paused: resume it when the documents arrive, then decide."))
    _require(app, Status.UNDER_REVIEW)
    _date(on, not_before=_last_step(app))
    if decision == APPROVE:
        if amount_fen is None or amount_fen <= 0:
            raise Refused(_("Give the approved amount."), field="amount")
        if amount_fen > app.limit_fen:
            raise Refused(
                _("%(amount)s is above the firm's matching limit of %(limit)s.")
                % {"amount": yuan(amount_fen), "limit": yuan(app.limit_fen)},
                field="amount",
            )
    elif decision == REJECT:
        unknown = [r for r in reasons if r not in RejectionReason.values]
        if not reasons or unknown:
            raise Refused(_("Choose at least one reason for the rejection."), field="reasons")
        if RejectionReason.OTHER in reasons and not note.strip():
            raise Refused(_("Explain the other reason in the note."), field="note")
    elif not note.strip():
        raise Refused(_("Say what the firm or the zone must change."), field="note")


def record_decision(
    *,
    application_id: int,
    decision: str,
    amount_fen: int | None,
    reasons: list[str],
    note: str,
    on: dt.date,
    maker: Any,
    checker: Any,
) -> None:
    app = Application.objects.select_for_update().get(pk=application_id)
    check_decision(app, decision=decision, amount_fen=amount_fen, reasons=reasons, note=note, on=on)
    to = DECISIONS[decision]
    app.decided_on, app.decided_by, app.decision_note = on, checker, note.strip()
    app.reasons = reasons if decision == REJECT else []
    app.approved_fen = amount_fen if decision == APPROVE else None
    _move(
        app,
        to,
        on=on,
        by=checker,
        note=note.strip(),
        data={
            "decision": decision,
            "amount_fen": app.approved_fen,
            "reasons": app.reasons,
            "proposed_by": maker.username,
        },
    )
    app.save()
    _audit(
        checker,
        "decide",
        app,
        {
            "decision": decision,
            "approved_fen": app.approved_fen,
            "reasons": app.reasons,
            "on": on,
            "maker": maker.username,
        },
    )


def check_disbursement(app: Application, *, amount_fen: int, on: dt.date) -> None:
    _require(app, Status.APPROVED)
    _date(on, not_before=_last_step(app))
    assert app.approved_fen is not None
    if amount_fen <= 0 or amount_fen > app.approved_fen:
        raise Refused(
            _("The disbursement must be positive and at most the approved %(approved)s.")
            % {"approved": yuan(app.approved_fen)},
            field="amount",
        )


def record_disbursement(
    *,
    application_id: int,
    amount_fen: int,
    on: dt.date,
    loan_reference: str,
    maker: Any,
    checker: Any,
) -> None:
    app = Application.objects.select_for_update().get(pk=application_id)
    check_disbursement(app, amount_fen=amount_fen, on=on)
    app.disbursed_on, app.disbursed_fen = on, amount_fen
    app.loan_reference = loan_reference.strip()[:100]
    _move(
        app,
        Status.DISBURSED,
        on=on,
        by=checker,
        note=app.loan_reference,
        data={"amount_fen": amount_fen, "proposed_by": maker.username},
    )
    app.save()
    _audit(
        checker,
        "disburse",
        app,
        {
            "disbursed_fen": amount_fen,
            "on": on,
            "loan_reference": app.loan_reference,
            "maker": maker.username,
        },
    )
