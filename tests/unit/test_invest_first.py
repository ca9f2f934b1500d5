"""Invest-first rules: tranches, the milestone gate, buyback, write-off, disbursement, exit."""

import datetime as dt
import doctest
from dataclasses import replace
from decimal import Decimal

import pytest

from patientcap.domain import invest_first as invest_first_module
from patientcap.domain.captable import (
    COMMON,
    CapTable,
    CapTableError,
    Holding,
    Investment,
    ShareClass,
    priced_round,
    quantize_price,
)
from patientcap.domain.invest_first import (
    Agreement,
    BuybackTerms,
    ExitRoute,
    InvestFirst,
    InvestFirstError,
    Milestone,
    MilestoneStatus,
    Tranche,
    Variant,
    buyback_price,
    check_disbursement,
    ensure_may_convert,
    may_convert,
    may_write_off,
    realise_exit,
    with_milestone_status,
    write_off,
)

D = dt.date
TERMS = InvestFirst("zone fund", 200_000_000, Variant.NEXT_ROUND, discount=Decimal("0.2"))


def agreement(**changes) -> Agreement:
    base = Agreement(
        conversion=TERMS,
        signed=D(2024, 1, 1),
        conversion_deadline=D(2027, 1, 1),
        tranches=(Tranche(D(2024, 1, 15), 100_000_000), Tranche(D(2025, 1, 15), 100_000_000)),
        milestones=(
            Milestone("prototype", "units built", "3", D(2024, 12, 31), "test report"),
            Milestone("first sale", "contracts", "1", D(2025, 12, 31), "signed contract"),
        ),
        buyback=BuybackTerms(Decimal("0.035"), floor_fen=200_000_000, cap_fen=240_000_000),
        trigger_event="a market round of at least ¥10M with a lead investor",
    )
    return replace(base, **changes)


def met(a: Agreement, what: str) -> Agreement:
    return with_milestone_status(a, what, MilestoneStatus.MET)


def test_the_module_examples_hold():
    assert doctest.testmod(invest_first_module).failed == 0


def test_tranches_may_add_up_to_the_amount():
    assert agreement().amount_fen == 200_000_000


def test_tranches_that_add_up_to_more_than_the_agreement_are_refused():
    with pytest.raises(InvestFirstError, match="more than the 200000000 fen of the agreement"):
        agreement(
            tranches=(Tranche(D(2024, 2, 1), 150_000_000), Tranche(D(2025, 2, 1), 60_000_000))
        )


def test_a_tranche_must_be_positive():
    with pytest.raises(InvestFirstError, match="positive number of fen"):
        Tranche(D(2024, 1, 1), 0)


def test_a_tranche_due_before_the_signing_is_refused():
    with pytest.raises(InvestFirstError, match="before the signing"):
        agreement(tranches=(Tranche(D(2023, 12, 31), 1),))


def test_a_conversion_deadline_before_the_signing_is_refused():
    with pytest.raises(InvestFirstError, match="deadline cannot precede"):
        agreement(conversion_deadline=D(2023, 1, 1))


def test_milestones_must_be_distinct_and_described():
    m = Milestone("prototype", "units", "3", D(2025, 1, 1), "report")
    with pytest.raises(InvestFirstError, match="unique"):
        agreement(milestones=(m, m))
    with pytest.raises(InvestFirstError, match="needs a description"):
        Milestone(" ", "units", "3", D(2025, 1, 1), "report")


def test_the_conversion_terms_reuse_the_cap_table_variants():
    with pytest.raises(CapTableError, match="needs a positive agreed valuation"):
        agreement(conversion=InvestFirst("fund", 100, Variant.AGREED_VALUATION))


def test_a_milestone_is_overdue_past_its_due_date_without_a_verdict():
    m = Milestone("prototype", "units", "3", D(2025, 1, 1), "report")
    assert not m.overdue(D(2025, 1, 1))
    assert m.overdue(D(2025, 1, 2))
    assert replace(m, status=MilestoneStatus.SUBMITTED).overdue(D(2025, 1, 2))
    assert not replace(m, status=MilestoneStatus.MET).overdue(D(2025, 1, 2))
    assert not replace(m, status=MilestoneStatus.FAILED).overdue(D(2025, 1, 2))


