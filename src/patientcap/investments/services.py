"""Changing the invest-first programme: apply, review, decide, sign the agreement, disburse a
tranche, submit milestone evidence, give a verdict, convert, review diligence, write off, exit.

Each use case takes keyword-only arguments, checks in the domain (`domain.invest_first`) before
writing anything, runs in one transaction with its audit record, and books money movements as
balanced ledger entries through `ledger.services`. A refusal raises `InvestFirstError` (a domain
message, translated by the page or the API) or `PermissionDenied`; nothing is then written.

The money-moving use cases (decision, disbursement, conversion, write-off, exit) are called by
the maker-checker actions in `actions.py`, with the checker as actor and the proposal's id.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Sum

from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.audit import services as audit
from patientcap.domain import invest_first as rules
from patientcap.domain.captable import InvestFirst
from patientcap.domain.captable import Variant as DomainVariant
from patientcap.domain.ledger import FISCAL_POOL, credit, debit, realisation
from patientcap.domain.messages import Invalid, gettext_noop
from patientcap.domain.policy import NotInForce
from patientcap.enterprises.models import Enterprise
from patientcap.investments.models import (
    HOLDER,
    Agreement,
    Conversion,
    Decision,
    DiligenceReview,
    Evidence,
    Exit,
    ExitRoute,
    Milestone,
    MilestoneStatus,
    Project,
    Review,
    Stage,
    Tranche,
    Verdict,
    WriteOff,
)
from patientcap.ledger import selectors as ledger_selectors
from patientcap.ledger import services as ledger
from patientcap.policy.registry import value_at

InvestFirstError = rules.InvestFirstError
LOSS_TOLERANCE = "invest_first.loss_tolerance"
CASH, INVESTED, EQUITY = (
    "fiscal_pool.cash",
    "fiscal_pool.invest_first",
    "fiscal_pool.converted_equity",
)
ZONE_STAFF = {Role.ZONE_OFFICER, Role.REVIEWER}
MAX_AMOUNT_FEN = 10**13  # ¥100 billion: far above any single invest-first project


def refuse(template: str, params: dict | None = None) -> InvestFirstError:
    return InvestFirstError(template, params)


def _project(actor: Any, project_id: int, *, lock: bool = False) -> Project:
    scoping.get_writable(actor, Project, pk=project_id)
    queryset = Project.objects.select_for_update() if lock else Project.objects
    return queryset.select_related("enterprise").get(pk=project_id)


def _zone_staff(actor: Any) -> None:
    if not (actor.is_superuser or actor.role in ZONE_STAFF):
        raise PermissionDenied


def _stage(project: Project, *allowed: str) -> None:
    if project.stage not in allowed:
        raise refuse(
            gettext_noop("The project is %(stage)s; this step needs it to be %(allowed)s."),
            {
                "stage": project.get_stage_display(),
                "allowed": " / ".join(str(Stage(s).label) for s in allowed),
            },
        )


def _move(project: Project, stage: str) -> str:
    before = project.stage
    project.stage = stage
    project.save(update_fields=["stage"])
    return before


def _amount(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise refuse(gettext_noop("%(what)s must be a positive amount."), {"what": what})
    if value > MAX_AMOUNT_FEN:
        raise refuse(gettext_noop("%(what)s is too large."), {"what": what})
    return value


# --- Application and decision ------------------------------------------------------------------
def apply(
    *, enterprise_id: int, title: str, plan: str, requested_fen: int, on: dt.date, actor: Any
) -> Project:
    """A firm applies (its own enterprise) or the zone officer registers a project for a firm."""
    scoping.get_writable(actor, Enterprise, pk=enterprise_id)
    if not (actor.is_superuser or actor.role in {Role.ZONE_OFFICER, Role.ENTERPRISE_USER}):
        raise PermissionDenied
    title, plan = (title or "").strip(), (plan or "").strip()
    if not title or len(title) > 200:
        raise refuse(gettext_noop("Give the project a title of 1 to 200 characters."))
    if not plan:
        raise refuse(gettext_noop("Describe the R&D plan the money is for."))
    _amount(requested_fen, gettext_noop("The requested amount"))
    with transaction.atomic():
        project = Project.objects.create(
            enterprise_id=enterprise_id,
            title=title,
            plan=plan,
            requested_fen=requested_fen,
            applied_on=on,
            applied_by=actor,
        )
        audit.record(
            actor=actor,
            action="investments.apply",
            object_type="investments.project",
            object_id=project.pk,
            after={"enterprise_id": enterprise_id, "title": title, "requested_fen": requested_fen},
        )
    return project


def add_review(
    *,
    project_id: int,
    score: Decimal,
    opinion: str,
    on: dt.date,
    actor: Any,
    evaluation_id: int | None = None,
) -> Review:
    """A reviewer's score (0–100) and opinion; the first one puts the project under review."""
    _zone_staff(actor)
    if not isinstance(score, Decimal) or not Decimal(0) <= score <= Decimal(100):
        raise refuse(gettext_noop("A score is a number from 0 to 100."))
    if not (opinion or "").strip():
        raise refuse(gettext_noop("Write the reviewer's opinion."))
    with transaction.atomic():
        project = _project(actor, project_id, lock=True)
        _stage(project, Stage.APPLIED, Stage.UNDER_REVIEW)
        review = Review.objects.create(
            project=project,
            reviewer=actor,
            score=score.quantize(Decimal("0.01")),
            opinion=opinion.strip(),
            evaluation_id=evaluation_id,
            reviewed_on=on,
        )
        _move(project, Stage.UNDER_REVIEW)
        audit.record(
            actor=actor,
            action="investments.review",
            object_type="investments.project",
            object_id=project.pk,
            after={"review_id": review.pk, "score": str(review.score)},
        )
    return review


