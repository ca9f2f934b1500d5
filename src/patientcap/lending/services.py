"""Write use cases of 科企梯度贷: apply, due diligence (bank and guarantor in parallel), the
zone's approval, contract, disbursement, repayment, restructuring, write-off, claim, compensation
and recovery.

Each function takes keyword arguments, runs in one transaction with an audit record, and refuses
bad input with `LendingRefusal` (a translatable message) before writing anything. Approval,
compensation and recovery move the zone's money or commitments: they run only as the execution
of an approved proposal (`lending/actions.py`). Servicing figures come from `domain/loans.py`,
loss sharing from `domain/risk_sharing.py`; the policy in force is read through `rules.py` and
each decision stores the versions it used.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Sum

from patientcap.accounts import scoping
from patientcap.accounts.models import Organisation, OrganisationType, Role
from patientcap.audit.services import record
from patientcap.domain import loans as engine
from patientcap.domain.ledger import credit, debit
from patientcap.domain.messages import Invalid, gettext_noop
from patientcap.domain.money import format_yuan
from patientcap.domain.risk_sharing import (
    Default,
    RiskSharingError,
    Split,
    Usage,
    loss_base,
    share_loss,
    share_recovery,
)
from patientcap.enterprises.models import Enterprise
from patientcap.ledger.services import post_entry
from patientcap.lending import rules
from patientcap.lending.models import (
    NON_PERFORMING,
    Application,
    ApplicationStatus,
    Claim,
    ClaimShare,
    ClaimStatus,
    Disbursement,
    DueDiligence,
    EventKind,
    Instalment,
    Loan,
    LoanEvent,
    LoanStatus,
    Party,
    Recovery,
    Repayment,
)
from patientcap.lending.rules import PolicyRefusal, Versions
from patientcap.lending.selectors import loan_state, penalty_due, portfolio

POOL_CASH = "risk_compensation_pool.cash"
BOOK = "risk_compensation_pool"
UNSETTLED = Q(principal_paid_fen__lt=F("principal_fen")) | Q(
    interest_paid_fen__lt=F("interest_fen")
)
MAX_TEXT = 500


class LendingRefusal(Invalid):
    """A refused request: nothing was written."""


def refuse(template: str, **params: Any) -> LendingRefusal:
    return LendingRefusal(template, params)


def _text(value: str, field: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise refuse(gettext_noop("Please fill in the %(field)s."), field=field)
    return value[:limit]


# --- Application ---------------------------------------------------------------------------
def _next_reference(prefix: str, model: Any, on: dt.date) -> str:
    stem = f"{prefix}-{on.year}-"
    count = model.objects.filter(reference__startswith=stem).count()
    return f"{stem}{count + 1:04d}"


def apply(
    *,
    actor: Any,
    enterprise_id: int,
    bank_id: int,
    guarantor_id: int,
    amount_fen: int,
    annual_rate: Decimal,
    tenor_months: int,
    method: str,
    purpose: str,
    on: dt.date,
) -> Application:
    """A tiered-loan application, at the tier the firm qualifies for on `on`. Made by the firm
    itself, by the bank for a firm that shares its data with it, or by the zone officer."""
    enterprise = scoping.readable(actor, Enterprise).filter(pk=enterprise_id).first()
    if enterprise is None or actor.role not in {
        Role.ENTERPRISE_USER,
        Role.BANK_OFFICER,
        Role.ZONE_OFFICER,
    }:
        raise refuse(gettext_noop("You cannot apply for a tiered loan for this enterprise."))
    bank = Organisation.objects.filter(pk=bank_id, type=OrganisationType.BANK).first()
    guarantor = Organisation.objects.filter(
        pk=guarantor_id, type=OrganisationType.GUARANTOR
    ).first()
    if bank is None or guarantor is None:
        raise refuse(gettext_noop("Choose a partner bank and a partner guarantor."))
    if actor.role == Role.BANK_OFFICER and bank.pk != actor.organisation_id:
        raise refuse(gettext_noop("A bank officer applies with their own bank only."))
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise refuse(gettext_noop("The amount must be above zero."))
    if method not in {m.value for m in engine.Method}:
        raise refuse(gettext_noop("Choose a repayment method."))
    if not isinstance(annual_rate, Decimal) or annual_rate <= 0:
        raise refuse(gettext_noop("The annual rate must be above zero."))
    purpose = _text(purpose, gettext_noop("purpose"), 200)
    versions = Versions()
    found = rules.firm_tier(enterprise.pk, on, versions)
    if found is None:
        raise refuse(
            gettext_noop(
                "%(firm)s is not eligible for a tiered loan on %(date)s: it holds no valid "
                "certification or evaluation result that any tier asks for."
            ),
            firm=enterprise.name,
            date=on.isoformat(),
        )
    tier, basis = found
    _check_terms(tier, amount_fen, annual_rate, tenor_months, on, versions)
    with transaction.atomic():
        application = Application.objects.create(
            reference=_next_reference("TL", Application, on),
            enterprise=enterprise,
            bank=bank,
            guarantor=guarantor,
            tier=tier,
            tier_basis=basis[:300],
            amount_fen=amount_fen,
            annual_rate=annual_rate,
            tenor_months=tenor_months,
            method=method,
            purpose=purpose,
            applied_on=on,
            policy_versions=versions.used,
            submitted_by=actor,
        )
        record(
            actor=actor,
            action="lending.application.submit",
            object_type="lending.application",
            object_id=application.pk,
            after={
                "reference": application.reference,
                "enterprise": enterprise.pk,
                "tier": tier,
                "amount_fen": amount_fen,
                "policy_versions": versions.used,
            },
        )
    return application


def _check_terms(
    tier: str,
    amount_fen: int,
    annual_rate: Decimal,
    tenor_months: int,
    on: dt.date,
    versions: Versions,
) -> rules.TierTerms:
    terms = rules.tier_terms(tier, on, versions)
    if amount_fen > terms.max_amount_fen:
        raise refuse(
            gettext_noop(
                "%(amount)s is above the ceiling of the %(tier)s tier (%(ceiling)s). Nothing "
                "was saved."
            ),
            amount=format_yuan(amount_fen),
            tier=tier,
            ceiling=format_yuan(terms.max_amount_fen),
        )
    if annual_rate > terms.rate_cap:
        raise refuse(
            gettext_noop("The rate %(rate)s is above the tier's cap of %(cap)s."),
            rate=f"{annual_rate * 100:.2f}%",
            cap=f"{terms.rate_cap * 100:.2f}%",
        )
    if not isinstance(tenor_months, int) or not 1 <= tenor_months <= terms.max_tenor_months:
        raise refuse(
            gettext_noop("The tenor must be 1 to %(max)s months for this tier."),
            max=terms.max_tenor_months,
        )
    return terms


def record_diligence(
    *,
    actor: Any,
    application_id: int,
    favourable: bool,
    opinion: str,
    on: dt.date,
    party: str | None = None,
) -> DueDiligence:
    """The bank's or the guarantor's due-diligence opinion (each side once, in any order).
    Both favourable: the file waits for the zone's approval; either unfavourable: declined.
    A partner without a platform login sends its opinion letter, which a zone officer records
    for it (naming the `party`)."""
    application = scoping.writable(actor, Application).filter(pk=application_id).first()
    own = {Role.BANK_OFFICER: Party.BANK, Role.GUARANTOR_OFFICER: Party.GUARANTOR}.get(actor.role)
    if actor.role == Role.ZONE_OFFICER and party in {Party.BANK, Party.GUARANTOR}:
        own = Party(party)
    if application is None or own is None:
        raise refuse(gettext_noop("Only the file's bank or guarantor records due diligence."))
    party = own
    organisation_id = application.bank_id if party == Party.BANK else application.guarantor_id
    opinion = _text(opinion, gettext_noop("opinion"), 4000)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.DILIGENCE:
            raise refuse(gettext_noop("This application is no longer in due diligence."))
        if application.diligence.filter(party=party).exists():
            raise refuse(gettext_noop("Your side's due diligence is already recorded."))
        dd = DueDiligence.objects.create(
            application=application,
            party=party,
            organisation_id=organisation_id,
            favourable=bool(favourable),
            opinion=opinion,
            decided_by=actor,
            decided_on=on,
        )
        opinions = list(application.diligence.values_list("favourable", flat=True))
        if not all(opinions):
            application.status = ApplicationStatus.DECLINED
            application.decided_on = on
            application.decision_note = opinion[:500]
        elif len(opinions) == 2:
            application.status = ApplicationStatus.READY
        application.save(update_fields=["status", "decided_on", "decision_note"])
        record(
            actor=actor,
            action="lending.diligence.record",
            object_type="lending.application",
            object_id=application.pk,
            after={"party": party, "favourable": dd.favourable, "status": application.status},
        )
    return dd


def bank_npl_ratio(bank_id: int, on: dt.date) -> Decimal:
    """The bank's tiered-loan NPL ratio on `on`: non-performing principal ÷ all outstanding."""
    book = portfolio(Loan.objects.filter(bank_id=bank_id), on)
    total = sum(row.outstanding_fen for row in book)
    npl = sum(row.outstanding_fen for row in book if row.category in NON_PERFORMING)
    return Decimal(0) if total == 0 else Decimal(npl) / Decimal(total)


