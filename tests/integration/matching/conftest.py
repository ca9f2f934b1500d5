"""A firm with ¥2,000,000 of invest-first money (through the investments app's real services
and maker-checker actions), a second officer of bank A to check, and helpers that take a
matched-credit file through its states."""

import datetime as dt

import pytest
from tests.integration.investments.builders import disbursed, fund_pool
from tests.support import make_user

from patientcap.accounts.models import Role
from patientcap.approvals import services as proposals
from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import services as registry
from patientcap.matching import services
from patientcap.matching.models import Application

APPLIED = dt.date(2026, 8, 3)  # a Monday, after both tranches (2026-01-15, 2026-07-15)
DD = dt.date(2026, 8, 5)  # Wednesday: the deadline is Friday 2026-08-14
DEADLINE = dt.date(2026, 8, 14)
TWO_MILLION = 200_000_000


@pytest.fixture
def firm(users, orgs):
    e = registry.create_enterprise(
        actor=users["zone_officer"],
        data={
            "uscc": make_uscc(9_200_001),
            "name": "优宽空科技",
            "registration_date": dt.date(2021, 4, 1),
            "industry_code": "I65",
            "growth_stage": "startup",
        },
    )
    registry.link_organisation(
        actor=users["zone_officer"], enterprise_id=e.pk, organisation_id=orgs["enterprise_a"].pk
    )
    fund_pool(users)
    disbursed(users, e, TWO_MILLION)
    return e


@pytest.fixture
def bare_firm(users, orgs):
    """A firm of enterprise B's login with no investment at all."""
    e = registry.create_enterprise(
        actor=users["zone_officer"],
        data={
            "uscc": make_uscc(9_200_002),
            "name": "无投资科技",
            "registration_date": dt.date(2022, 4, 1),
            "industry_code": "I65",
            "growth_stage": "seed",
        },
    )
    registry.link_organisation(
        actor=users["zone_officer"], enterprise_id=e.pk, organisation_id=orgs["enterprise_b"].pk
    )
    return e


@pytest.fixture
def checker(orgs):
    return make_user("bank_a_checker", Role.BANK_OFFICER, orgs["bank_a"])


def applied(users, orgs, firm, amount_fen: int = TWO_MILLION, bank: str = "bank_a") -> Application:
    return services.apply(
        actor=users["enterprise_user"],
        enterprise_id=firm.pk,
        bank_id=orgs[bank].pk,
        amount_fen=amount_fen,
        purpose="研发流动资金",
        on=APPLIED,
    )


def under_review(users, orgs, firm, **kw) -> Application:
    app = applied(users, orgs, firm, **kw)
    return services.complete_due_diligence(
        actor=users["zone_officer"], application_id=app.pk, summary="尽调完成", on=DD
    )


def decide(users, checker, app, on=dt.date(2026, 8, 10), **payload):
    payload = {"application_id": app.pk, "decision": "approve", "amount": "200万",
               "on": on.isoformat()} | payload  # fmt: skip
    p = proposals.propose(action="matching.decide", payload=payload, reason="授信审批",
                          by=users["bank_officer"])  # fmt: skip
    return proposals.approve(proposal=p, by=checker)


def disburse(users, checker, app, on=dt.date(2026, 8, 12), amount="200万"):
    p = proposals.propose(
        action="matching.disburse",
        payload={"application_id": app.pk, "amount": amount, "on": on.isoformat(),
                 "loan_reference": "LN-2026-001"},
        reason="放款", by=users["bank_officer"],
    )  # fmt: skip
    return proposals.approve(proposal=p, by=checker)