def check_decision(*, project: Project, approved: bool, amount_fen: int | None) -> None:
    _stage(project, Stage.UNDER_REVIEW)
    if approved:
        _amount(amount_fen, gettext_noop("The approved amount"))


def record_decision(
    *,
    project_id: int,
    approved: bool,
    amount_fen: int | None,
    on: dt.date,
    comment: str,
    made_by: Any,
    actor: Any,
    proposal_id: int | None = None,
) -> Decision:
    """The committee's decision, once checked by `actor` (the checker)."""
    with transaction.atomic():
        project = _project(actor, project_id, lock=True)
        check_decision(project=project, approved=approved, amount_fen=amount_fen)
        decision = Decision.objects.create(
            project=project,
            approved=approved,
            amount_fen=amount_fen if approved and amount_fen else 0,
            decided_on=on,
            comment=comment,
            proposal_id=proposal_id,
            made_by=made_by,
            checked_by=actor,
        )
        before = _move(project, Stage.APPROVED if approved else Stage.REJECTED)
        audit.record(
            actor=actor,
            action="investments.decide",
            object_type="investments.project",
            object_id=project.pk,
            before={"stage": before},
            after={"stage": project.stage, "amount_fen": decision.amount_fen},
        )
    return decision


# --- Agreement ---------------------------------------------------------------------------------
def terms_of(agreement: Agreement) -> rules.Agreement:
    """The stored agreement as the domain's value (milestone statuses included)."""
    conversion = InvestFirst(
        HOLDER,
        agreement.amount_fen,
        DomainVariant(agreement.variant),
        discount=agreement.discount,
        agreed_valuation_fen=agreement.agreed_valuation_fen,
        fixed_fraction=agreement.fixed_fraction,
    )
    buyback = (
        rules.BuybackTerms(
            agreement.buyback_rate,
            floor_fen=agreement.buyback_floor_fen,
            cap_fen=agreement.buyback_cap_fen,
        )
        if agreement.buyback_rate is not None
        else None
    )
    return rules.Agreement(
        conversion=conversion,
        signed=agreement.signed_on,
        conversion_deadline=agreement.conversion_deadline,
        tranches=tuple(rules.Tranche(t.due_on, t.amount_fen) for t in agreement.tranches.all()),
        milestones=tuple(
            rules.Milestone(
                m.what,
                m.measure,
                m.target,
                m.due_on,
                m.evidence_required,
                rules.MilestoneStatus(m.status),
            )
            for m in agreement.milestones.all()
        ),
        buyback=buyback,
        trigger_event=agreement.trigger_event,
    )


