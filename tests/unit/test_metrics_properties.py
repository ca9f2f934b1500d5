"""Properties of the fund metrics over generated totals and flows."""

import datetime as dt
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from patientcap.domain.metrics import (
    Flow,
    FlowKind,
    Movement,
    Project,
    balance_at,
    balance_series,
    multiples,
    portfolio_metrics,
)

fen = st.integers(0, 10**15)


@given(fen, fen, fen, fen)
def test_dpi_plus_rvpi_is_tvpi_exactly(invested, costs, distributed, residual):
    m = multiples(
        invested_fen=invested, costs_fen=costs, distributed_fen=distributed, residual_fen=residual
    )
    if invested + costs == 0:
        assert m.dpi is m.rvpi is m.tvpi is None
    else:
        assert m.dpi is not None and m.rvpi is not None
        assert m.dpi + m.rvpi == m.tvpi


@given(fen, fen, st.integers(1, 10**15))
def test_each_multiple_is_within_half_a_unit_of_its_exact_quotient(distributed, residual, paid):
    m = multiples(invested_fen=paid, distributed_fen=distributed, residual_fen=residual)
    half = Fraction(1, 2 * 10**8)
    assert abs(Fraction(m.dpi) - Fraction(distributed, paid)) <= half
    assert abs(Fraction(m.tvpi) - Fraction(distributed + residual, paid)) <= half
    assert abs(Fraction(m.rvpi) - Fraction(residual, paid)) <= 2 * half


dates = st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31))
flows = st.builds(Flow, dates, st.sampled_from(list(FlowKind)), st.integers(1, 10**12))
projects = st.builds(
    Project, st.text(max_size=3), st.lists(flows, max_size=6).map(tuple), st.integers(0, 10**12)
)


@given(st.lists(projects, max_size=8))
def test_the_portfolio_totals_are_the_exact_sums_of_the_projects(ps):
    result = portfolio_metrics(ps, dt.date(2025, 1, 1))
    total = result.portfolio.multiples
    for field in ("invested_fen", "paid_in_fen", "distributed_fen", "residual_fen"):
        assert getattr(total, field) == sum(getattr(p.multiples, field) for p in result.projects)


@given(st.lists(st.builds(Movement, dates, st.integers(-(10**9), 10**9)), max_size=30), dates)
def test_the_balance_on_a_date_is_the_sum_of_the_movements_up_to_it(movements, when):
    series = balance_series(movements)
    assert balance_at(series, when) == sum(m.amount_fen for m in movements if m.when <= when)
