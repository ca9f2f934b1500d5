"""Properties of the scorer over generated firms: sums, maxima, and batch == single path."""

from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from patientcap.domain.ruleset import FIELDS, parse_ruleset
from patientcap.domain.scoring import score, score_batch

RULESETS = Path(__file__).resolve().parents[2] / "policy" / "rulesets"
CARD = parse_ruleset((RULESETS / "tech_credit_card.yaml").read_text(encoding="utf-8"), "card")
SME = parse_ruleset((RULESETS / "tech_sme_evaluation.yaml").read_text(encoding="utf-8"), "sme")

# Edges of the card (0.05, 0.3, 10 …) are likely values, so edges are hit often.
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.integers(min_value=0, max_value=12),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(min_value=-2, max_value=2, places=3),
    st.sampled_from([Decimal("0.05"), Decimal("0.3"), Decimal("0.75"), 0, 1, 12]),
    st.sampled_from([Decimal("Infinity"), Decimal("-Infinity"), Decimal("NaN")]),
)
firms = st.fixed_dictionaries({}, optional={f: values for f in sorted(FIELDS)})


@given(firms)
def test_the_total_is_the_sum_of_indicator_points_and_points_never_exceed_maxima(
    firm: dict[str, object],
) -> None:
    ev = score(CARD, firm)
    assert ev.raw_total == sum(s.points for s in ev.indicators)
    assert all(0 <= s.points <= s.maximum for s in ev.indicators)
    assert sum(t for _, t in ev.dimensions) == ev.raw_total
    for key, total in ev.dimensions:
        maximum = next(d.maximum for d in CARD.dimensions if d.key == key)
        assert total <= maximum
    assert len(ev.reasons) <= 4
    assert all(r.lost > 0 for r in ev.reasons)


@settings(max_examples=50)
@given(st.lists(firms, min_size=1, max_size=20))
def test_the_batch_scorer_agrees_with_the_single_firm_path(batch: list[dict[str, object]]) -> None:
    columns = {f: [firm.get(f) for firm in batch] for f in sorted(FIELDS)}
    for ruleset in (CARD, SME):
        result = score_batch(ruleset, columns)
        for row, firm in enumerate(batch):
            ev = score(ruleset, firm)
            assert result.passed[row] == ev.passed
            assert result.total(row) == ev.total
            assert result.grade(row) == ev.grade
            assert result.credit_line_fen(row) == ev.credit_line_fen
            assert result.reason_keys(row) == tuple(r.indicator for r in ev.reasons)


# Values the fixed-point batch cannot hold as int64 (too many places, too large) go to the
# exact path; values near band edges must land on the right side without any float.
awkward = st.one_of(
    st.decimals(min_value=-1, max_value=1, places=25),
    st.sampled_from([Decimal("0.0499999999999999999999"), Decimal("0.05000000000000000001")]),
    st.integers(min_value=2**62, max_value=2**70),
    st.integers(min_value=-(2**70), max_value=-(2**62)),
)
awkward_firms = st.fixed_dictionaries(
    {}, optional={f: st.one_of(values, awkward) for f in sorted(FIELDS)}
)


@settings(max_examples=40)
@given(st.lists(awkward_firms, min_size=1, max_size=12))
def test_the_batch_scorer_agrees_on_awkward_values(batch: list[dict[str, object]]) -> None:
    columns = {f: [firm.get(f) for firm in batch] for f in sorted(FIELDS)}
    for ruleset in (CARD, SME):
        result = score_batch(ruleset, columns)
        for row, firm in enumerate(batch):
            ev = score(ruleset, firm)
            assert (result.total(row), result.grade(row), bool(result.passed[row])) == (
                ev.total,
                ev.grade,
                ev.passed,
            )
            assert result.reason_keys(row) == tuple(r.indicator for r in ev.reasons)


ratios = st.integers(min_value=0, max_value=10_000)  # a ratio in units of 1/10,000
counts = st.integers(min_value=-5, max_value=10**12)


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(
            st.lists(counts, min_size=len(FIELDS), max_size=len(FIELDS)),
            st.lists(ratios, min_size=4, max_size=4),
            st.lists(st.booleans(), min_size=4, max_size=4),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_integer_arrays_and_fixed_point_columns_score_like_the_single_path(rows) -> None:
    import numpy as np

    from patientcap.domain.scoring import Fixed

    decimal_fields = [
        "debt_ratio",
        "main_business_share",
        "top_customer_share",
        "key_staff_turnover",
    ]
    int_fields = [f for f in sorted(FIELDS) if f not in decimal_fields]
    columns: dict[str, object] = {
        f: np.array([r[0][i] for r in rows], dtype=np.int64) for i, f in enumerate(int_fields)
    }
    for i, f in enumerate(decimal_fields):
        columns[f] = Fixed(
            np.array([r[1][i] for r in rows], dtype=np.int64),
            4,
            np.array([r[2][i] for r in rows], dtype=bool),
        )
    for ruleset in (CARD, SME):
        result = score_batch(ruleset, columns)  # type: ignore[arg-type]
        for row, (ints, fixed, missing) in enumerate(rows):
            firm: dict[str, object] = dict(zip(int_fields, ints, strict=False))
            for i, f in enumerate(decimal_fields):
                firm[f] = None if missing[i] else Decimal(fixed[i]).scaleb(-4)
            ev = score(ruleset, firm)
            assert (result.total(row), result.grade(row), bool(result.passed[row])) == (
                ev.total,
                ev.grade,
                ev.passed,
            )
            assert result.credit_line_fen(row) == ev.credit_line_fen
            assert result.reason_keys(row) == tuple(r.indicator for r in ev.reasons)


@settings(max_examples=25)
@given(st.lists(firms, min_size=5, max_size=30))
def test_scoring_in_blocks_agrees_with_one_block(batch: list[dict[str, object]]) -> None:
    import patientcap.domain.scoring as scoring

    columns = {f: [firm.get(f) for firm in batch] for f in sorted(FIELDS)}
    whole = score_batch(CARD, columns)
    saved = scoring.BLOCK
    scoring.BLOCK = 4  # many small blocks, the last one short
    try:
        blocks = score_batch(CARD, columns)
    finally:
        scoring.BLOCK = saved
    assert (blocks.total_cents == whole.total_cents).all()
    assert (blocks.grade_index == whole.grade_index).all()
    assert (blocks.passed == whole.passed).all()
    assert (blocks.reason_index == whole.reason_index).all()
    assert (blocks.points == whole.points).all()