def tolerance_in_force(on: dt.date) -> tuple[Decimal, str] | None:
    try:
        found = value_at(LOSS_TOLERANCE, on)
    except NotInForce:
        return None
    return found.as_ratio(), found.version


def sign_agreement(
    *,
    project_id: int,
    signed_on: dt.date,
    amount_fen: int,
    variant: str,
    conversion_deadline: dt.date,
    tranches: list[tuple[dt.date, int]],
    milestones: list[dict[str, Any]],
    actor: Any,
    discount: Decimal = Decimal(0),
    agreed_valuation_fen: int | None = None,
    fixed_fraction: Decimal | None = None,
    trigger_event: str = "",
    buyback_rate: Decimal | None = None,
    buyback_floor_fen: int = 0,
    buyback_cap_fen: int | None = None,
) -> Agreement:
    """Record the signed agreement of an approved project: amount (at most the approved one),
    tranches (adding up to at most the amount), milestones, conversion and buyback terms, and the
    loss tolerance in force with its policy version. Milestones are dicts with what, measure,
    target, due (date) and evidence_required."""
    if not (actor.is_superuser or actor.role == Role.ZONE_OFFICER):
        raise PermissionDenied
    _amount(amount_fen, gettext_noop("The agreement's amount"))
    if not tranches:
        raise refuse(gettext_noop("An agreement needs at least one tranche."))
    if not Decimal(0) <= discount < Decimal(1):
        raise refuse(gettext_noop("A discount is between 0 and 100%%."))
    try:
        domain_tranches = tuple(rules.Tranche(due, fen) for due, fen in tranches)
        domain_milestones = tuple(
            rules.Milestone(
                str(m["what"]).strip(),
                str(m["measure"]).strip(),
                str(m["target"]).strip(),
                m["due"],
                str(m["evidence_required"]).strip(),
            )
            for m in milestones
        )
        terms = rules.Agreement(
            conversion=InvestFirst(
                HOLDER,
                amount_fen,
                DomainVariant(variant),
                discount=discount,
                agreed_valuation_fen=agreed_valuation_fen,
                fixed_fraction=fixed_fraction,
            ),
            signed=signed_on,
            conversion_deadline=conversion_deadline,
            tranches=domain_tranches,
            milestones=domain_milestones,
            buyback=(
                rules.BuybackTerms(buyback_rate, buyback_floor_fen, buyback_cap_fen)
                if buyback_rate is not None
                else None
            ),
            trigger_event=trigger_event.strip(),
        )
    except Invalid as exc:  # the agreement rules, or the cap table refusing the terms
        raise refuse(exc.message.template, exc.message.params) from None
    except ValueError:
        raise refuse(gettext_noop("Unknown conversion variant %(v)s."), {"v": variant}) from None
    tolerance = tolerance_in_force(signed_on)
    with transaction.atomic():
        project = _project(actor, project_id, lock=True)
        _stage(project, Stage.APPROVED)
        if amount_fen > project.decision.amount_fen:
            raise refuse(
                gettext_noop(
                    "The agreement's %(amount)s fen exceed the %(approved)s fen the committee "
                    "approved."
                ),
                {"amount": amount_fen, "approved": project.decision.amount_fen},
            )
        agreement = Agreement.objects.create(
            project=project,
            amount_fen=amount_fen,
            signed_on=signed_on,
            variant=variant,
            discount=discount,
            agreed_valuation_fen=agreed_valuation_fen,
            fixed_fraction=fixed_fraction,
            conversion_deadline=conversion_deadline,
            trigger_event=terms.trigger_event,
            buyback_rate=buyback_rate,
            buyback_floor_fen=buyback_floor_fen,
            buyback_cap_fen=buyback_cap_fen,
            loss_tolerance=tolerance[0] if tolerance else None,
            policy_version=tolerance[1] if tolerance else "",
            created_by=actor,
        )
        Tranche.objects.bulk_create(
            Tranche(agreement=agreement, number=i, due_on=t.due, amount_fen=t.amount_fen)
            for i, t in enumerate(domain_tranches, 1)
        )
        Milestone.objects.bulk_create(
            Milestone(
                agreement=agreement,
                number=i,
                what=m.what,
                measure=m.measure,
                target=m.target,
                due_on=m.due,
                evidence_required=m.evidence_required,
            )
            for i, m in enumerate(domain_milestones, 1)
        )
        _move(project, Stage.SIGNED)
        audit.record(
            actor=actor,
            action="investments.sign_agreement",
            object_type="investments.project",
            object_id=project.pk,
            after={
                "agreement_id": agreement.pk,
                "amount_fen": amount_fen,
                "variant": variant,
                "tranches": len(domain_tranches),
                "milestones": len(domain_milestones),
                "policy_version": agreement.policy_version,
            },
        )
    return agreement