def check_approval(application: Application, on: dt.date, versions: Versions) -> None:
    """What the zone's approval re-checks: the file is ready, the firm still holds the tier on
    the day, the terms fit the tier as they stood on the application date, and the bank's NPL
    ratio has not tripped the circuit breaker on the day."""
    if application.status != ApplicationStatus.READY:
        raise refuse(
            gettext_noop("Only an application with both due diligences favourable is approved.")
        )
    if rules.tier_open(application.enterprise_id, application.tier, on, versions) is None:
        raise refuse(
            gettext_noop("The enterprise no longer qualifies for the %(tier)s tier."),
            tier=application.tier,
        )
    # The terms are those of the policy in force when the firm applied (its LPR, its caps).
    _check_terms(
        application.tier,
        application.amount_fen,
        application.annual_rate,
        application.tenor_months,
        application.applied_on,
        versions,
    )
    ratio = bank_npl_ratio(application.bank_id, on)
    threshold = rules.breaker_threshold(on, versions)
    if ratio > threshold:
        raise refuse(
            gettext_noop(
                "The bank's NPL ratio %(ratio)s is above the circuit-breaker threshold "
                "%(threshold)s: no new loans are included."
            ),
            ratio=f"{ratio:.2%}",
            threshold=f"{threshold:.2%}",
        )


