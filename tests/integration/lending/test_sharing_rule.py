"""The tiered-loan sharing rule as policy builds it: pool 40%, guarantor 40%, bank 20% of the
principal, the pool capped; every split adds up to the loss to the fen."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from patientcap.domain.risk_sharing import Default, Usage, share_loss
from patientcap.lending import rules

ON = dt.date(2025, 6, 30)


def test_the_rule_in_force_splits_8_2_with_the_pool_taking_half_of_the_guarantors_8():
    versions = rules.Versions()
    rule = rules.sharing_rule(ON, versions)
    assert {p.name: p.share for p in rule.parties} == {
        "pool": Decimal("0.40"),
        "guarantor": Decimal("0.40"),
        "bank": Decimal("0.2"),
    }
    assert "tiered_loan.risk_share.pool_part_of_guarantor" in versions.used
    split = share_loss(rule, Default(principal_fen=300_000_000), covered_portfolio_fen=10**12)
    assert split.as_dict() == {"pool": 120_000_000, "guarantor": 120_000_000, "bank": 60_000_000}


@settings(max_examples=200, deadline=None)
@given(
    principal=st.integers(1, 2_000_000_000),
    interest=st.integers(0, 100_000_000),
    covered=st.integers(0, 10**13),
    pool_paid=st.integers(0, 10**10),
)
def test_every_split_adds_up_to_the_loss_and_the_pool_keeps_to_its_caps(
    principal, interest, covered, pool_paid
):
    rule = rules.sharing_rule(ON, rules.Versions())
    split = share_loss(
        rule,
        Default(
            principal_fen=principal, interest_fen=interest, interest_days=30 if interest else 0
        ),
        covered_portfolio_fen=covered,
        usage=Usage({"pool": pool_paid}, pool_paid),
    )
    parts = split.as_dict()
    assert sum(parts.values()) == split.base_fen == principal  # principal basis
    assert all(v >= 0 for v in parts.values())
    assert parts["pool"] <= 800_000_000  # 800万 per loan
    assert parts["pool"] <= max(covered * 5 // 100 + 1 - pool_paid, 0)