# --- Disbursement ------------------------------------------------------------------------------
def disbursed_fen(agreement: Agreement, on: dt.date | None = None) -> int:
    paid = agreement.tranches.filter(disbursed_on__isnull=False)
    if on is not None:
        paid = paid.filter(disbursed_on__lte=on)
    return int(paid.aggregate(total=Sum("amount_fen"))["total"] or 0)


def check_disbursement(*, tranche: Tranche, on: dt.date) -> rules.Disbursement:
    project = tranche.agreement.project
    _stage(project, Stage.SIGNED, Stage.DISBURSING)
    if tranche.disbursed_on is not None:
        raise refuse(
            gettext_noop("Tranche %(n)s was already disbursed on %(on)s."),
            {"n": tranche.number, "on": tranche.disbursed_on.isoformat()},
        )
    if on < tranche.agreement.signed_on:
        raise refuse(gettext_noop("A tranche cannot be paid before the agreement is signed."))
    agreement = tranche.agreement
    return rules.check_disbursement(
        terms_of(agreement),
        disbursed_fen=disbursed_fen(agreement),
        tranche_fen=tranche.amount_fen,
        pool_available_fen=ledger_selectors.balance(CASH),
    )


def disburse(
    *, tranche_id: int, on: dt.date, actor: Any, proposal_id: int | None = None
) -> Tranche:
    """Pay a tranche from the fiscal pool: fiscal_pool.invest_first Dr / fiscal_pool.cash Cr."""
    with transaction.atomic():
        tranche = (
            Tranche.objects.select_for_update()
            .select_related("agreement__project")
            .get(pk=scoping.get_writable(actor, Tranche, pk=tranche_id).pk)
        )
        project = _project(actor, tranche.agreement.project_id, lock=True)
        check_disbursement(tranche=tranche, on=on)
        entry = ledger.post_entry(
            book=FISCAL_POOL,
            date=on,
            memo=f"先投后股拨付：{project.title} 第{tranche.number}笔",
            idempotency_key=f"invest-first:tranche:{tranche.pk}",
            postings=[debit(INVESTED, tranche.amount_fen), credit(CASH, tranche.amount_fen)],
            actor=actor,
            source=f"investments.tranche:{tranche.pk}",
        )
        tranche.disbursed_on, tranche.entry, tranche.proposal_id = on, entry, proposal_id
        tranche.save(update_fields=["disbursed_on", "entry", "proposal_id"])
        before = _move(project, Stage.DISBURSING)
        audit.record(
            actor=actor,
            action="investments.disburse",
            object_type="investments.tranche",
            object_id=tranche.pk,
            before={"stage": before},
            after={"amount_fen": tranche.amount_fen, "entry_id": entry.pk, "on": on.isoformat()},
        )
    return tranche