def approve_application(*, application_id: int, actor: Any, on: dt.date) -> Application:
    """The zone's approval (the execution of an approved proposal)."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id)
        versions = Versions()
        check_approval(application, on, versions)
        application.status = ApplicationStatus.APPROVED
        application.decided_on = on
        application.policy_versions = {**application.policy_versions, **versions.used}
        application.save(update_fields=["status", "decided_on", "policy_versions"])
        record(
            actor=actor,
            action="lending.application.approve",
            object_type="lending.application",
            object_id=application.pk,
            after={"status": application.status, "policy_versions": versions.used},
        )
    return application


def sign_contract(
    *,
    actor: Any,
    application_id: int,
    contract_number: str,
    signed_on: dt.date,
    guarantee_fee_percent: Decimal,
) -> Loan:
    """The bank records the signed loan contract of an approved application."""
    application = scoping.writable(actor, Application).filter(pk=application_id).first()
    if application is None or actor.role != Role.BANK_OFFICER:
        raise refuse(gettext_noop("Only the file's bank records its contract."))
    number = _text(contract_number, gettext_noop("contract number"), 60)
    versions = Versions()
    terms = rules.tier_terms(application.tier, application.applied_on, versions)
    if not 0 <= guarantee_fee_percent <= terms.guarantee_fee_cap_percent:
        raise refuse(
            gettext_noop("The guarantee fee must be 0 to %(cap)s%% a year for this tier."),
            cap=terms.guarantee_fee_cap_percent,
        )
    day_count = rules.day_count(signed_on, versions)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.APPROVED:
            raise refuse(gettext_noop("Only an approved application gets a contract."))
        if Loan.objects.filter(contract_number=number).exists():
            raise refuse(gettext_noop("This contract number is already recorded."))
        loan = Loan.objects.create(
            application=application,
            contract_number=number,
            enterprise_id=application.enterprise_id,
            bank_id=application.bank_id,
            guarantor_id=application.guarantor_id,
            tier=application.tier,
            amount_fen=application.amount_fen,
            annual_rate=application.annual_rate,
            tenor_months=application.tenor_months,
            method=application.method,
            day_count=day_count.value,
            guarantee_fee_percent=guarantee_fee_percent,
            signed_on=signed_on,
            policy_versions=versions.used,
        )
        application.status = ApplicationStatus.CONTRACTED
        application.save(update_fields=["status"])
        _event(loan, signed_on, EventKind.CONTRACTED, number, actor)
        record(
            actor=actor,
            action="lending.loan.contract",
            object_type="lending.loan",
            object_id=loan.pk,
            after={"contract_number": number, "application": application.pk},
        )
    return loan


def _event(loan: Loan, on: dt.date, kind: str, note: str, actor: Any) -> None:
    LoanEvent.objects.create(loan=loan, date=on, kind=kind, note=note[:500], by=actor)


def _bank_loan(actor: Any, loan_id: int) -> Loan:
    loan = scoping.writable(actor, Loan).filter(pk=loan_id).first()
    if loan is None or actor.role != Role.BANK_OFFICER:
        raise refuse(gettext_noop("Only the loan's bank may do this."))
    return loan


def disburse(
    *, actor: Any, loan_id: int, amount_fen: int, on: dt.date, first_due: dt.date
) -> Disbursement:
    """A disbursement (one of possibly several), with its own repayment schedule."""
    loan = _bank_loan(actor, loan_id)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status not in {LoanStatus.CONTRACTED, LoanStatus.ACTIVE}:
            raise refuse(gettext_noop("Only a contracted or active loan is disbursed."))
        if not isinstance(amount_fen, int) or amount_fen <= 0:
            raise refuse(gettext_noop("The amount must be above zero."))
        if loan.disbursed_fen + amount_fen > loan.amount_fen:
            raise refuse(
                gettext_noop(
                    "%(amount)s would take disbursements above the contracted %(total)s "
                    "(%(done)s already disbursed)."
                ),
                amount=format_yuan(amount_fen),
                total=format_yuan(loan.amount_fen),
                done=format_yuan(loan.disbursed_fen),
            )
        if on < loan.signed_on:
            raise refuse(gettext_noop("A disbursement cannot come before the contract."))
        try:
            plan = engine.schedule(
                principal_fen=amount_fen,
                annual_rate=loan.annual_rate,
                months=loan.tenor_months,
                method=engine.Method(loan.method),
                start=on,
                first_due=first_due,
                day_count=engine.DayCount(loan.day_count),
            )
        except engine.LoanError as exc:
            raise refuse(
                gettext_noop("The schedule cannot be made: %(error)s"), error=str(exc)
            ) from exc
        number = loan.disbursements.count() + 1
        disbursement = Disbursement.objects.create(
            loan=loan,
            number=number,
            date=on,
            amount_fen=amount_fen,
            first_due=first_due,
            recorded_by=actor,
        )
        Instalment.objects.bulk_create(
            Instalment(
                loan=loan,
                disbursement=disbursement,
                number=i.number,
                due=i.due,
                principal_fen=i.principal_fen,
                interest_fen=i.interest_fen,
            )
            for i in plan
        )
        loan.disbursed_fen += amount_fen
        loan.status = LoanStatus.ACTIVE
        loan.save(update_fields=["disbursed_fen", "status"])
        _event(loan, on, EventKind.DISBURSED, format_yuan(amount_fen), actor)
        refresh(loan, on, actor=actor)
        record(
            actor=actor,
            action="lending.loan.disburse",
            object_type="lending.loan",
            object_id=loan.pk,
            after={"number": number, "amount_fen": amount_fen, "date": on.isoformat()},
        )
    return disbursement


def _open_instalments(loan: Loan) -> list[Instalment]:
    return list(
        loan.instalments.select_for_update()
        .filter(UNSETTLED, superseded=False)
        .order_by("due", "disbursement__number", "number")
    )


def repay(*, actor: Any, loan_id: int, amount_fen: int, on: dt.date, reference: str) -> Repayment:
    """A repayment, paid to what is due in the policy's order (penalty → interest → principal,
    oldest instalment first); anything beyond what is due prepays the next instalments'
    principal (their scheduled interest stays due, unless the loan is paid off: then the
    interest of periods not yet due is cancelled). Refused on a loan that is not active, and
    above what is owed."""
    loan = _bank_loan(actor, loan_id)
    reference = _text(reference, gettext_noop("bank reference"), 100)
    versions = Versions()
    order = rules.repayment_order(on, versions)
    markup = rules.penalty_markup(on, versions)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status != LoanStatus.ACTIVE:
            raise refuse(
                gettext_noop(
                    "Loan %(loan)s is %(status)s: a repayment is recorded only on an active "
                    "loan (money received on a defaulted loan is a recovery on its claim)."
                ),
                loan=loan.contract_number,
                status=loan.get_status_display(),
            )
        if not isinstance(amount_fen, int) or amount_fen <= 0:
            raise refuse(gettext_noop("The amount must be above zero."))
        if on < loan.signed_on:
            raise refuse(gettext_noop("A repayment cannot come before the contract."))
        open_ = _open_instalments(loan)
        due_now = [i for i in open_ if i.due <= on]
        later = [i for i in open_ if i.due > on]
        dues = [
            {
                "penalty": penalty_due(i, loan.annual_rate, markup, on),
                "interest": i.interest_fen - i.interest_paid_fen,
                "principal": i.principal_fen - i.principal_paid_fen,
            }
            for i in due_now
        ] + [
            {"penalty": 0, "interest": 0, "principal": i.principal_fen - i.principal_paid_fen}
            for i in later
        ]
        owed = sum(sum(d.values()) for d in dues)
        if amount_fen > owed:
            raise refuse(
                gettext_noop("%(amount)s is more than the %(owed)s owed on %(date)s."),
                amount=format_yuan(amount_fen),
                owed=format_yuan(owed),
                date=on.isoformat(),
            )
        paid, over = engine.allocate_across(amount_fen, dues, order)
        touched = []
        for inst, part in zip([*due_now, *later], paid, strict=True):
            if any(part.values()):
                inst.penalty_paid_fen += part["penalty"]
                inst.interest_paid_fen += part["interest"]
                inst.principal_paid_fen += part["principal"]
                touched.append(inst)
        if all(i.principal_paid_fen == i.principal_fen for i in open_) and all(
            i.interest_paid_fen == i.interest_fen for i in due_now
        ):
            # Paid off: interest of periods not yet begun is never owed.
            for inst in later:
                inst.interest_fen = inst.interest_paid_fen
            touched = list({i.pk: i for i in [*touched, *later]}.values())
        Instalment.objects.bulk_update(
            touched, ["penalty_paid_fen", "interest_paid_fen", "principal_paid_fen", "interest_fen"]
        )
        totals = {c: sum(p[c] for p in paid) for c in order}
        repayment = Repayment.objects.create(
            loan=loan,
            date=on,
            amount_fen=amount_fen,
            penalty_fen=totals["penalty"],
            interest_fen=totals["interest"],
            principal_fen=totals["principal"],
            overpayment_fen=over,
            order=", ".join(order),
            reference=reference,
            recorded_by=actor,
            policy_versions=versions.used,
        )
        refresh(loan, on, actor=actor)
        record(
            actor=actor,
            action="lending.loan.repay",
            object_type="lending.loan",
            object_id=loan.pk,
            after={"amount_fen": amount_fen, **{f"{c}_fen": v for c, v in totals.items()}},
        )
    return repayment


def refresh(loan: Loan, on: dt.date, *, actor: Any = None) -> Loan:
    """Days past due, classification, early-warning flags and outstanding principal on `on`;
    a change of classification is an event of the loan's history. Closes a repaid loan."""
    versions = Versions()
    state = loan_state(loan, on, versions)
    changed = state.category != loan.category
    before = loan.category
    loan.dpd, loan.category, loan.flags = state.dpd, state.category, state.flags
    loan.outstanding_fen, loan.serviced_on = state.outstanding_fen, on
    fields = ["dpd", "category", "flags", "outstanding_fen", "serviced_on"]
    if (
        loan.status == LoanStatus.ACTIVE
        and loan.disbursed_fen == loan.amount_fen
        and state.outstanding_fen == 0
        and state.unpaid_interest_fen == 0
    ):
        loan.status = LoanStatus.CLOSED
        fields.append("status")
        _event(loan, on, EventKind.CLOSED, "", actor)
    loan.save(update_fields=fields)
    if changed:
        _event(loan, on, EventKind.CLASSIFIED, f"{before} → {state.category}", actor)
    return loan


