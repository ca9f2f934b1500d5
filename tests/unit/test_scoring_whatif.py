"""What-if rescoring: typed values read exactly, typos reported per field, the rest still scored."""

from decimal import Decimal
from pathlib import Path

import pytest

from patientcap.domain.ruleset import parse_ruleset
from patientcap.domain.scoring import score
from patientcap.evaluation import whatif

RULESETS = Path(__file__).resolve().parents[2] / "policy" / "rulesets"
CARD = parse_ruleset((RULESETS / "tech_credit_card.yaml").read_text(encoding="utf-8"), "card")
FIRM = {
    "rd_expense_fen": 7_000_000_00,
    "revenue_fen": 100_000_000_00,
    "revenue_fen_previous": 80_000_000_00,
    "invention_patents": 6,
    "tech_staff": 40,
    "total_staff": 100,
    "debt_ratio": Decimal("0.4"),
}


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("revenue_fen", "120万", 120_000_000),
        ("revenue_fen", "1,200,000.50", 120_000_050),
        ("operating_cash_flow_fen", "-3万", -3_000_000),
        ("debt_ratio", "45%", Decimal("0.45")),
        ("debt_ratio", "0.45", Decimal("0.45")),
        ("invention_patents", "3", 3),
        ("founders_industry_years", "7.5", Decimal("7.5")),
        ("high_tech_enterprise", "是", True),
        ("high_tech_enterprise", "0", False),
        ("invention_patents", "  ", None),
    ],
)
def test_typed_values_are_read_exactly(field, text, value):
    got = whatif.parse(field, text)
    assert got == value and not isinstance(got, float)
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("revenue_fen", "lots"),
        ("debt_ratio", "NaN"),
        ("little_giant", "maybe"),
        ("tech_staff", "1e"),
    ],
)
def test_unreadable_values_are_refused_with_a_message(field, text):
    with pytest.raises(ValueError):
        whatif.parse(field, text)


def test_a_change_rescores_like_the_single_path_and_a_typo_keeps_the_stored_value():
    result = whatif.rescore(CARD, FIRM, {"invention_patents": "0", "revenue_fen": "oops"})
    assert result.errors == {"revenue_fen": "Give an amount in yuan, e.g. 1200000 or 120万."}
    expected = score(CARD, {**FIRM, "invention_patents": 0})
    assert (result.evaluation.total, result.evaluation.grade) == (expected.total, expected.grade)
    assert result.inputs["revenue_fen"] == Decimal(100_000_000_00)


def test_fields_the_rule_set_does_not_read_are_ignored():
    result = whatif.rescore(CARD, FIRM, {"led_standard": "1", "csrfmiddlewaretoken": "x"})
    assert result.evaluation == score(CARD, FIRM) and not result.errors


def test_shown_values_round_trip_through_parse():
    for field, value in [
        ("revenue_fen", Decimal(123_456_78)),
        ("debt_ratio", Decimal("0.4")),
        ("high_tech_enterprise", Decimal(1)),
        ("invention_patents", Decimal(6)),
    ]:
        assert Decimal(whatif.parse(field, whatif.shown(field, value))) == value


def test_a_long_derived_ratio_is_shown_rounded_and_left_exact_when_untouched():
    ratio = Decimal(64) / Decimal(101)
    base = {**FIRM, "debt_ratio": ratio}
    assert whatif.shown("debt_ratio", ratio) == "0.6337"
    result = whatif.rescore(CARD, base, {"debt_ratio": "0.6337", "invention_patents": "6"})
    assert result.inputs["debt_ratio"] == ratio
    assert result.evaluation == score(CARD, base)
