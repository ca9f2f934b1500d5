"""Servicing many instalments: penalty interest, a repayment spread over instalments in the
stated order, and reading an allocation order from policy. Worked examples, refusals, and the
conservation law (the parts add up to the amount, none more than due)."""

import doctest
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patientcap.domain import loans
from patientcap.domain.loans import LoanError, allocate_across, parse_order, penalty_interest


def test_the_examples_in_the_docstrings_hold():
    finder = doctest.DocTestFinder()
    for fn in (penalty_interest, allocate_across, parse_order):
        for test in finder.find(fn, globs=vars(loans)):
            assert doctest.DocTestRunner().run(test).failed == 0


def test_penalty_interest_is_the_marked_up_rate_by_the_day_over_360():
    # 1,000,000 yuan overdue 90 days at 4% + 50%: 1,000,000 × 0.06 × 90 / 360 = 15,000 yuan.
    assert penalty_interest(100_000_000, Decimal("0.04"), Decimal("0.5"), 90) == 1_500_000
    assert penalty_interest(100_000_000, Decimal("0.04"), Decimal("0.5"), 0) == 0


def test_negative_penalty_inputs_are_refused():
    with pytest.raises(LoanError):
        penalty_interest(-1, Decimal("0.04"), Decimal("0.5"), 3)


def test_all_penalty_then_all_interest_then_principal_oldest_first():
    dues = [
        {"penalty": 50, "interest": 300, "principal": 1_000},
        {"penalty": 20, "interest": 200, "principal": 1_000},
    ]
    paid, over = allocate_across(600, dues)
    assert paid == [
        {"penalty": 50, "interest": 300, "principal": 30},
        {"penalty": 20, "interest": 200, "principal": 0},
    ]
    assert over == 0


def test_another_order_is_followed_as_stated():
    paid, _ = allocate_across(
        100,
        [{"penalty": 50, "interest": 50, "principal": 50}],
        ("principal", "interest", "penalty"),
    )
    assert paid == [{"principal": 50, "interest": 50, "penalty": 0}]


def test_what_is_left_after_everything_due_is_an_overpayment():
    paid, over = allocate_across(1_000, [{"penalty": 0, "interest": 10, "principal": 90}])
    assert paid == [{"penalty": 0, "interest": 10, "principal": 90}] and over == 900


def test_bad_orders_and_amounts_are_refused():
    with pytest.raises(LoanError):
        parse_order("interest, principal")
    with pytest.raises(LoanError):
        allocate_across(-1, [])
    with pytest.raises(LoanError):
        allocate_across(1, [{"interest": 1, "principal": 1}])


due_rows = st.lists(
    st.fixed_dictionaries(
        {
            "penalty": st.integers(0, 10**6),
            "interest": st.integers(0, 10**7),
            "principal": st.integers(0, 10**9),
        }
    ),
    max_size=36,
)


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(0, 10**10), dues=due_rows)
def test_a_repayment_is_conserved_and_never_pays_more_than_due(amount, dues):
    paid, over = allocate_across(amount, dues)
    assert sum(sum(p.values()) for p in paid) + over == amount
    for p, d in zip(paid, dues, strict=True):
        assert all(0 <= p[c] <= d[c] for c in d)
    total_due = sum(sum(d.values()) for d in dues)
    assert over == max(amount - total_due, 0)
    # Penalty and interest are fully paid before any principal.
    if any(p["principal"] for p in paid):
        assert all(
            p["penalty"] == d["penalty"] and p["interest"] == d["interest"]
            for p, d in zip(paid, dues, strict=True)
        )