# --- Milestones --------------------------------------------------------------------------------
def submit_evidence(
    *, milestone_id: int, file: File, note: str, on: dt.date, actor: Any
) -> Evidence:
    """The firm (or the zone officer) uploads evidence; the milestone awaits a verdict."""
    if file is None or not getattr(file, "name", ""):
        raise refuse(gettext_noop("Attach the evidence file."))
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().get(
            pk=scoping.get_writable(actor, Milestone, pk=milestone_id).pk
        )
        if actor.role == Role.REVIEWER:
            raise PermissionDenied  # reviewers judge evidence; they do not submit it
        _stage(milestone.agreement.project, Stage.SIGNED, Stage.DISBURSING)
        if milestone.status == MilestoneStatus.MET:
            raise refuse(gettext_noop("This milestone is already met."))
        evidence = Evidence.objects.create(
            milestone=milestone,
            file=file,
            note=(note or "").strip(),
            submitted_by=actor,
            submitted_on=on,
        )
        before = milestone.status
        milestone.status = MilestoneStatus.SUBMITTED
        milestone.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="investments.evidence",
            object_type="investments.milestone",
            object_id=milestone.pk,
            before={"status": before},
            after={"evidence_id": evidence.pk, "file": evidence.file.name},
        )
    return evidence


def give_verdict(*, milestone_id: int, met: bool, comment: str, on: dt.date, actor: Any) -> Verdict:
    """A reviewer's verdict on the latest evidence: never by the person who submitted it."""
    _zone_staff(actor)
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().get(
            pk=scoping.get_writable(actor, Milestone, pk=milestone_id).pk
        )
        _stage(milestone.agreement.project, Stage.SIGNED, Stage.DISBURSING)
        evidence = milestone.evidence.order_by("-submitted_on", "-pk").first()
        if milestone.status != MilestoneStatus.SUBMITTED or evidence is None:
            raise refuse(gettext_noop("There is no evidence awaiting a verdict."))
        if evidence.submitted_by_id == actor.pk:
            raise refuse(
                gettext_noop("You submitted this evidence: another reviewer must give the verdict.")
            )
        verdict = Verdict.objects.create(
            milestone=milestone,
            evidence=evidence,
            met=met,
            comment=(comment or "").strip(),
            given_by=actor,
            given_on=on,
        )
        milestone.status = MilestoneStatus.MET if met else MilestoneStatus.FAILED
        milestone.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="investments.verdict",
            object_type="investments.milestone",
            object_id=milestone.pk,
            before={"status": MilestoneStatus.SUBMITTED},
            after={"status": milestone.status, "verdict_id": verdict.pk},
        )
    return verdict


# --- Conversion --------------------------------------------------------------------------------
def check_conversion(*, project: Project, on: dt.date, trigger_occurred: bool) -> InvestFirst:
    """The instrument to convert (the agreement's terms on the money paid in), once the
    agreement allows the conversion on `on` and the firm's cap table is open."""
    from patientcap.equity.models import CapTableEvent, EventKind

    _stage(project, Stage.DISBURSING)
    agreement = project.agreement
    paid = disbursed_fen(agreement)
    terms = terms_of(agreement)
    rules.ensure_may_convert(terms, on, trigger_occurred=trigger_occurred)
    opened = CapTableEvent.objects.filter(
        enterprise_id=project.enterprise_id, kind=EventKind.OPEN, on__lte=on
    )
    if not opened.exists():
        raise refuse(gettext_noop("Open the enterprise's cap table first (equity)."))
    return terms.convertible(paid)


