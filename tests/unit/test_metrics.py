"""Fund and pool metrics: multiples, XIRR, recycling, pool balance and loss ratio by vintage."""

import datetime as dt
import doctest
from decimal import Context, Decimal, localcontext

import pytest

from patientcap.domain import metrics as metrics_module
from patientcap.domain.metrics import (
    Exposure,
    Flow,
    FlowKind,
    MetricsError,
    Movement,
    Project,
    balance_at,
    balance_series,
    loss_ratio_by_vintage,
    multiples,
    portfolio_metrics,
    project_metrics,
    ratio,
    recycling_rate,
    unrealised_value,
)

D = dt.date
INV, COST, DIST = FlowKind.INVESTMENT, FlowKind.COST, FlowKind.DISTRIBUTION


def test_the_module_examples_hold():
    assert doctest.testmod(metrics_module).failed == 0


def test_multiples_follow_the_ilpa_definitions():
    m = multiples(invested_fen=300, distributed_fen=100, residual_fen=200)
    assert m.dpi == Decimal("0.33333333")
    assert m.tvpi == Decimal("1.00000000")
    assert m.rvpi == Decimal("0.66666667")
    assert m.moic == Decimal("1.00000000")


def test_costs_count_in_paid_in_but_not_in_gross_moic():
    m = multiples(invested_fen=100, costs_fen=25, distributed_fen=250, residual_fen=0)
    assert m.paid_in_fen == 125
    assert m.tvpi == Decimal("2.00000000")
    assert m.moic == Decimal("2.50000000")


def test_dpi_is_zero_when_nothing_was_distributed():
    m = multiples(invested_fen=500, distributed_fen=0, residual_fen=700)
    assert m.dpi == Decimal("0E-8") == 0
    assert m.tvpi == m.rvpi == Decimal("1.40000000")


def test_multiples_are_undefined_with_a_reason_when_nothing_was_paid_in():
    m = multiples(invested_fen=0, distributed_fen=0, residual_fen=0)
    assert (m.dpi, m.rvpi, m.tvpi, m.moic) == (None, None, None, None)
    assert m.reason is not None and "Nothing has been paid in" in m.reason.text


def test_negative_totals_are_refused():
    with pytest.raises(MetricsError, match="cannot be negative"):
        multiples(invested_fen=100, distributed_fen=-1, residual_fen=0)


def test_ratio_rounds_half_up_exactly_even_for_huge_amounts():
    assert ratio(1, 200_000_000) == Decimal("1E-8")  # 0.000000005 rounds up
    assert ratio(10**30 + 1, 10**30) == Decimal("1.00000000")


