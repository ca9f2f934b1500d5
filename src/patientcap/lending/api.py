"""Tiered-loan API v1, so a bank's (or guarantor's) own system can integrate: applications (list,
apply, read, record due diligence), loans (list, read with today's days past due and
classification), a loan's schedule and repayments (read, record), and claims (file, list, read).

Amounts are integers named *_fen plus yuan strings; rates decimal strings; dates ISO. A file
outside the caller's scope is a 404 (another bank's loan looks like no loan); bad input or a step
the file's state refuses is a 422 with `{"detail"}`; nothing is written then.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from patientcap.accounts import scoping
from patientcap.accounts.auth import api_user
from patientcap.core.clock import today
from patientcap.domain.messages import Invalid, gettext_noop
from patientcap.domain.money import AmountError, parse_amount, yuan
from patientcap.lending import selectors, services
from patientcap.lending.models import Application, Claim, Loan
from patientcap.lending.rules import Versions, explain

router = Router(tags=["lending"])


class RefusalOut(Schema):
    detail: str


REFUSALS = {422: RefusalOut}


def _refusal(exc: Invalid) -> Status:
    return Status(422, {"detail": explain(exc)})


def _amount(text: str) -> int:
    try:
        return parse_amount(text)
    except AmountError:
        raise services.LendingRefusal(
            gettext_noop("Give the amount in yuan, e.g. 1500000.00 or 150万.")
        ) from None


class DiligenceOut(Schema):
    party: str
    organisation: str
    favourable: bool
    opinion: str
    decided_on: dt.date


class ApplicationOut(Schema):
    id: int
    reference: str
    enterprise_id: int
    enterprise: str
    bank: str
    guarantor: str
    tier: str
    tier_basis: str
    amount_fen: int
    amount: str
    annual_rate: str
    tenor_months: int
    method: str
    purpose: str
    status: str
    applied_on: dt.date
    decided_on: dt.date | None
    policy_versions: dict[str, str]
    diligence: list[DiligenceOut]


def _application(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "reference": a.reference,
        "enterprise_id": a.enterprise_id,
        "enterprise": a.enterprise.name,
        "bank": a.bank.name,
        "guarantor": a.guarantor.name,
        "tier": a.tier,
        "tier_basis": a.tier_basis,
        "amount_fen": a.amount_fen,
        "amount": yuan(a.amount_fen),
        "annual_rate": str(a.annual_rate),
        "tenor_months": a.tenor_months,
        "method": a.method,
        "purpose": a.purpose,
        "status": a.status,
        "applied_on": a.applied_on,
        "decided_on": a.decided_on,
        "policy_versions": a.policy_versions,
        "diligence": [
            {
                "party": d.party,
                "organisation": d.organisation.name,
                "favourable": d.favourable,
                "opinion": d.opinion,
                "decided_on": d.decided_on,
            }
            for d in a.diligence.select_related("organisation")
        ],
    }


def _applications(request: HttpRequest) -> Any:
    return scoping.readable(api_user(request), Application).select_related(
        "enterprise", "bank", "guarantor"
    )


@router.get("/applications", response=list[ApplicationOut], summary="Applications I may see")
@paginate(PageNumberPagination, page_size=100)
def list_applications(request: HttpRequest, status: str = "") -> Any:
    qs = _applications(request)
    if status:
        qs = qs.filter(status=status)
    return [_application(a) for a in qs.order_by("pk")]


class ApplyIn(Schema):
    enterprise_id: int
    bank_id: int
    guarantor_id: int
    amount: str
    annual_rate: str  # a fraction, "0.0385"
    tenor_months: int
    method: str
    purpose: str


@router.post("/applications", response={201: ApplicationOut, **REFUSALS}, summary="Apply")
def apply(request: HttpRequest, data: ApplyIn) -> Any:
    try:
        try:
            rate = Decimal(data.annual_rate)
        except InvalidOperation:
            raise services.LendingRefusal(
                gettext_noop("Give the annual rate as a fraction, e.g. 0.0385.")
            ) from None
        made = services.apply(
            actor=api_user(request),
            enterprise_id=data.enterprise_id,
            bank_id=data.bank_id,
            guarantor_id=data.guarantor_id,
            amount_fen=_amount(data.amount),
            annual_rate=rate,
            tenor_months=data.tenor_months,
            method=data.method,
            purpose=data.purpose,
            on=today(),
        )
    except Invalid as exc:
        return _refusal(exc)
    return Status(201, _application(_applications(request).get(pk=made.pk)))


@router.get("/applications/{application_id}", response=ApplicationOut, summary="One application")
def get_application(request: HttpRequest, application_id: int) -> Any:
    found = scoping.get_readable(api_user(request), Application, pk=application_id)
    return _application(_applications(request).get(pk=found.pk))


class DiligenceIn(Schema):
    favourable: bool
    opinion: str
    date: dt.date | None = None


@router.post(
    "/applications/{application_id}/diligence",
    response={201: ApplicationOut, **REFUSALS},
    summary="Record my side's due diligence",
)
def record_diligence(request: HttpRequest, application_id: int, data: DiligenceIn) -> Any:
    found = scoping.get_readable(api_user(request), Application, pk=application_id)
    try:
        services.record_diligence(
            actor=api_user(request),
            application_id=found.pk,
            favourable=data.favourable,
            opinion=data.opinion,
            on=data.date or today(),
        )
    except Invalid as exc:
        return _refusal(exc)
    return Status(201, _application(_applications(request).get(pk=found.pk)))


class LoanOut(Schema):
    id: int
    contract_number: str
    application_id: int
    enterprise_id: int
    enterprise: str
    bank: str
    guarantor: str
    tier: str
    status: str
    amount_fen: int
    disbursed_fen: int
    annual_rate: str
    tenor_months: int
    method: str
    day_count: str
    signed_on: dt.date
    as_of: dt.date
    outstanding_fen: int
    outstanding: str
    days_past_due: int
    classification: str
    flags: list[str]


def _loan(loan: Loan, on: dt.date) -> dict[str, Any]:
    state = selectors.loan_state(loan, on, Versions())
    return {
        "id": loan.pk,
        "contract_number": loan.contract_number,
        "application_id": loan.application_id,
        "enterprise_id": loan.enterprise_id,
        "enterprise": loan.enterprise.name,
        "bank": loan.bank.name,
        "guarantor": loan.guarantor.name,
        "tier": loan.tier,
        "status": loan.status,
        "amount_fen": loan.amount_fen,
        "disbursed_fen": loan.disbursed_fen,
        "annual_rate": str(loan.annual_rate),
        "tenor_months": loan.tenor_months,
        "method": loan.method,
        "day_count": loan.day_count,
        "signed_on": loan.signed_on,
        "as_of": on,
        "outstanding_fen": state.outstanding_fen,
        "outstanding": yuan(state.outstanding_fen),
        "days_past_due": state.dpd,
        "classification": state.category,
        "flags": state.flags,
    }


def _loans(request: HttpRequest) -> Any:
    return scoping.readable(api_user(request), Loan).select_related(
        "enterprise", "bank", "guarantor"
    )


@router.get("/loans", response=list[LoanOut], summary="Loans I may see")
@paginate(PageNumberPagination, page_size=100)
def list_loans(request: HttpRequest, status: str = "", as_of: dt.date | None = None) -> Any:
    qs = _loans(request)
    if status:
        qs = qs.filter(status=status)
    on = as_of or today()
    return [_loan(loan, on) for loan in qs.order_by("pk")]


@router.get("/loans/{loan_id}", response=LoanOut, summary="One loan, serviced as of a date")
def get_loan(request: HttpRequest, loan_id: int, as_of: dt.date | None = None) -> Any:
    found = scoping.get_readable(api_user(request), Loan, pk=loan_id)
    return _loan(_loans(request).get(pk=found.pk), as_of or today())


class InstalmentOut(Schema):
    disbursement: int
    number: int
    due: dt.date
    principal_fen: int
    interest_fen: int
    principal_paid_fen: int
    interest_paid_fen: int
    penalty_paid_fen: int
    superseded: bool


@router.get("/loans/{loan_id}/schedule", response=list[InstalmentOut], summary="A loan's schedule")
def schedule(request: HttpRequest, loan_id: int) -> Any:
    found = scoping.get_readable(api_user(request), Loan, pk=loan_id)
    return [
        {
            "disbursement": i.disbursement.number,
            "number": i.number,
            "due": i.due,
            "principal_fen": i.principal_fen,
            "interest_fen": i.interest_fen,
            "principal_paid_fen": i.principal_paid_fen,
            "interest_paid_fen": i.interest_paid_fen,
            "penalty_paid_fen": i.penalty_paid_fen,
            "superseded": i.superseded,
        }
        for i in found.instalments.select_related("disbursement")
    ]


class RepaymentOut(Schema):
    id: int
    date: dt.date
    reference: str
    amount_fen: int
    penalty_fen: int
    interest_fen: int
    principal_fen: int
    order: str


def _repayment(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "date": r.date,
        "reference": r.reference,
        "amount_fen": r.amount_fen,
        "penalty_fen": r.penalty_fen,
        "interest_fen": r.interest_fen,
        "principal_fen": r.principal_fen,
        "order": r.order,
    }


@router.get(
    "/loans/{loan_id}/repayments", response=list[RepaymentOut], summary="A loan's repayments"
)
def repayments(request: HttpRequest, loan_id: int) -> Any:
    found = scoping.get_readable(api_user(request), Loan, pk=loan_id)
    return [_repayment(r) for r in found.repayments.all()]


class RepayIn(Schema):
    amount: str
    date: dt.date
    reference: str


@router.post(
    "/loans/{loan_id}/repayments",
    response={201: RepaymentOut, **REFUSALS},
    summary="Record a repayment (the loan's bank)",
)
def repay(request: HttpRequest, loan_id: int, data: RepayIn) -> Any:
    found = scoping.get_readable(api_user(request), Loan, pk=loan_id)
    try:
        made = services.repay(
            actor=api_user(request),
            loan_id=found.pk,
            amount_fen=_amount(data.amount),
            on=data.date,
            reference=data.reference,
        )
    except Invalid as exc:
        return _refusal(exc)
    return Status(201, _repayment(made))


class ShareOut(Schema):
    party: str
    organisation: str
    share: str
    amount_fen: int
    recovered_fen: int


class RecoveryOut(Schema):
    date: dt.date
    amount_fen: int
    source: str
    parts_fen: dict[str, int]


class ClaimOut(Schema):
    id: int
    reference: str
    loan_id: int
    contract_number: str
    default_on: dt.date
    filed_on: dt.date
    days_past_due: int
    loss_fen: int
    loss: str
    status: str
    decided_on: dt.date | None
    statement: str
    rule_versions: dict[str, str]
    shares: list[ShareOut]
    recoveries: list[RecoveryOut]


def _claim(c: Claim) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference": c.reference,
        "loan_id": c.loan_id,
        "contract_number": c.loan.contract_number,
        "default_on": c.default_on,
        "filed_on": c.filed_on,
        "days_past_due": c.dpd,
        "loss_fen": c.loss_fen,
        "loss": yuan(c.loss_fen),
        "status": c.status,
        "decided_on": c.decided_on,
        "statement": c.statement,
        "rule_versions": c.rule_versions,
        "recoveries": [
            {"date": r.date, "amount_fen": r.amount_fen, "source": r.source, "parts_fen": r.parts}
            for r in c.recoveries.all()
        ],
        "shares": [
            {
                "party": s.party,
                "organisation": s.organisation.name if s.organisation else "",
                "share": str(s.share),
                "amount_fen": s.amount_fen,
                "recovered_fen": s.recovered_fen,
            }
            for s in c.shares.select_related("organisation")
        ],
    }


class ClaimIn(Schema):
    date: dt.date
    statement: str


@router.post(
    "/loans/{loan_id}/claims",
    response={201: ClaimOut, **REFUSALS},
    summary="File a claim on the loan's default (the loan's bank)",
)
def file_claim(request: HttpRequest, loan_id: int, data: ClaimIn) -> Any:
    found = scoping.get_readable(api_user(request), Loan, pk=loan_id)
    try:
        made = services.file_claim(
            actor=api_user(request), loan_id=found.pk, on=data.date, statement=data.statement
        )
    except Invalid as exc:
        return _refusal(exc)
    claims = scoping.readable(api_user(request), Claim).select_related("loan")
    return Status(201, _claim(claims.get(pk=made.pk)))


@router.get("/claims", response=list[ClaimOut], summary="Claims I may see")
@paginate(PageNumberPagination, page_size=100)
def list_claims(request: HttpRequest, status: str = "") -> Any:
    qs = scoping.readable(api_user(request), Claim).select_related("loan")
    if status:
        qs = qs.filter(status=status)
    return [_claim(c) for c in qs.order_by("pk")]


@router.get("/claims/{claim_id}", response=ClaimOut, summary="One claim with its shares")
def get_claim(request: HttpRequest, claim_id: int) -> Any:
    claims = scoping.readable(api_user(request), Claim).select_related("loan")
    return _claim(get_object_or_404(claims, pk=claim_id))