def restructure(
    *, actor: Any, loan_id: int, on: dt.date, tenor_months: int, method: str, note: str
) -> Loan:
    """Reschedule everything unpaid: the principal outstanding over a new tenor and method from
    `on`, the interest already due but unpaid carried into the first new instalment."""
    loan = _bank_loan(actor, loan_id)
    note = _text(note, gettext_noop("reason"), 500)
    if method not in {m.value for m in engine.Method}:
        raise refuse(gettext_noop("Choose a repayment method."))
    if not isinstance(tenor_months, int) or not 1 <= tenor_months <= 60:
        raise refuse(gettext_noop("The new tenor must be 1 to 60 months."))
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status != LoanStatus.ACTIVE:
            raise refuse(gettext_noop("Only an active loan is restructured."))
        open_ = _open_instalments(loan)
        principal = sum(i.principal_fen - i.principal_paid_fen for i in open_)
        carried = sum(i.interest_fen - i.interest_paid_fen for i in open_ if i.due <= on)
        if principal <= 0:
            raise refuse(gettext_noop("Nothing is left to reschedule."))
        plan = engine.schedule(
            principal_fen=principal,
            annual_rate=loan.annual_rate,
            months=tenor_months,
            method=engine.Method(method),
            start=on,
            first_due=engine.add_months(on, 1),
            day_count=engine.DayCount(loan.day_count),
        )
        for inst in open_:
            # What was paid of an open instalment stays on it; the rest moves to the new plan.
            inst.principal_fen, inst.interest_fen = inst.principal_paid_fen, inst.interest_paid_fen
            inst.superseded = True
            inst.save(update_fields=["principal_fen", "interest_fen", "superseded"])
        last = loan.disbursements.order_by("-number").first()
        assert last is not None  # an active loan has been disbursed
        start = (loan.instalments.filter(disbursement=last).aggregate(n=Max("number"))["n"]) or 0
        Instalment.objects.bulk_create(
            Instalment(
                loan=loan,
                disbursement=last,
                number=start + i.number,
                due=i.due,
                principal_fen=i.principal_fen,
                interest_fen=i.interest_fen + (carried if i.number == 1 else 0),
            )
            for i in plan
        )
        loan.tenor_months, loan.method = tenor_months, method
        loan.save(update_fields=["tenor_months", "method"])
        _event(loan, on, EventKind.RESTRUCTURED, note, actor)
        refresh(loan, on, actor=actor)
        record(
            actor=actor,
            action="lending.loan.restructure",
            object_type="lending.loan",
            object_id=loan.pk,
            after={"principal_fen": principal, "carried_interest_fen": carried, "note": note},
        )
    return loan


