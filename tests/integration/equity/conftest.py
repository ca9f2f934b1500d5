"""A registered firm with a login, a funded fiscal pool, and helpers for cap-table tests."""

import datetime as dt

import pytest

from patientcap.domain.ledger import credit, debit
from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import services as registry
from patientcap.equity import services
from patientcap.ledger.services import post_entry

OPENED = dt.date(2022, 1, 10)
POOL_FEN = 10_000_000_000  # ¥100M


def fund_pool(users, amount_fen: int = POOL_FEN, on: dt.date = dt.date(2022, 1, 1)) -> None:
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


def make_firm(users, n: int, name: str):
    return registry.create_enterprise(
        actor=users["zone_officer"],
        data={
            "uscc": make_uscc(9_200_000 + n),
            "name": name,
            "registration_date": dt.date(2021, 4, 1),
            "industry_code": "I65",
            "growth_stage": "startup",
        },
    )


@pytest.fixture
def firm(users, orgs):
    e = make_firm(users, 1, "凤鸣光电科技")
    registry.link_organisation(
        actor=users["zone_officer"], enterprise_id=e.pk, organisation_id=orgs["enterprise_a"].pk
    )
    return e


@pytest.fixture
def opened(users, firm):
    """The firm's cap table: two founders with 9,000,000 common shares and a pool of 1,000,000."""
    services.open_cap_table(
        enterprise_id=firm.pk,
        founders=[("张伟", 6_000_000), ("李娜", 3_000_000)],
        on=OPENED,
        actor=users["zone_officer"],
        source="test",
        pool_unallocated=1_000_000,
    )
    return firm