def convert(
    *,
    project_id: int,
    on: dt.date,
    actor: Any,
    trigger_occurred: bool = False,
    round_id: int | None = None,
    exit_plan: dict[str, Any] | None = None,
    proposal_id: int | None = None,
) -> Conversion:
    """Convert the money paid in to equity on the firm's cap table (equity app), give the stake
    its exit plan and next-round tracker there (`exit_plan`: exit_route, exit_horizon_years,
    target_multiple; by default a buyback — or, without buyback terms, a sale in a later round —
    within 3 years at 1.2×), and reclassify the money:
    fiscal_pool.converted_equity Dr / fiscal_pool.invest_first Cr."""
    from patientcap.equity import services as equity

    with transaction.atomic():
        project = _project(actor, project_id, lock=True)
        instrument = check_conversion(project=project, on=on, trigger_occurred=trigger_occurred)
        amount = instrument.amount_fen
        holding = equity.convert_invest_first(
            enterprise_id=project.enterprise_id,
            instrument=instrument,
            on=on,
            actor=actor,
            source=f"investments.project:{project.pk}",
            round_id=round_id,
        )
        equity.track_converted_invest_first(
            enterprise_id=project.enterprise_id,
            holder=HOLDER,
            on=on,
            actor=actor,
            plan=exit_plan or default_exit_plan(project.agreement),
        )
        entry = ledger.post_entry(
            book=FISCAL_POOL,
            date=on,
            memo=f"先投后股转股：{project.title}",
            idempotency_key=f"invest-first:conversion:{project.pk}",
            postings=[debit(EQUITY, amount), credit(INVESTED, amount)],
            actor=actor,
            source=f"investments.project:{project.pk}",
        )
        agreement = project.agreement
        conversion = Conversion.objects.create(
            project=project,
            converted_on=on,
            variant=agreement.variant,
            trigger_occurred=trigger_occurred,
            amount_fen=amount,
            shares=holding.shares,
            price=holding.price,
            stake=holding.stake,
            residue_fen=holding.residue_fen,
            round_id=round_id,
            terms=conversion_terms(agreement),
            policy_version=agreement.policy_version,
            entry=entry,
            proposal_id=proposal_id,
        )
        before = _move(project, Stage.CONVERTED)
        audit.record(
            actor=actor,
            action="investments.convert",
            object_type="investments.project",
            object_id=project.pk,
            before={"stage": before},
            after={
                "shares": conversion.shares,
                "stake": str(conversion.stake),
                "residue_fen": str(conversion.residue_fen),
                "entry_id": entry.pk,
            },
        )
    return conversion


def default_exit_plan(agreement: Agreement) -> dict[str, Any]:
    return {
        "exit_route": "buyback" if agreement.buyback_rate is not None else "secondary",
        "exit_horizon_years": 3,
        "target_multiple": Decimal("1.2"),
    }


def conversion_terms(agreement: Agreement) -> dict[str, Any]:
    return {
        "variant": agreement.variant,
        "discount": str(agreement.discount),
        "agreed_valuation_fen": agreement.agreed_valuation_fen,
        "fixed_fraction": None
        if agreement.fixed_fraction is None
        else str(agreement.fixed_fraction),
        "trigger_event": agreement.trigger_event,
        "conversion_deadline": agreement.conversion_deadline.isoformat(),
    }


# --- Write-off (容亏) ---------------------------------------------------------------------------
def record_diligence(
    *,
    project_id: int,
    on: dt.date,
    findings: str,
    actor: Any,
    duly_diligent: bool = True,
    recovered_fen: int = 0,
) -> DiligenceReview:
    """The diligence review a write-off needs: what was checked, whether the team acted with due
    diligence (尽职免责), and what can be recovered (合理补偿)."""
    _zone_staff(actor)
    if not (findings or "").strip():
        raise refuse(gettext_noop("Write the findings of the diligence review."))
    if not isinstance(recovered_fen, int) or recovered_fen < 0:
        raise refuse(gettext_noop("A recovery cannot be negative."))
    with transaction.atomic():
        project = _project(actor, project_id, lock=True)
        _stage(project, Stage.SIGNED, Stage.DISBURSING)
        review = DiligenceReview.objects.create(
            project=project,
            reviewed_on=on,
            findings=findings.strip(),
            duly_diligent=duly_diligent,
            recovered_fen=recovered_fen,
            by=actor,
        )
        audit.record(
            actor=actor,
            action="investments.diligence",
            object_type="investments.project",
            object_id=project.pk,
            after={"diligence_id": review.pk, "recovered_fen": recovered_fen},
        )
    return review