def write_off(*, actor: Any, loan_id: int, on: dt.date, note: str) -> Loan:
    """The bank writes off a defaulted loan (its claim filed) in its own books."""
    loan = _bank_loan(actor, loan_id)
    note = _text(note, gettext_noop("reason"), 500)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status != LoanStatus.DEFAULTED:
            raise refuse(gettext_noop("Only a defaulted loan is written off."))
        loan.status = LoanStatus.WRITTEN_OFF
        loan.save(update_fields=["status"])
        _event(loan, on, EventKind.WRITTEN_OFF, note, actor)
        record(
            actor=actor,
            action="lending.loan.write_off",
            object_type="lending.loan",
            object_id=loan.pk,
            after={"note": note},
        )
    return loan


# --- Claims --------------------------------------------------------------------------------
def file_claim(*, actor: Any, loan_id: int, on: dt.date, statement: str) -> Claim:
    """The bank's claim on a default, once days past due reach the policy's trigger. The loan
    is then in default; one claim per default."""
    loan = _bank_loan(actor, loan_id)
    statement = _text(statement, gettext_noop("statement"), 4000)
    versions = Versions()
    trigger = rules.claim_trigger_days(on, versions)
    rule = rules.sharing_rule(on, versions)
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        state = loan_state(loan, on, Versions())
        if state.oldest_unpaid_due is None or loan.status in {
            LoanStatus.CLOSED,
            LoanStatus.CONTRACTED,
        }:
            raise refuse(gettext_noop("This loan has nothing overdue: there is no default."))
        default_on = state.oldest_unpaid_due
        if (
            Claim.objects.filter(loan=loan, default_on=default_on)
            .exclude(status=ClaimStatus.REJECTED)
            .exists()
        ):
            raise refuse(
                gettext_noop(
                    "A claim for this default (overdue since %(date)s) is already filed; "
                    "one claim per default."
                ),
                date=default_on.isoformat(),
            )
        if state.dpd < trigger:
            raise refuse(
                gettext_noop(
                    "The loan is %(dpd)s days past due; a claim can be filed from %(trigger)s "
                    "days (on or after %(date)s). Nothing was filed."
                ),
                dpd=state.dpd,
                trigger=trigger,
                date=(default_on + dt.timedelta(days=trigger)).isoformat(),
            )
        default = Default(
            principal_fen=state.outstanding_fen,
            interest_fen=state.unpaid_interest_fen,
            interest_days=state.dpd if state.unpaid_interest_fen else 0,
        )
        try:
            claim = Claim.objects.create(
                reference=_next_reference("CL", Claim, on),
                loan=loan,
                default_on=default_on,
                filed_on=on,
                filed_by=actor,
                dpd=state.dpd,
                principal_fen=default.principal_fen,
                interest_fen=default.interest_fen,
                interest_days=default.interest_days,
                loss_fen=loss_base(rule, default),
                statement=statement,
                rule_versions=versions.used,
            )
        except IntegrityError:
            raise refuse(
                gettext_noop("A claim for this default is already filed; one claim per default.")
            ) from None
        if loan.status == LoanStatus.ACTIVE:
            loan.status = LoanStatus.DEFAULTED
            loan.save(update_fields=["status"])
            _event(loan, on, EventKind.DEFAULTED, claim.reference, actor)
        record(
            actor=actor,
            action="lending.claim.file",
            object_type="lending.claim",
            object_id=claim.pk,
            after={"loan": loan.pk, "loss_fen": claim.loss_fen, "rule_versions": versions.used},
        )
    return claim