def test_conversion_is_refused_before_milestones_are_met():
    a = met(agreement(), "prototype")
    decision = may_convert(a, D(2025, 6, 1))
    assert not decision.allowed
    assert [r.text for r in decision.reasons] == ["Milestone first sale is not met (pending)."]
    with pytest.raises(InvestFirstError, match="first sale is not met"):
        ensure_may_convert(a, D(2025, 6, 1))


def test_conversion_is_allowed_when_every_milestone_is_met():
    a = met(met(agreement(), "prototype"), "first sale")
    assert may_convert(a, D(2025, 6, 1)).allowed
    ensure_may_convert(a, D(2025, 6, 1))


def test_conversion_is_allowed_on_the_trigger_event_before_the_milestones():
    assert may_convert(agreement(), D(2025, 6, 1), trigger_occurred=True).allowed


def test_a_trigger_the_agreement_does_not_name_does_not_allow_conversion():
    decision = may_convert(agreement(trigger_event=""), D(2025, 6, 1), trigger_occurred=True)
    assert not decision.allowed
    assert "names no trigger event" in decision.reasons[0].text


def test_conversion_is_refused_after_the_deadline():
    a = met(met(agreement(), "prototype"), "first sale")
    decision = may_convert(a, D(2027, 1, 2))
    assert not decision.allowed and "deadline 2027-01-01 has passed" in decision.reasons[0].text
    assert may_convert(a, D(2027, 1, 1)).allowed


def test_variant_e_never_converts():
    a = agreement(conversion=InvestFirst("fund", 200_000_000, Variant.NO_CONVERSION))
    assert not may_convert(a, D(2025, 1, 1), trigger_occurred=True).allowed


def test_marking_an_unknown_milestone_is_refused():
    with pytest.raises(InvestFirstError, match="No milestone"):
        with_milestone_status(agreement(), "moon landing", MilestoneStatus.MET)


def test_the_convertible_carries_the_money_paid_in_into_a_priced_round():
    founders = CapTable((COMMON,), (Holding("founder", "common", 1_000_000),))
    result = priced_round(
        founders,
        series=ShareClass("Series A", preferred=True, seniority=1),
        pre_money_fen=1_000_000_000,
        investments=(Investment("vc", 500_000_000),),
        convertibles=(agreement().convertible(100_000_000),),
    )
    (conversion,) = result.conversions
    assert conversion.amount_fen == 100_000_000
    assert conversion.price == quantize_price(result.price_per_share * Decimal("0.8"))


def test_the_buyback_price_is_principal_plus_simple_interest_act_365():
    terms = BuybackTerms(Decimal("0.05"))
    # 100,000 yuan for 365 days and 50,000 yuan for 146 days (0.4 year) at 5%
    price = buyback_price(
        terms,
        [(D(2023, 1, 1), 10_000_000), (D(2023, 8, 8), 5_000_000)],
        D(2024, 1, 1),
    )
    assert price.formula_fen == 10_500_000 + 5_000_000 + 100_000
    assert price.price_fen == price.formula_fen and price.bound == ""


def test_the_buyback_price_is_raised_to_the_floor_and_held_to_the_cap():
    paid = [(D(2024, 1, 1), 100_000_000)]
    floor = buyback_price(BuybackTerms(Decimal(0), floor_fen=110_000_000), paid, D(2025, 1, 1))
    assert (floor.formula_fen, floor.price_fen, floor.bound) == (100_000_000, 110_000_000, "floor")
    cap = buyback_price(BuybackTerms(Decimal("0.5"), cap_fen=120_000_000), paid, D(2025, 1, 1))
    assert cap.price_fen == 120_000_000 and cap.bound == "cap" and cap.formula_fen > cap.price_fen


