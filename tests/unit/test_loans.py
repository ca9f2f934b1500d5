"""Loans: schedules, repayment allocation, days past due, classification; worked examples,
refusals and properties (principal sums to the loan, balance never negative, allocation never
pays more than due)."""

import doctest
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patientcap.domain import loans
from patientcap.domain.loans import (
    Category,
    DayCount,
    LoanError,
    Method,
    Thresholds,
    add_months,
    allocate_repayment,
    classify,
    days_past_due,
    due_dates,
    level_payment,
    period_days,
    schedule,
    schedules,
)

D = Decimal


def test_the_worked_examples_in_the_docstrings_hold():
    result = doctest.testmod(loans)
    assert result.attempted > 5 and result.failed == 0


def test_a_loan_due_on_the_31st_falls_due_on_each_months_last_day():
    assert due_dates(date(2025, 1, 31), 4) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    ]


def test_a_leap_february_keeps_its_29th():
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)


def test_thirty_360_counts_every_month_as_thirty_days():
    assert period_days(date(2025, 1, 31), date(2025, 2, 28), DayCount.THIRTY_360) == 28
    assert period_days(date(2025, 1, 30), date(2025, 3, 31), DayCount.THIRTY_360) == 60


def test_the_equal_instalment_payment_is_the_published_one():
    assert level_payment(100_000_000, D("0.0435"), 12) == 8_530_990


def test_equal_instalments_are_level_until_the_last():
    s = schedule(
        principal_fen=100_000_000,
        annual_rate=D("0.0435"),
        months=12,
        method=Method.EQUAL_INSTALMENTS,
        start=date(2025, 1, 10),
        first_due=date(2025, 2, 10),
    )
    assert {i.total_fen for i in s[:-1]} == {8_530_990}
    assert abs(s[-1].total_fen - 8_530_990) <= 12
    assert sum(i.principal_fen for i in s) == 100_000_000
    assert s[-1].balance_fen == 0


def test_equal_principal_repays_the_same_principal_and_less_interest_each_month():
    s = schedule(
        principal_fen=1_000_001,
        annual_rate=D("0.06"),
        months=3,
        method=Method.EQUAL_PRINCIPAL,
        start=date(2025, 1, 1),
        first_due=date(2025, 2, 1),
    )
    assert [i.principal_fen for i in s] == [333_333, 333_333, 333_335]
    assert [i.interest_fen for i in s] == [5_000, 3_333, 1_667]


def test_interest_only_repays_the_principal_at_the_end():
    s = schedule(
        principal_fen=1_000_000,
        annual_rate=D("0.0365"),
        months=3,
        method=Method.INTEREST_ONLY_BULLET,
        start=date(2025, 1, 1),
        first_due=date(2025, 2, 1),
        day_count=DayCount.ACT_365F,
    )
    assert [i.principal_fen for i in s] == [0, 0, 1_000_000]
    assert [i.interest_fen for i in s] == [3_100, 2_800, 3_100]


def test_a_zero_rate_loan_repays_only_principal():
    s = schedule(
        principal_fen=1_000,
        annual_rate=D(0),
        months=3,
        method=Method.EQUAL_INSTALMENTS,
        start=date(2025, 1, 1),
        first_due=date(2025, 2, 1),
    )
    assert [(i.principal_fen, i.interest_fen) for i in s] == [(333, 0), (333, 0), (334, 0)]


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"principal_fen": 0}, "positive number of fen"),
        ({"annual_rate": D("-0.01")}, "annual rate"),
        ({"months": 0}, "at least one month"),
        ({"first_due": date(2025, 1, 1)}, "must fall after disbursement"),
    ],
)
def test_bad_loan_terms_are_refused(terms, message):
    base = {
        "principal_fen": 1_000,
        "annual_rate": D("0.05"),
        "months": 3,
        "method": Method.EQUAL_PRINCIPAL,
        "start": date(2025, 1, 1),
        "first_due": date(2025, 2, 1),
    }
    with pytest.raises(LoanError, match=message):
        schedule(**(base | terms))


def test_a_repayment_pays_penalty_then_interest_then_principal():
    a = allocate_repayment(4_000, {"penalty": 500, "interest": 3_000, "principal": 20_000})
    assert dict(a.paid) == {"penalty": 500, "interest": 3_000, "principal": 500}


def test_a_configured_order_pays_principal_first():
    a = allocate_repayment(
        25_000,
        {"penalty": 500, "interest": 3_000, "principal": 20_000},
        order=("principal", "interest", "penalty"),
    )
    assert dict(a.paid) == {"principal": 20_000, "interest": 3_000, "penalty": 500}
    assert a.overpayment_fen == 1_500


def test_an_order_missing_a_component_is_refused():
    with pytest.raises(LoanError, match="must name each component"):
        allocate_repayment(1, {"interest": 1, "principal": 1}, order=("principal",))