def _pool_usage(on: dt.date, exclude_claim: int) -> Usage:
    shares = ClaimShare.objects.filter(
        party=Party.POOL, claim__status=ClaimStatus.COMPENSATED
    ).exclude(claim_id=exclude_claim)
    year = shares.filter(claim__decided_on__year=on.year).aggregate(s=Sum("amount_fen"))["s"] or 0
    total = shares.aggregate(s=Sum("amount_fen"))["s"] or 0
    return Usage({"pool": year}, total)


def compensate(*, claim_id: int, actor: Any, on: dt.date) -> Claim:
    """Share the claim's loss by the rule in force on `on` and pay it: the pool's part from the
    risk-compensation pool's cash, the guarantor's part booked beside it (the execution of an
    approved review). The parts add up to the loss to the fen."""
    versions = Versions()
    rule = rules.sharing_rule(on, versions)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("loan").get(pk=claim_id)
        if claim.status != ClaimStatus.FILED:
            raise refuse(gettext_noop("This claim is no longer waiting for review."))
        covered = Loan.objects.filter(signed_on__lte=on).aggregate(s=Sum("disbursed_fen"))["s"]
        split = share_loss(
            rule,
            Default(
                principal_fen=claim.principal_fen,
                interest_fen=claim.interest_fen,
                interest_days=claim.interest_days,
            ),
            covered_portfolio_fen=covered or 0,
            usage=_pool_usage(on, claim.pk),
        )
        parts = split.as_dict()
        orgs: dict[str, int] = {
            Party.BANK.value: claim.loan.bank_id,
            Party.GUARANTOR.value: claim.loan.guarantor_id,
        }
        ClaimShare.objects.bulk_create(
            ClaimShare(
                claim=claim,
                party=name,
                organisation_id=orgs.get(name),
                share=share,
                amount_fen=parts[name],
                position=n,
            )
            for n, (name, share) in enumerate(zip(split.names, split.shares, strict=True))
        )
        entries = []
        memo = f"代偿 {claim.reference} {claim.loan.contract_number}"
        if parts["pool"]:
            entries.append(
                post_entry(
                    book=BOOK,
                    date=on,
                    memo=memo,
                    idempotency_key=f"lending:claim:{claim.pk}:pool",
                    postings=[
                        debit("risk_compensation_pool.compensation_paid", parts["pool"]),
                        credit(POOL_CASH, parts["pool"]),
                    ],
                    actor=actor,
                    source=f"lending.claim:{claim.pk}",
                ).pk
            )
        if parts["guarantor"]:
            entries.append(
                post_entry(
                    book=BOOK,
                    date=on,
                    memo=f"{memo} 担保机构",
                    idempotency_key=f"lending:claim:{claim.pk}:guarantor",
                    postings=[
                        debit("risk_compensation_pool.guarantor_compensation", parts["guarantor"]),
                        credit("risk_compensation_pool.guarantor_funding", parts["guarantor"]),
                    ],
                    actor=actor,
                    source=f"lending.claim:{claim.pk}",
                ).pk
            )
        claim.status = ClaimStatus.COMPENSATED
        claim.decided_on = on
        claim.entry_ids = entries
        claim.rule_versions = {**claim.rule_versions, **versions.used}
        claim.save(update_fields=["status", "decided_on", "entry_ids", "rule_versions"])
        record(
            actor=actor,
            action="lending.claim.compensate",
            object_type="lending.claim",
            object_id=claim.pk,
            after={"parts_fen": parts, "rule_versions": versions.used, "entries": entries},
        )
    return claim


