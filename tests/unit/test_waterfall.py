"""The liquidation waterfall: seniority, pro rata within a level, non-participating conversion,
participation and capped participation; the exit amount is always distributed exactly."""

import doctest
from decimal import Decimal

import pytest

from patientcap.domain import waterfall as waterfall_module
from patientcap.domain.captable import (
    COMMON,
    CapTable,
    CapTableError,
    Holding,
    Participation,
    ShareClass,
)
from patientcap.domain.waterfall import waterfall


def preferred(name: str, seniority: int = 1, **kwargs) -> ShareClass:
    return ShareClass(name, preferred=True, seniority=seniority, **kwargs)


def table_of(*classes: ShareClass, holdings) -> CapTable:
    return CapTable((COMMON, *classes), tuple(Holding(*h) for h in holdings))


def test_the_module_examples_hold():
    assert doctest.testmod(waterfall_module).failed == 0


def test_participating_preferred_takes_its_preference_and_then_its_share_as_converted():
    table = table_of(
        preferred("A", participation=Participation.PARTICIPATING),
        holdings=[("founder", "common", 800), ("vc", "A", 200, 1_000_000)],
    )
    assert waterfall(table, 2_000_000).payouts == {"founder": 800_000, "vc": 1_200_000}


def test_capped_participation_stops_at_the_cap_and_the_excess_goes_to_the_others():
    capped = preferred("A", participation=Participation.CAPPED, cap_multiple=Decimal(2))
    table = table_of(capped, holdings=[("founder", "common", 800), ("vc", "A", 200, 1_000_000)])
    # Participating would pay 1,000,000 + 20% × 4,000,000 = 1,800,000: under the cap.
    assert waterfall(table, 5_000_000).payouts == {"founder": 3_200_000, "vc": 1_800_000}
    # 1,000,000 + 20% × 7,000,000 = 2,400,000 > cap 2,000,000; converting pays 1,600,000.
    result = waterfall(table, 8_000_000)
    assert result.payouts == {"founder": 6_000_000, "vc": 2_000_000}
    assert result.converted == frozenset()
    # Converting pays 20% of 20,000,000 = 4,000,000, above the cap.
    result = waterfall(table, 20_000_000)
    assert result.payouts == {"founder": 16_000_000, "vc": 4_000_000}
    assert result.converted == {"A"}


def test_a_senior_class_is_paid_in_full_before_a_junior_one_gets_anything():
    table = table_of(
        preferred("A", 1),
        preferred("B", 2),
        holdings=[
            ("founder", "common", 600),
            ("a", "A", 200, 1_000_000),
            ("b", "B", 200, 3_000_000),
        ],
    )
    assert waterfall(table, 3_500_000).payouts == {"founder": 0, "a": 500_000, "b": 3_000_000}
    assert waterfall(table, 2_000_000).payouts == {"founder": 0, "a": 0, "b": 2_000_000}


def test_a_level_that_cannot_be_paid_in_full_is_shared_by_preference():
    table = table_of(
        preferred("A", 1, preference_multiple=Decimal(2)),
        preferred("B", 1),
        holdings=[
            ("founder", "common", 600),
            ("a", "A", 200, 1_000_000),
            ("b", "B", 200, 1_000_001),
        ],
    )
    result = waterfall(table, 1_000_000)
    # Preferences 2,000,000 and 1,000,001: exact shares 666,666.44… and 333,333.55…
    assert result.payouts == {"founder": 0, "a": 666_666, "b": 333_334}


def test_non_participating_classes_convert_only_when_it_pays_them_more():
    table = table_of(
        preferred("Seed", 1),
        preferred("A", 2),
        holdings=[
            ("founder", "common", 600),
            ("seed", "Seed", 200, 200_000),  # 1,000 fen per share: converts early
            ("vc", "A", 200, 2_000_000),  # 10,000 fen per share: converts late
        ],
    )
    low = waterfall(table, 3_000_000)
    assert low.converted == {"Seed"}
    # A takes 2,000,000; the remaining 1,000,000 goes 600:200 to common and Seed.
    assert low.payouts == {"founder": 750_000, "seed": 250_000, "vc": 2_000_000}
    high = waterfall(table, 20_000_000)
    assert high.converted == {"Seed", "A"}
    assert high.payouts == {"founder": 12_000_000, "seed": 4_000_000, "vc": 4_000_000}


def test_holders_in_a_class_share_its_payout_by_shares_to_the_fen():
    table = table_of(holdings=[("x", "common", 1), ("y", "common", 1), ("z", "common", 1)])
    result = waterfall(table, 100)
    assert result.payouts == {"x": 34, "y": 33, "z": 33}
    assert sum(result.payouts.values()) == 100


def test_a_holder_in_several_classes_gets_one_total():
    table = table_of(
        preferred("A"),
        holdings=[("founder", "common", 800), ("founder", "A", 200, 1_000_000)],
    )
    assert waterfall(table, 500_000).payouts == {"founder": 500_000}


def test_an_exit_with_negative_proceeds_or_no_shares_is_refused():
    table = table_of(holdings=[("x", "common", 1)])
    with pytest.raises(CapTableError, match="non-negative") as caught:
        waterfall(table, -1)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(CapTableError, match="needs issued shares"):
        waterfall(CapTable((COMMON,)), 100)


def test_a_zero_exit_pays_nobody():
    table = table_of(preferred("A"), holdings=[("x", "common", 1), ("y", "A", 1, 100)])
    assert waterfall(table, 0).payouts == {"x": 0, "y": 0}