def test_buyback_terms_and_inputs_are_checked():
    with pytest.raises(InvestFirstError, match="cannot be negative"):
        BuybackTerms(Decimal("-0.01"))
    with pytest.raises(InvestFirstError, match="not above the cap"):
        BuybackTerms(Decimal("0.03"), floor_fen=10, cap_fen=9)
    terms = BuybackTerms(Decimal("0.03"))
    with pytest.raises(InvestFirstError, match="needs the money paid in"):
        buyback_price(terms, [], D(2025, 1, 1))
    with pytest.raises(InvestFirstError, match="cannot precede a disbursement"):
        buyback_price(terms, [(D(2025, 1, 2), 100)], D(2025, 1, 1))
    with pytest.raises(InvestFirstError, match="must be positive"):
        buyback_price(terms, [(D(2025, 1, 1), 0)], D(2025, 1, 2))


def test_a_write_off_may_reach_the_tolerance_in_force():
    full = write_off(disbursed_fen=200_000_000, recovered_fen=0, tolerance=Decimal(1))
    assert full.loss_fen == 200_000_000 and full.loss_ratio == Decimal("1.00000000")


def test_a_write_off_above_the_tolerance_is_refused():
    with pytest.raises(InvestFirstError, match=r"exceeds the loss tolerance of 0\.5"):
        write_off(disbursed_fen=1_000, recovered_fen=499, tolerance=Decimal("0.5"))
    assert (
        write_off(disbursed_fen=1_000, recovered_fen=500, tolerance=Decimal("0.5")).loss_fen == 500
    )


def test_write_off_inputs_are_checked():
    with pytest.raises(InvestFirstError, match="between 0 and 100%"):
        write_off(disbursed_fen=1_000, recovered_fen=0, tolerance=Decimal("1.01"))
    with pytest.raises(InvestFirstError, match="Only money paid in"):
        write_off(disbursed_fen=0, recovered_fen=0, tolerance=Decimal(1))
    with pytest.raises(InvestFirstError, match="recovery must be between"):
        write_off(disbursed_fen=1_000, recovered_fen=1_001, tolerance=Decimal(1))


def test_a_disbursement_within_the_agreement_and_the_pool_is_accepted():
    d = check_disbursement(
        agreement(), disbursed_fen=100_000_000, tranche_fen=100_000_000, pool_available_fen=10**9
    )
    assert (d.remaining_fen, d.pool_available_fen) == (0, 900_000_000)


def test_a_disbursement_beyond_the_agreement_is_refused():
    with pytest.raises(InvestFirstError, match="exceeds the 100000000 fen left"):
        check_disbursement(
            agreement(),
            disbursed_fen=100_000_000,
            tranche_fen=100_000_001,
            pool_available_fen=10**12,
        )


def test_a_disbursement_the_pool_cannot_cover_is_refused():
    with pytest.raises(InvestFirstError, match="The pool has 99 fen available"):
        check_disbursement(agreement(), disbursed_fen=0, tranche_fen=100, pool_available_fen=99)


def test_a_zero_tranche_is_refused():
    with pytest.raises(InvestFirstError, match="positive number of fen"):
        check_disbursement(agreement(), disbursed_fen=0, tranche_fen=0, pool_available_fen=99)


def test_an_exit_records_the_realised_gain_or_loss():
    gain = realise_exit(ExitRoute.SECONDARY, cost_fen=100_000_000, proceeds_fen=300_000_000)
    assert gain.gain_fen == 200_000_000 and gain.multiple == Decimal("3.00000000")
    loss = realise_exit(ExitRoute.MERGER, cost_fen=100_000_000, proceeds_fen=0)
    assert loss.gain_fen == -100_000_000 and loss.multiple == 0


def test_an_exit_with_negative_proceeds_is_refused():
    with pytest.raises(InvestFirstError, match="cannot be negative"):
        realise_exit(ExitRoute.IPO, cost_fen=100, proceeds_fen=-1)
    with pytest.raises(InvestFirstError, match="must be positive"):
        realise_exit(ExitRoute.IPO, cost_fen=0, proceeds_fen=1)


def test_a_write_off_needs_a_failed_milestone_or_a_passed_deadline():
    decision = may_write_off(agreement(), D(2025, 6, 1))
    assert not decision.allowed and "has not passed" in decision.reasons[0].text
    failed = with_milestone_status(agreement(), "first sale", MilestoneStatus.FAILED)
    assert may_write_off(failed, D(2025, 6, 1)).allowed
    assert may_write_off(agreement(), D(2027, 1, 2)).allowed