def reject_claim(*, actor: Any, claim_id: int, note: str, on: dt.date) -> Claim:
    """The zone rejects a claim (no money moves), saying why."""
    if actor.role != Role.ZONE_OFFICER:
        raise refuse(gettext_noop("Only a zone officer rejects a claim."))
    note = _text(note, gettext_noop("reason"), 500)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None or claim.status != ClaimStatus.FILED:
            raise refuse(gettext_noop("This claim is no longer waiting for review."))
        claim.status, claim.decided_on, claim.decision_note = ClaimStatus.REJECTED, on, note
        claim.save(update_fields=["status", "decided_on", "decision_note"])
        record(
            actor=actor,
            action="lending.claim.reject",
            object_type="lending.claim",
            object_id=claim.pk,
            after={"note": note},
        )
    return claim


def record_recovery(
    *, claim_id: int, actor: Any, on: dt.date, amount_fen: int, source: str
) -> Recovery:
    """Money recovered (追偿) on a compensated claim, shared back in proportion to what each
    party still has unrecovered (the execution of an approved proposal)."""
    source = _text(source, gettext_noop("source"), 200)
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise refuse(gettext_noop("The amount must be above zero."))
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("loan").get(pk=claim_id)
        if claim.status != ClaimStatus.COMPENSATED:
            raise refuse(gettext_noop("Recoveries are shared only on a compensated claim."))
        shares = list(claim.shares.select_for_update())
        split_parts = tuple(s.amount_fen for s in shares)
        split = Split(
            tuple(s.party for s in shares),
            split_parts,
            sum(split_parts),
            0,
            tuple(s.share for s in shares),
        )
        try:
            back = share_recovery(split, [s.recovered_fen for s in shares], amount_fen)
        except RiskSharingError:
            raise refuse(
                gettext_noop(
                    "%(amount)s is more than the %(left)s still unrecovered on this claim."
                ),
                amount=format_yuan(amount_fen),
                left=format_yuan(sum(s.amount_fen - s.recovered_fen for s in shares)),
            ) from None
        parts = dict(zip(split.names, back, strict=True))
        for s, part in zip(shares, back, strict=True):
            s.recovered_fen += part
            s.save(update_fields=["recovered_fen"])
        n = claim.recoveries.count() + 1
        entries = []
        memo = f"追偿 {claim.reference} #{n}"
        if parts.get("pool"):
            entries.append(
                post_entry(
                    book=BOOK,
                    date=on,
                    memo=memo,
                    idempotency_key=f"lending:recovery:{claim.pk}:{n}:pool",
                    postings=[
                        debit(POOL_CASH, parts["pool"]),
                        credit("risk_compensation_pool.recoveries", parts["pool"]),
                    ],
                    actor=actor,
                    source=f"lending.claim:{claim.pk}",
                ).pk
            )
        if parts.get("guarantor"):
            entries.append(
                post_entry(
                    book=BOOK,
                    date=on,
                    memo=f"{memo} 担保机构",
                    idempotency_key=f"lending:recovery:{claim.pk}:{n}:guarantor",
                    postings=[
                        debit(
                            "risk_compensation_pool.guarantor_recoveries_returned",
                            parts["guarantor"],
                        ),
                        credit("risk_compensation_pool.guarantor_recoveries", parts["guarantor"]),
                    ],
                    actor=actor,
                    source=f"lending.claim:{claim.pk}",
                ).pk
            )
        recovery = Recovery.objects.create(
            claim=claim,
            date=on,
            amount_fen=amount_fen,
            parts=parts,
            source=source,
            recorded_by=actor,
            entry_ids=entries,
        )
        record(
            actor=actor,
            action="lending.claim.recover",
            object_type="lending.claim",
            object_id=claim.pk,
            after={"amount_fen": amount_fen, "parts_fen": parts, "entries": entries},
        )
    return recovery


__all__ = [
    "LendingRefusal",
    "PolicyRefusal",
    "apply",
    "approve_application",
    "compensate",
    "disburse",
    "file_claim",
    "record_diligence",
    "record_recovery",
    "refresh",
    "reject_claim",
    "repay",
    "restructure",
    "sign_contract",
    "write_off",
]