def check_write_off(
    *, project: Project, diligence_id: int, on: dt.date
) -> tuple[rules.WriteOff, DiligenceReview, int, Decimal, str]:
    _stage(project, Stage.DISBURSING)
    review = project.diligence.filter(pk=diligence_id).first()
    if review is None:
        raise refuse(gettext_noop("Record the diligence review first: a write-off rests on it."))
    if not review.duly_diligent:
        raise refuse(
            gettext_noop(
                "The diligence review did not find that the team acted with due diligence; "
                "the loss is not exempt."
            )
        )
    agreement = project.agreement
    grounds = rules.may_write_off(terms_of(agreement), on)
    if not grounds.allowed:
        raise refuse(grounds.reasons[0].template, grounds.reasons[0].params)
    tolerance = tolerance_in_force(on)
    if tolerance is None:
        raise refuse(
            gettext_noop("No loss tolerance is in force on %(on)s."), {"on": on.isoformat()}
        )
    paid = disbursed_fen(agreement)
    result = rules.write_off(
        disbursed_fen=paid, recovered_fen=review.recovered_fen, tolerance=tolerance[0]
    )
    return result, review, paid, tolerance[0], tolerance[1]


def write_off(
    *, project_id: int, diligence_id: int, on: dt.date, actor: Any, proposal_id: int | None = None
) -> WriteOff:
    """Write off what cannot be recovered, within the loss tolerance in force:
    fiscal_pool.write_off_losses Dr (and cash Dr for a recovery) / fiscal_pool.invest_first Cr."""
    with transaction.atomic():
        project = _project(actor, project_id, lock=True)
        result, review, paid, tolerance, version = check_write_off(
            project=project, diligence_id=diligence_id, on=on
        )
        recovered = paid - result.loss_fen
        postings = [credit(INVESTED, paid)]
        if result.loss_fen:
            postings.append(debit("fiscal_pool.write_off_losses", result.loss_fen))
        if recovered:
            postings.append(debit(CASH, recovered))
        entry = ledger.post_entry(
            book=FISCAL_POOL,
            date=on,
            memo=f"先投后股容亏核销：{project.title}",
            idempotency_key=f"invest-first:write-off:{project.pk}",
            postings=postings,
            actor=actor,
            source=f"investments.project:{project.pk}",
        )
        row = WriteOff.objects.create(
            project=project,
            diligence=review,
            written_off_on=on,
            disbursed_fen=paid,
            recovered_fen=recovered,
            loss_fen=result.loss_fen,
            loss_ratio=result.loss_ratio,
            tolerance=tolerance,
            policy_version=version,
            entry=entry,
            proposal_id=proposal_id,
        )
        before = _move(project, Stage.WRITTEN_OFF)
        audit.record(
            actor=actor,
            action="investments.write_off",
            object_type="investments.project",
            object_id=project.pk,
            before={"stage": before},
            after={
                "loss_fen": row.loss_fen,
                "loss_ratio": str(row.loss_ratio),
                "policy_version": version,
                "entry_id": entry.pk,
            },
        )
    return row


# --- Exit --------------------------------------------------------------------------------------
def check_exit(
    *,
    project: Project,
    route: str,
    on: dt.date,
    proceeds_fen: int | None = None,
    exit_value_fen: int | None = None,
) -> tuple[rules.ExitResult, dict[str, Any]]:
    """The exit's proceeds and realised gain: buyback by the agreement's formula, a sale or an IPO
    at the proceeds given, M&A through the liquidation waterfall of the firm's cap table."""
    from patientcap.equity import selectors as equity

    if route not in ExitRoute.values:
        raise refuse(gettext_noop("Unknown exit route %(route)s."), {"route": route})
    if route == ExitRoute.BUYBACK:
        _stage(project, Stage.DISBURSING, Stage.CONVERTED)
    else:
        _stage(project, Stage.CONVERTED)
    agreement = project.agreement
    converted = project.stage == Stage.CONVERTED
    cost = project.conversion.amount_fen if converted else disbursed_fen(agreement)
    terms: dict[str, Any] = {}
    if route == ExitRoute.BUYBACK:
        buyback = terms_of(agreement).buyback
        if buyback is None:
            raise refuse(gettext_noop("The agreement has no buyback terms."))
        price = rules.buyback_price(
            buyback,
            [(t.disbursed_on, t.amount_fen) for t in agreement.tranches.all() if t.disbursed_on],
            on,
        )
        proceeds_fen = price.price_fen
        terms = {
            "formula_fen": price.formula_fen,
            "bound": price.bound,
            "rate": str(agreement.buyback_rate),
        }
    elif route == ExitRoute.MERGER:
        if not isinstance(exit_value_fen, int) or exit_value_fen < 0:
            raise refuse(gettext_noop("Give the price of the whole company in the merger."))
        proceeds_fen = equity.waterfall_payout(project.enterprise_id, HOLDER, exit_value_fen, on)
        terms = {"exit_value_fen": exit_value_fen}
    if not isinstance(proceeds_fen, int) or isinstance(proceeds_fen, bool):
        raise refuse(gettext_noop("Give the exit proceeds."))
    result = rules.realise_exit(rules.ExitRoute(route), cost_fen=cost, proceeds_fen=proceeds_fen)
    return result, terms


