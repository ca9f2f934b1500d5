"""Building tiered-loan files for the tests through the real services."""

import datetime as dt
from decimal import Decimal

from patientcap.approvals import services as approvals
from patientcap.domain.ledger import credit, debit
from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import services as registry
from patientcap.ledger.services import post_entry
from patientcap.lending import services
from patientcap.lending.models import Application, Claim, Loan

APPLIED = dt.date(2024, 9, 2)
SIGNED = dt.date(2024, 9, 20)
FIRST_DUE = dt.date(2024, 10, 20)


def firm(users, orgs, seed: int = 1, kinds=("tech_sme",), owner: str | None = None):
    """A firm with certifications, sharing with bank A and guarantor A; firm 1 is enterprise A."""
    owner = owner if owner is not None else ("enterprise_a" if seed == 1 else "")
    zone = users["zone_officer"]
    e = registry.create_enterprise(
        actor=zone,
        data={
            "uscc": make_uscc(8_100_000 + seed),
            "name": f"Lending test firm {seed}",
            "registration_date": dt.date(2019, 4, 1),
            "industry_code": "I65",
            "growth_stage": "startup",
        },
    )
    if owner:
        registry.link_organisation(actor=zone, enterprise_id=e.pk, organisation_id=orgs[owner].pk)
    for kind in kinds:
        registry.save_certification(
            actor=zone,
            enterprise_id=e.pk,
            kind=kind,
            valid_from=dt.date(2023, 1, 1),
            valid_to=dt.date(2027, 12, 31),
            certificate_number=f"C-{seed}-{kind}",
        )
    for org in ("bank_a", "guarantor_a"):
        registry.grant_access(
            actor=zone, enterprise_id=e.pk, organisation_id=orgs[org].pk, purpose="梯度贷"
        )
    return e


def fund_pool(users, amount_fen: int = 50_000_000_00) -> None:
    post_entry(
        book="risk_compensation_pool",
        date=dt.date(2024, 7, 1),
        memo="风险补偿资金注资",
        idempotency_key="test-risk-pool",
        postings=[
            debit("risk_compensation_pool.cash", amount_fen),
            credit("risk_compensation_pool.contributions", amount_fen),
        ],
        actor=users["zone_officer"],
    )


def application(users, orgs, enterprise, amount_fen=2_000_000_00, **terms) -> Application:
    return services.apply(
        actor=users["bank_officer"],
        enterprise_id=enterprise.pk,
        bank_id=orgs["bank_a"].pk,
        guarantor_id=orgs["guarantor_a"].pk,
        amount_fen=amount_fen,
        annual_rate=terms.get("rate", Decimal("0.039")),
        tenor_months=terms.get("tenor", 12),
        method=terms.get("method", "equal_principal"),
        purpose="流动资金周转",
        on=terms.get("on", APPLIED),
    )


def approve(users, app: Application, on: dt.date = dt.date(2024, 9, 10)) -> None:
    for role in ("bank_officer", "guarantor_officer"):
        services.record_diligence(
            actor=users[role], application_id=app.pk, favourable=True, opinion="可以", on=on
        )
    proposal = approvals.propose(
        action="lending.approve_application",
        payload={"application_id": app.pk, "date": on.isoformat()},
        reason="两方尽调通过",
        by=users["zone_officer"],
    )
    approvals.approve(proposal=proposal, by=users["reviewer"])


def loan(users, orgs, enterprise, amount_fen=2_000_000_00, number="HT-1", **terms) -> Loan:
    app = application(users, orgs, enterprise, amount_fen, **terms)
    approve(users, app)
    made = services.sign_contract(
        actor=users["bank_officer"],
        application_id=app.pk,
        contract_number=number,
        signed_on=SIGNED,
        guarantee_fee_percent=Decimal("0.8"),
    )
    services.disburse(
        actor=users["bank_officer"],
        loan_id=made.pk,
        amount_fen=amount_fen,
        on=SIGNED,
        first_due=FIRST_DUE,
    )
    made.refresh_from_db()
    return made


def claim(users, loan_: Loan, on: dt.date = dt.date(2025, 3, 1)) -> Claim:
    return services.file_claim(
        actor=users["bank_officer"], loan_id=loan_.pk, on=on, statement="企业停止还款"
    )


def compensate(users, claim_: Claim, on: dt.date = dt.date(2025, 3, 20)) -> Claim:
    proposal = approvals.propose(
        action="lending.compensate_claim",
        payload={"claim_id": claim_.pk, "date": on.isoformat()},
        reason="复核无误",
        by=users["zone_officer"],
    )
    approvals.approve(proposal=proposal, by=users["reviewer"])
    claim_.refresh_from_db()
    return claim_
