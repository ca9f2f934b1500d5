"""Builders for invest-first tests: a firm with a login, a funded fiscal pool, and helpers that
take a project through its stages with the real services and maker-checker actions."""

import datetime as dt
from decimal import Decimal

from patientcap.approvals import services as proposals
from patientcap.domain.ledger import credit, debit
from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import services as registry
from patientcap.investments import services
from patientcap.investments.models import Project
from patientcap.ledger.services import post_entry

SIGNED = dt.date(2026, 1, 5)
POOL_FEN = 1_000_000_000  # ¥10M


def fund_pool(users, amount_fen: int = POOL_FEN, on: dt.date = dt.date(2026, 1, 2)) -> None:
    post_entry(
        book="fiscal_pool",
        date=on,
        memo="test contribution",
        idempotency_key=f"test-pool:{on}:{amount_fen}",
        postings=[
            debit("fiscal_pool.cash", amount_fen),
            credit("fiscal_pool.contributions", amount_fen),
        ],
        actor=users["zone_officer"],
    )


def make_firm(users, orgs):
    e = registry.create_enterprise(
        actor=users["zone_officer"],
        data={
            "uscc": make_uscc(9_100_001),
            "name": "优宽空科技",
            "registration_date": dt.date(2021, 4, 1),
            "industry_code": "I65",
            "growth_stage": "startup",
        },
    )
    registry.link_organisation(
        actor=users["zone_officer"], enterprise_id=e.pk, organisation_id=orgs["enterprise_a"].pk
    )
    return e


def approve(
    action: str, payload: dict, users, maker: str = "zone_officer", checker: str = "reviewer"
):
    p = proposals.propose(action=action, payload=payload, reason="test", by=users[maker])
    return proposals.approve(proposal=p, by=users[checker])


def applied(users, firm, amount_fen: int = 200_000_000) -> Project:
    return services.apply(
        enterprise_id=firm.pk,
        title="AI 教育数据平台",
        plan="研发计划",
        requested_fen=amount_fen,
        on=dt.date(2025, 12, 1),
        actor=users["enterprise_user"],
    )


def approved(users, firm, amount_fen: int = 200_000_000) -> Project:
    project = applied(users, firm, amount_fen)
    services.add_review(
        project_id=project.pk,
        score=Decimal("82.5"),
        opinion="技术领先",
        on=dt.date(2025, 12, 10),
        actor=users["reviewer"],
    )
    approve(
        "investments.decide",
        {
            "project_id": project.pk,
            "approved": True,
            "amount_fen": amount_fen,
            "date": "2025-12-20",
            "comment": "同意",
        },
        users,
    )
    project.refresh_from_db()
    return project


def signed(users, firm, amount_fen: int = 200_000_000, **terms) -> Project:
    project = approved(users, firm, amount_fen)
    half = amount_fen // 2
    options = {
        "variant": "B",
        "agreed_valuation_fen": 2_000_000_000,
        "conversion_deadline": dt.date(2028, 1, 5),
        "tranches": [(dt.date(2026, 1, 15), half), (dt.date(2026, 7, 15), amount_fen - half)],
        "milestones": [
            {
                "what": "原型机",
                "measure": "台数",
                "target": "3",
                "due": dt.date(2026, 6, 30),
                "evidence_required": "第三方检测报告",
            },
        ],
        "buyback_rate": Decimal("0.035"),
        "buyback_floor_fen": amount_fen,
        "buyback_cap_fen": amount_fen * 2,
    } | terms
    services.sign_agreement(
        project_id=project.pk,
        signed_on=SIGNED,
        amount_fen=amount_fen,
        actor=users["zone_officer"],
        **options,
    )
    project.refresh_from_db()
    return project


def disbursed(users, firm, amount_fen: int = 200_000_000, tranches: int = 2, **terms) -> Project:
    project = signed(users, firm, amount_fen, **terms)
    for t, on in zip(
        project.agreement.tranches.all()[:tranches],
        ("2026-01-15", "2026-07-15")[:tranches],
        strict=True,
    ):
        approve("investments.disburse", {"tranche_id": t.pk, "date": on}, users)
    project.refresh_from_db()
    return project