def test_ratios_are_exact_whatever_the_callers_decimal_context():
    huge = 10**40 + 7  # a quotient with far more digits than a three-digit context keeps
    with localcontext(prec=3):
        assert ratio(huge, 3) == Decimal(huge * 10**8 // 3 + 1).scaleb(-8, Context(prec=99))
        m = multiples(invested_fen=3, distributed_fen=huge, residual_fen=1)
        p = portfolio_metrics([Project("p", (Flow(D(2024, 1, 1), INV, 3),), 10**15)], D(2025, 1, 1))
    assert Context(prec=99).add(m.dpi, m.rvpi) == m.tvpi and len(m.tvpi.as_tuple().digits) == 48
    assert p.projects[0].multiples.tvpi == Decimal("333333333333333.33333333")


def test_a_flow_must_be_a_positive_number_of_fen():
    with pytest.raises(MetricsError, match="positive number of fen"):
        Flow(D(2024, 1, 1), INV, 0)
    with pytest.raises(MetricsError, match="positive number of fen"):
        Flow(D(2024, 1, 1), INV, 1.5)  # type: ignore[arg-type]


def test_a_flow_too_large_for_an_exact_float_is_refused():
    with pytest.raises(MetricsError, match="too large"):
        Flow(D(2024, 1, 1), INV, 2**53)


def test_a_negative_residual_value_is_refused():
    with pytest.raises(MetricsError, match="residual value cannot be negative"):
        Project("p", (), residual_fen=-1)


def test_xirr_of_a_simple_project_matches_the_closed_form():
    p = Project("p", (Flow(D(2023, 1, 1), INV, 1_000_000), Flow(D(2024, 1, 1), DIST, 1_200_000)))
    r = project_metrics(p, D(2024, 1, 1))
    assert r.xirr.value == Decimal("0.200000")
    assert r.xirr.reason is None


def test_the_residual_value_is_a_terminal_inflow_on_the_as_of_date():
    p = Project("p", (Flow(D(2023, 1, 1), INV, 1_000_000),), residual_fen=1_100_000)
    r = project_metrics(p, D(2024, 1, 1))
    assert r.xirr.value == Decimal("0.100000")
    assert r.multiples.rvpi == Decimal("1.10000000")


def test_xirr_of_a_total_loss_is_none_with_a_reason():
    p = Project("p", (Flow(D(2023, 1, 1), INV, 1_000_000),))
    r = project_metrics(p, D(2024, 1, 1))
    assert r.xirr.value is None
    assert r.xirr.reason is not None and "never change sign" in r.xirr.reason.text
    assert r.multiples.tvpi == 0


def test_xirr_without_money_paid_in_is_none_with_a_reason():
    p = Project("p", (Flow(D(2023, 1, 1), DIST, 1_000),))
    r = project_metrics(p, D(2024, 1, 1))
    assert r.xirr.value is None and "Nothing has been paid in" in r.xirr.reason.text
    assert r.multiples.dpi is None


def test_xirr_without_flows_is_none_with_a_reason():
    r = project_metrics(Project("p", ()), D(2024, 1, 1))
    assert r.xirr.value is None and "no cash flows" in r.xirr.reason.text


def test_a_flow_after_the_as_of_date_is_refused():
    p = Project("p", (Flow(D(2025, 1, 1), INV, 1_000),))
    with pytest.raises(MetricsError, match="after 2024-01-01"):
        project_metrics(p, D(2024, 1, 1))


def test_portfolio_metrics_pool_every_flow_and_residual():
    a = Project("a", (Flow(D(2022, 1, 1), INV, 1_000), Flow(D(2023, 1, 1), DIST, 1_500)))
    b = Project("b", (Flow(D(2022, 1, 1), INV, 1_000),), residual_fen=500)
    c = Project("c", (Flow(D(2022, 6, 1), INV, 2_000),))  # written off
    result = portfolio_metrics([a, b, c], D(2024, 1, 1))
    assert [p.key for p in result.projects] == ["a", "b", "c"]
    total = result.portfolio.multiples
    assert (total.invested_fen, total.distributed_fen, total.residual_fen) == (4_000, 1_500, 500)
    assert total.dpi == Decimal("0.37500000")
    assert total.tvpi == Decimal("0.50000000")
    assert result.portfolio.xirr.value is not None and result.portfolio.xirr.value < 0
    assert result.projects[2].xirr.value is None


def test_the_recycling_rate_is_returned_over_invested():
    assert recycling_rate(34, 63) == Decimal("0.53968254")
    assert recycling_rate(0, 0) is None
    with pytest.raises(MetricsError, match="cannot be negative"):
        recycling_rate(-1, 10)


def test_the_pool_balance_is_a_step_series_netting_same_day_movements():
    s = balance_series(
        [
            Movement(D(2024, 6, 1), -300),
            Movement(D(2024, 1, 1), 1_000),
            Movement(D(2024, 6, 1), 50),
            Movement(D(2025, 1, 1), 400),
        ],
        opening_fen=10,
    )
    assert [(p.when, p.balance_fen) for p in s] == [
        (D(2024, 1, 1), 1_010),
        (D(2024, 6, 1), 760),
        (D(2025, 1, 1), 1_160),
    ]
    assert balance_at(s, D(2023, 1, 1), opening_fen=10) == 10
    assert balance_at(s, D(2024, 6, 1)) == 760
    assert balance_at(s, D(2024, 12, 31)) == 760
    assert balance_series([]) == ()


def test_the_loss_ratio_is_by_vintage_of_first_disbursement():
    losses = loss_ratio_by_vintage(
        [
            Exposure(D(2023, 3, 1), 1_000, 1_000),
            Exposure(D(2023, 9, 1), 3_000, 0),
            Exposure(D(2024, 1, 1), 2_000, 500),
        ]
    )
    assert [(v.year, v.invested_fen, v.written_off_fen, v.loss_ratio) for v in losses] == [
        (2023, 4_000, 1_000, Decimal("0.25000000")),
        (2024, 2_000, 500, Decimal("0.25000000")),
    ]


def test_a_write_off_above_the_amount_invested_is_refused():
    with pytest.raises(MetricsError, match="between 0 and the amount invested"):
        Exposure(D(2023, 1, 1), 100, 101)


def test_the_unrealised_value_is_shares_at_the_latest_price_rounded_once():
    assert unrealised_value(3, Decimal("0.5")) == 2  # 1.5 fen rounds half up
    assert unrealised_value(0, Decimal("700")) == 0
    with pytest.raises(MetricsError, match="cannot be negative"):
        unrealised_value(-1, Decimal(1))
