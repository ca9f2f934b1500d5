"""Properties of the waterfall over generated cap tables: exact distribution, preferences honoured,
and conversion choices that no class would want to change."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from patientcap.domain.captable import COMMON, CapTable, Holding, Participation, ShareClass
from patientcap.domain.money import apply_ratio
from patientcap.domain.waterfall import _classes, _split, waterfall


@st.composite
def share_classes(draw, name: str) -> ShareClass:
    participation = draw(st.sampled_from(list(Participation)))
    multiple = Decimal(draw(st.integers(0, 30))) / 10
    cap = None
    if participation == Participation.CAPPED:
        cap = multiple + Decimal(draw(st.integers(0, 30))) / 10
    price = Decimal(draw(st.integers(1, 10**6)))
    return ShareClass(
        name,
        preferred=True,
        seniority=draw(st.integers(1, 3)),
        preference_multiple=multiple,
        participation=participation,
        cap_multiple=cap,
        original_issue_price=price,
        conversion_price=price / Decimal(draw(st.sampled_from([1, 1, 2, 3]))),
    )


@st.composite
def tables(draw) -> CapTable:
    n = draw(st.integers(0, 4))
    classes = [draw(share_classes(f"P{i}")) for i in range(n)]
    holdings = [
        Holding(f"c{i}", "common", draw(st.integers(0, 10**6)))
        for i in range(draw(st.integers(0, 3)))
    ]
    for cls in classes:
        # A preference is a price per share of the class: the same for all its holders.
        per_share = draw(st.integers(0, 10**4))
        for j in range(draw(st.integers(1, 3))):
            shares = draw(st.integers(1, 10**5))
            holdings.append(Holding(f"{cls.name}-{j}", cls.name, shares, shares * per_share))
    if not any(h.shares for h in holdings):
        holdings.append(Holding("c-last", "common", 1))
    return CapTable((COMMON, *classes), tuple(holdings))


exits = st.integers(0, 10**10)


@settings(max_examples=200)
@given(tables(), exits)
def test_a_waterfall_distributes_exactly_the_exit_amount(table, exit_fen):
    result = waterfall(table, exit_fen)
    assert sum(result.payouts.values()) == exit_fen
    assert all(v >= 0 for v in result.payouts.values())
    assert sum(c.total_fen for c in result.by_class) == exit_fen


@settings(max_examples=200)
@given(tables(), exits)
def test_every_preferred_holder_gets_its_preference_or_its_share_of_what_reaches_its_level(
    table, exit_fen
):
    result = waterfall(table, exit_fen)
    preference = {
        h.holder: apply_ratio(h.invested_fen, table.by_name[h.share_class].preference_multiple)
        for h in table.holdings
        if h.share_class != "common"
    }
    for h in table.holdings:
        cls = table.by_name[h.share_class]
        if not cls.preferred:
            continue
        senior = sum(
            preference[o.holder]
            for o in table.holdings
            if o.share_class != "common" and table.by_name[o.share_class].seniority > cls.seniority
        )
        level = sum(
            preference[o.holder]
            for o in table.holdings
            if o.share_class != "common" and table.by_name[o.share_class].seniority == cls.seniority
        )
        available = max(0, exit_fen - senior)
        owed = preference[h.holder]
        floor_share = min(Fraction(owed), Fraction(available * owed, level) if level else 0)
        assert result.payouts[h.holder] >= floor_share - 1  # one fen of largest-remainder rounding


@settings(max_examples=200)
@given(tables(), exits)
def test_no_class_would_gain_by_changing_its_conversion_choice(table, exit_fen):
    result = waterfall(table, exit_fen)
    classes = _classes(table)
    chosen = _split(classes, exit_fen, result.converted)
    for i, c in enumerate(classes):
        if c.participation in (Participation.NON_PARTICIPATING, Participation.CAPPED) and c.shares:
            other = _split(classes, exit_fen, result.converted ^ {c.name})
            assert other.total(i) <= chosen.total(i)
            assert sum(chosen.total(j) for j in range(len(classes))) == exit_fen
