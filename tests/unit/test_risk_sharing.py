"""Risk sharing: worked examples from risk-sharing.md, refusals, and properties (hypothesis):
parts add up to the loss, nobody negative, caps never exceeded, recoveries never exceed what was
paid, and the batch path equals the one-loan path."""

import doctest
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patientcap.domain import risk_sharing
from patientcap.domain.risk_sharing import (
    CircuitBreakerTripped,
    Default,
    LossBasis,
    NplBand,
    Party,
    RiskSharingError,
    SharingRule,
    Split,
    Usage,
    check_inclusion,
    loss_base,
    next_usage,
    npl_ratio,
    portfolio_cap,
    share_loss,
    share_losses,
    share_recovery,
)

D = Decimal


def four_three_two_one() -> SharingRule:
    return SharingRule(
        parties=(
            Party("guarantor", D("0.4")),
            Party("re_guarantor", D("0.3")),
            Party("bank", D("0.2")),
            Party("government", D("0.1")),
        ),
        residual="bank",
    )


def test_the_worked_examples_in_the_docstrings_hold():
    result = doctest.testmod(risk_sharing)
    assert result.attempted > 5 and result.failed == 0


def test_the_4321_example_splits_six_million_as_published():
    split = share_loss(four_three_two_one(), Default(principal_fen=600_000_000))
    assert split.as_dict() == {
        "guarantor": 240_000_000,
        "re_guarantor": 180_000_000,
        "bank": 120_000_000,
        "government": 60_000_000,
    }


def test_a_loss_in_thirds_adds_up_to_the_fen():
    rule = SharingRule(
        parties=(Party("a", D(1) / 3), Party("b", D(1) / 3), Party("c", 1 - 2 * (D(1) / 3))),
        residual="c",
    )
    assert sum(share_loss(rule, Default(principal_fen=100)).parts) == 100


def test_shares_that_do_not_add_to_one_are_refused_naming_the_sum():
    with pytest.raises(RiskSharingError, match=r"add up to 0\.9, not exactly 1"):
        SharingRule(parties=(Party("pool", D("0.7")), Party("bank", D("0.2"))), residual="bank")


def test_a_negative_share_is_refused():
    with pytest.raises(RiskSharingError, match="negative"):
        SharingRule(parties=(Party("pool", D("1.2")), Party("bank", D("-0.2"))), residual="bank")


def test_an_unknown_residual_party_is_refused():
    with pytest.raises(RiskSharingError, match="residual party 'bank'"):
        SharingRule(parties=(Party("pool", D(1)),), residual="bank")


def test_a_capped_residual_party_is_refused():
    with pytest.raises(RiskSharingError, match="cannot have a cap"):
        SharingRule(parties=(Party("bank", D(1), annual_cap_fen=5),), residual="bank")


def test_a_band_with_other_parties_is_refused():
    with pytest.raises(RiskSharingError, match="NPL band"):
        SharingRule(
            parties=(Party("pool", D("0.3")), Party("bank", D("0.7"))),
            residual="bank",
            npl_bands=(NplBand(D(0), None, {"pool": D(1)}),),
        )


def test_an_upside_down_npl_band_is_refused():
    with pytest.raises(RiskSharingError, match="NPL band must run"):
        NplBand(D("0.03"), D("0.01"), {"bank": D(1)})


def test_interest_beyond_the_allowed_days_is_prorated():
    rule = SharingRule(
        parties=(Party("bank", D(1)),),
        residual="bank",
        basis=LossBasis.PRINCIPAL_AND_INTEREST,
        interest_days=120,
    )
    assert loss_base(rule, Default(1_000_000, 30_000, 180)) == 1_020_000
    assert loss_base(rule, Default(1_000_000, 30_000, 90)) == 1_030_000


def test_principal_basis_ignores_interest():
    assert loss_base(four_three_two_one(), Default(1_000, 500, 30)) == 1_000


def test_the_chongqing_pool_advances_eighty_percent_and_the_bank_keeps_the_interest():
    rule = SharingRule(parties=(Party("pool", D("0.8")), Party("bank", D("0.2"))), residual="bank")
    assert share_loss(rule, Default(1_000_000, 50_000, 60)).as_dict() == {
        "pool": 800_000,
        "bank": 200_000,
    }


def test_a_first_loss_layer_is_borne_before_the_pro_rata_split():
    rule = SharingRule(
        parties=(Party("pool", D("0.5")), Party("bank", D("0.5"))),
        residual="bank",
        first_loss_party="bank",
        first_loss_ratio=D("0.1"),
        first_loss_cap_fen=5_000,
    )
    split = share_loss(rule, Default(principal_fen=100_000))
    assert split.first_loss_fen == 5_000
    assert split.as_dict() == {"pool": 47_500, "bank": 52_500}