def test_a_negative_repayment_is_refused():
    with pytest.raises(LoanError, match="cannot be negative"):
        allocate_repayment(-1, {"principal": 1}, order=("principal",))


def test_days_past_due_count_from_the_oldest_unpaid_instalment():
    assert days_past_due(date(2025, 3, 1), date(2025, 3, 1)) == 0
    assert days_past_due(None, date(2025, 3, 1)) == 0
    assert days_past_due(date(2025, 3, 1), date(2025, 3, 2)) == 1


@pytest.mark.parametrize(
    ("dpd", "category"),
    [
        (0, Category.NORMAL),
        (1, Category.SPECIAL_MENTION),
        (90, Category.SPECIAL_MENTION),
        (91, Category.SUBSTANDARD),
        (270, Category.SUBSTANDARD),
        (271, Category.DOUBTFUL),
        (360, Category.DOUBTFUL),
        (361, Category.LOSS),
    ],
)
def test_days_past_due_set_the_least_category(dpd, category):
    assert classify(dpd) is category


def test_the_older_bands_are_a_parameter_away():
    older = Thresholds(special_mention=1, substandard=91, doubtful=181, loss=361)
    assert classify(200, older) is Category.DOUBTFUL


def test_thresholds_that_do_not_rise_are_refused():
    with pytest.raises(LoanError, match="must rise"):
        Thresholds(special_mention=1, substandard=91, doubtful=91, loss=361)


# --- Properties -------------------------------------------------------------------------------
terms = st.fixed_dictionaries(
    {
        "principal_fen": st.integers(1, 3_000_000_000),
        "annual_rate": st.integers(0, 2400).map(lambda bp: D(bp) / 10_000),
        "months": st.integers(1, 120),
        "method": st.sampled_from(Method),
        "start": st.dates(date(2000, 1, 1), date(2040, 12, 31)),
        "gap": st.integers(1, 60),
        "day_count": st.sampled_from(DayCount),
    }
)


@settings(max_examples=200, deadline=None)
@given(t=terms)
def test_principal_sums_to_the_loan_and_the_balance_never_goes_negative(t):
    gap = t.pop("gap")
    s = schedule(**t, first_due=t["start"] + timedelta(days=gap))
    assert sum(i.principal_fen for i in s) == t["principal_fen"]
    assert all(i.balance_fen >= 0 and i.principal_fen >= 0 and i.interest_fen >= 0 for i in s)
    assert s[-1].balance_fen == 0
    assert [i.due for i in s] == sorted({i.due for i in s})


components = st.dictionaries(
    st.sampled_from(["penalty", "fee", "interest", "principal"]),
    st.integers(0, 10**9),
    min_size=1,
)


@given(due=components, amount=st.integers(0, 5 * 10**9), data=st.data())
def test_allocation_never_pays_more_than_due_and_loses_nothing(due, amount, data):
    order = data.draw(st.permutations(sorted(due)))
    a = allocate_repayment(amount, due, order)
    assert all(0 <= a.paid[c] <= due[c] for c in due)
    assert sum(a.paid.values()) + a.overpayment_fen == amount
    assert a.overpayment_fen == max(amount - sum(due.values()), 0)


@settings(max_examples=150, deadline=None)
@given(
    many=st.lists(terms, min_size=1, max_size=8),
    method=st.sampled_from(Method),
    day_count=st.sampled_from(DayCount),
)
def test_the_batch_path_equals_the_one_loan_path(many, method, day_count):
    for t in many:
        t["first_due"] = t["start"] + timedelta(days=t.pop("gap"))
        t["method"], t["day_count"] = method, day_count
    batch = schedules(
        principal_fen=np.array([t["principal_fen"] for t in many]),
        annual_rate=[t["annual_rate"] for t in many],
        months=np.array([t["months"] for t in many]),
        method=method,
        start=np.array([t["start"] for t in many], "datetime64[D]"),
        first_due=np.array([t["first_due"] for t in many], "datetime64[D]"),
        day_count=day_count,
    )
    for row, t in enumerate(many):
        one = schedule(**t)
        m = len(one)
        assert batch.principal_fen[row, :m].tolist() == [i.principal_fen for i in one]
        assert batch.interest_fen[row, :m].tolist() == [i.interest_fen for i in one]
        assert batch.balance_fen[row, :m].tolist() == [i.balance_fen for i in one]
        assert [d.item() for d in batch.due[row, :m]] == [i.due for i in one]
        assert not batch.principal_fen[row, m:].any()


def test_the_batch_path_refuses_bad_terms_like_the_one_loan_path():
    with pytest.raises(LoanError, match="must fall after disbursement"):
        schedules(
            principal_fen=np.array([1_000]),
            annual_rate=[D("0.05")],
            months=np.array([3]),
            method=Method.EQUAL_PRINCIPAL,
            start=np.array(["2025-02-01"], "datetime64[D]"),
            first_due=np.array(["2025-02-01"], "datetime64[D]"),
        )
