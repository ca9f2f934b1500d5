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