def test_the_shenzhen_band_pays_only_inside_one_to_three_percent_npl():
    outside = {"pool": D(0), "bank": D(1)}
    rule = SharingRule(
        parties=(Party("pool", D(0)), Party("bank", D(1))),
        residual="bank",
        npl_bands=(
            NplBand(D(0), D("0.01"), outside),
            NplBand(D("0.01"), D("0.03"), {"pool": D("0.3"), "bank": D("0.7")}),
            NplBand(D("0.03"), None, outside),
        ),
    )
    loss = Default(principal_fen=10_000)
    assert share_loss(rule, loss, npl_ratio=D("0.005")).as_dict()["pool"] == 0
    assert share_loss(rule, loss, npl_ratio=D("0.02")).as_dict()["pool"] == 3_000
    assert share_loss(rule, loss, npl_ratio=D("0.03")).as_dict()["pool"] == 0


def test_what_an_annual_cap_cuts_off_falls_to_the_bank():
    rule = SharingRule(
        parties=(Party("pool", D("0.8"), annual_cap_fen=1_000), Party("bank", D("0.2"))),
        residual="bank",
    )
    split = share_loss(rule, Default(1_000), usage=Usage({"pool": 900}))
    assert split.as_dict() == {"pool": 100, "bank": 900}
    assert next_usage(rule, Usage({"pool": 900}), split).annual_paid["pool"] == 1_000


def test_the_pool_never_pays_above_the_portfolio_cap():
    rule = SharingRule(
        parties=(Party("pool", D("0.8")), Party("bank", D("0.2"))),
        residual="bank",
        pool="pool",
        portfolio_cap_rate=D("0.05"),
    )
    split = share_loss(
        rule, Default(10_000), covered_portfolio_fen=100_000, usage=Usage(pool_paid_fen=4_000)
    )
    assert split.as_dict() == {"pool": 1_000, "bank": 9_000}


def test_a_portfolio_cap_without_the_portfolio_amount_is_refused():
    rule = SharingRule(
        parties=(Party("pool", D("0.8")), Party("bank", D("0.2"))),
        residual="bank",
        pool="pool",
        portfolio_cap_rate=D("0.05"),
    )
    with pytest.raises(RiskSharingError, match="covered portfolio"):
        share_loss(rule, Default(10_000))


def test_recoveries_go_back_by_the_loss_shares_and_a_full_recovery_returns_each_part():
    split = share_loss(four_three_two_one(), Default(600_000_000))
    first = share_recovery(split, (0, 0, 0, 0), 100_000_000)
    assert first == (40_000_000, 30_000_000, 20_000_000, 10_000_000)
    rest = share_recovery(split, first, 500_000_000)
    assert tuple(a + b for a, b in zip(first, rest, strict=True)) == split.parts


def test_a_recovery_above_what_is_unrecovered_is_refused():
    split = share_loss(four_three_two_one(), Default(1_000))
    with pytest.raises(RiskSharingError, match="exceeds the 1000 fen still unrecovered"):
        share_recovery(split, (0, 0, 0, 0), 1_001)


def test_the_circuit_breaker_stops_inclusions_above_the_threshold():
    rule = SharingRule(parties=(Party("bank", D(1)),), residual="bank", breaker_npl_ratio=D("0.03"))
    check_inclusion(rule, D("0.03"))
    with pytest.raises(CircuitBreakerTripped, match=r"NPL ratio 0\.04"):
        check_inclusion(rule, npl_ratio(4, 100))


def test_an_impossible_npl_ratio_is_refused():
    with pytest.raises(RiskSharingError, match="inconsistent"):
        npl_ratio(101, 100)


def test_a_negative_default_is_refused():
    with pytest.raises(RiskSharingError, match="negative"):
        Default(principal_fen=-1)