def exit_project(
    *,
    project_id: int,
    route: str,
    on: dt.date,
    actor: Any,
    proceeds_fen: int | None = None,
    exit_value_fen: int | None = None,
    buyer: str = "",
    proposal_id: int | None = None,
) -> Exit:
    """Exit the stake: the proceeds return to the pool's cash, the cost leaves the investment
    account, and the difference is a realised gain or loss."""
    from patientcap.equity import selectors as equity_selectors
    from patientcap.equity import services as equity

    with transaction.atomic():
        project = _project(actor, project_id, lock=True)
        result, terms = check_exit(
            project=project,
            route=route,
            on=on,
            proceeds_fen=proceeds_fen,
            exit_value_fen=exit_value_fen,
        )
        converted = project.stage == Stage.CONVERTED
        shares = None
        buyer = (buyer or "").strip()[:200] or str(ExitRoute(route).label)
        if converted and route == ExitRoute.MERGER:
            # The whole company is sold: the cap table's waterfall pays every holder, and closes.
            sale = equity.record_exit(
                enterprise_id=project.enterprise_id,
                on=on,
                proceeds_fen=terms["exit_value_fen"],
                actor=actor,
                source=f"investments.project:{project.pk}",
            )
            shares = equity_selectors.holding_shares(project.enterprise_id, HOLDER, on) or None
            if sale.payouts.get(HOLDER, 0) != result.proceeds_fen:
                raise refuse(gettext_noop("The waterfall changed while the exit was being booked."))
        elif converted:
            shares = equity_selectors.holding_shares(project.enterprise_id, HOLDER, on)
            if shares:
                equity.transfer_holding(
                    enterprise_id=project.enterprise_id,
                    holder=HOLDER,
                    shares=shares,
                    buyer=buyer,
                    on=on,
                    proceeds_fen=result.proceeds_fen,
                    actor=actor,
                    source=f"investments.project:{project.pk}",
                )
        postings = realisation(
            EQUITY if converted else INVESTED, result.cost_fen, result.proceeds_fen
        )
        entry = ledger.post_entry(
            book=FISCAL_POOL,
            date=on,
            memo=f"先投后股退出（{ExitRoute(route).label}）：{project.title}",
            idempotency_key=f"invest-first:exit:{project.pk}",
            postings=postings,
            actor=actor,
            source=f"investments.project:{project.pk}",
        )
        row = Exit.objects.create(
            project=project,
            route=route,
            exited_on=on,
            buyer=buyer,
            shares=shares,
            cost_fen=result.cost_fen,
            proceeds_fen=result.proceeds_fen,
            gain_fen=result.gain_fen,
            multiple=result.multiple,
            terms=terms,
            entry=entry,
            proposal_id=proposal_id,
        )
        before = _move(project, Stage.EXITED)
        audit.record(
            actor=actor,
            action="investments.exit",
            object_type="investments.project",
            object_id=project.pk,
            before={"stage": before},
            after={
                "route": route,
                "proceeds_fen": row.proceeds_fen,
                "gain_fen": row.gain_fen,
                "entry_id": entry.pk,
            },
        )
    return row