# --- Properties -------------------------------------------------------------------------------
@st.composite
def rules(draw: st.DrawFn) -> SharingRule:
    k = draw(st.integers(2, 5))
    raw = draw(st.lists(st.integers(0, 1000), min_size=k, max_size=k).filter(any))
    total = sum(raw)
    # Per-mille shares (as policy writes them); the last takes what the others' rounding left.
    shares = [D(w * 1000 // total) / 1000 for w in raw[:-1]]
    shares.append(D(1) - sum(shares))
    names = [f"p{i}" for i in range(k)]
    caps = st.none() | st.integers(0, 10**7)
    parties = tuple(
        Party(n, s, draw(caps), draw(caps)) if i else Party(n, s)
        for i, (n, s) in enumerate(zip(names, shares, strict=True))
    )
    band_shares = dict(zip(names, draw(st.permutations(shares)), strict=True))
    low = D(draw(st.integers(0, 50))) / 1000
    bands = (NplBand(low, low + D("0.02"), band_shares),) if draw(st.booleans()) else ()
    use_interest = draw(st.booleans())
    first_loss = draw(st.booleans())
    return SharingRule(
        parties=parties,
        residual="p0",
        basis=LossBasis.PRINCIPAL_AND_INTEREST if use_interest else LossBasis.PRINCIPAL,
        interest_days=draw(st.integers(0, 180)),
        first_loss_party=draw(st.sampled_from(names)) if first_loss else None,
        first_loss_ratio=D(draw(st.integers(0, 100))) / 100 if first_loss else D(0),
        first_loss_cap_fen=draw(caps) if first_loss else None,
        npl_bands=bands,
        pool="p1",
        portfolio_cap_rate=draw(st.none() | st.integers(0, 100).map(lambda x: D(x) / 1000)),
    )


defaults = st.builds(
    Default,
    principal_fen=st.integers(0, 10**10),
    interest_fen=st.integers(0, 10**8),
    interest_days=st.integers(1, 400),
)


npl_ratios = st.none() | st.integers(0, 100).map(lambda x: D(x) / 1000)


def usages(rule: SharingRule) -> st.SearchStrategy[Usage]:
    return st.builds(
        Usage,
        annual_paid=st.fixed_dictionaries({n: st.integers(0, 10**7) for n in rule.names}),
        pool_paid_fen=st.integers(0, 10**8),
    )


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_parts_add_up_to_the_loss_and_no_cap_is_exceeded(data: st.DataObject):
    rule = data.draw(rules())
    default = data.draw(defaults)
    usage = data.draw(usages(rule))
    portfolio = data.draw(st.integers(0, 10**11))
    ratio = data.draw(npl_ratios)
    split = share_loss(rule, default, npl_ratio=ratio, covered_portfolio_fen=portfolio, usage=usage)
    assert sum(split.parts) == loss_base(rule, default)
    assert all(p >= 0 for p in split.parts)
    for party, part in zip(rule.parties, split.parts, strict=True):
        if party.per_loan_cap_fen is not None:
            assert part <= party.per_loan_cap_fen
        if party.annual_cap_fen is not None:
            assert part <= max(party.annual_cap_fen - usage.annual_paid[party.name], 0)
    if rule.portfolio_cap_rate is not None:
        cap = portfolio_cap(rule, portfolio)
        assert split.as_dict()["p1"] <= max(cap - usage.pool_paid_fen, 0)


@given(
    parts=st.lists(st.integers(0, 10**9), min_size=1, max_size=5).filter(any),
    cuts=st.lists(st.integers(0, 10**9), max_size=6),
)
def test_recoveries_shared_back_never_exceed_what_each_party_paid(parts, cuts):
    split = Split(tuple(f"p{i}" for i in range(len(parts))), tuple(parts), sum(parts), 0, ())
    recovered = [0] * len(parts)
    for cut in cuts:
        amount = min(cut, sum(parts) - sum(recovered))
        back = share_recovery(split, recovered, amount)
        assert sum(back) == amount and all(b >= 0 for b in back)
        recovered = [r + b for r, b in zip(recovered, back, strict=True)]
        assert all(r <= p for r, p in zip(recovered, parts, strict=True))


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_the_batch_path_equals_the_one_loan_path(data: st.DataObject):
    rule = data.draw(rules())
    loans = data.draw(st.lists(defaults, min_size=0, max_size=30))
    usage = data.draw(usages(rule))
    portfolio = data.draw(st.integers(0, 10**11))
    ratio = data.draw(npl_ratios)
    batch = share_losses(
        rule,
        np.array([d.principal_fen for d in loans], np.int64),
        np.array([d.interest_fen for d in loans], np.int64),
        np.array([d.interest_days for d in loans], np.int64),
        npl_ratio=ratio,
        covered_portfolio_fen=portfolio,
        usage=usage,
    )
    one_by_one = []
    for d in loans:
        split = share_loss(rule, d, npl_ratio=ratio, covered_portfolio_fen=portfolio, usage=usage)
        usage = next_usage(rule, usage, split)
        one_by_one.append(list(split.parts))
    assert batch.tolist() == one_by_one


def test_amounts_too_large_for_int64_are_refused_by_the_batch_path():
    with pytest.raises(RiskSharingError, match="too large for the vectorised path"):
        share_losses(four_three_two_one(), np.array([2**60], np.int64))
