"""The rule-set loader: the default card loads; bad sets are refused with file, indicator, line."""

from decimal import Decimal
from pathlib import Path

import pytest

from patientcap.domain.ruleset import RuleSetError, parse_ruleset

RULESETS = Path(__file__).resolve().parents[2] / "policy" / "rulesets"

SMALL = """\
id: small
version: "1"
effective_from: "2026-01-01"
reference: test
name_zh: 小
name_en: Small
dimensions:
  - {key: tech, name_zh: 技术, name_en: Tech, max: "10"}
indicators:
  - key: rd
    dimension: tech
    name_zh: 研发
    name_en: R&D
    reference: test
    source: statements
    max: "10"
    input: {ratio: [rd_expense_fen, revenue_fen]}
    bands:
      - {high: "0.02", points: "0"}
      - {low: "0.02", high: "0.05", points: "5"}
      - {low: "0.05", points: "10"}
    missing: "0"
    special: "0"
    reason_zh: "研发{value}"
    reason_en: "R&D {value}"
grades:
  - {grade: A, min: "5", credit_line_fen: "100"}
  - {grade: B, min: "0", credit_line_fen: "0"}
"""


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing `fragment`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def refusal(text: str) -> RuleSetError:
    with pytest.raises(RuleSetError) as exc:
        parse_ruleset(text, "bad.yaml")
    return exc.value


def test_the_default_card_loads_with_three_dimensions_summing_to_100() -> None:
    path = RULESETS / "tech_credit_card.yaml"
    rs = parse_ruleset(path.read_text(encoding="utf-8"), path.name)
    assert [d.key for d in rs.dimensions] == ["technology", "team", "growth"]
    assert rs.max_total == Decimal(100)
    assert rs.grades[0].credit_line_fen == 500_000_000
    assert all(i.reference and i.source for i in rs.indicators)


def test_numbers_are_read_as_decimal_never_float() -> None:
    rs = parse_ruleset(SMALL, "small.yaml")
    assert rs.indicators[0].bands[1].low == Decimal("0.02")
    assert isinstance(rs.indicators[0].maximum, Decimal)


def test_overlapping_bands_are_refused_naming_file_indicator_and_line() -> None:
    err = refusal(SMALL.replace('{low: "0.05", points: "10"}', '{low: "0.04", points: "10"}'))
    assert "bad.yaml" in str(err) and "'rd'" in str(err) and "overlaps" in str(err)
    assert err.line == line_of(SMALL, '{low: "0.05", points')


def test_a_gap_between_bands_is_refused() -> None:
    err = refusal(SMALL.replace('{low: "0.05", points: "10"}', '{low: "0.06", points: "10"}'))
    assert "gap" in str(err) and "'rd'" in str(err)
    assert err.line == line_of(SMALL, '{low: "0.05", points')


def test_bands_not_reaching_minus_infinity_are_refused() -> None:
    err = refusal(
        SMALL.replace('{high: "0.02", points: "0"}', '{low: "0", high: "0.02", points: "0"}')
    )
    assert "gap" in str(err) and err.line == line_of(SMALL, '{high: "0.02"')


def test_an_unknown_field_is_refused() -> None:
    err = refusal(SMALL.replace("rd_expense_fen", "secret_sauce"))
    assert "unknown field 'secret_sauce'" in str(err) and "'rd'" in str(err)
    assert err.line == line_of(SMALL, "rd_expense_fen")


def test_points_above_the_indicator_maximum_are_refused() -> None:
    err = refusal(SMALL.replace('points: "10"}', 'points: "12"}'))
    assert "exceed" in str(err) and "'rd'" in str(err)
    assert err.line == line_of(SMALL, '{low: "0.05", points')


def test_a_points_range_above_the_maximum_is_refused() -> None:
    err = refusal(SMALL.replace('points: "5"}', 'points: ["5", "11"]}'))
    assert "exceed" in str(err) and err.line == line_of(SMALL, 'points: "5"}')


def test_dimension_maxima_must_equal_the_sum_of_their_indicators() -> None:
    err = refusal(SMALL.replace('max: "10"}', 'max: "20"}'))
    assert "sum to 10, not 20" in str(err) and "'tech'" in str(err) and err.line == 8


def test_an_unknown_template_name_is_refused() -> None:
    err = refusal(SMALL.replace("R&D {value}", "R&D {secret}"))
    assert "unknown names" in str(err) and err.line == line_of(SMALL, "R&D {value}")


def test_a_missing_bin_must_be_declared() -> None:
    err = refusal(SMALL.replace('    missing: "0"\n', ""))
    assert "missing key 'missing'" in str(err)


def test_grades_must_be_listed_best_first() -> None:
    err = refusal(SMALL.replace('min: "0", credit', 'min: "7", credit'))
    assert "best first" in str(err) and err.line == line_of(SMALL, "grade: B")


def test_a_gate_on_an_unknown_indicator_is_refused() -> None:
    err = refusal(SMALL + 'gates:\n  - {points: nope, ne: "0"}\n')
    assert "unknown indicator 'nope'" in str(err) and err.line == line_of(SMALL, "grades:") + 4


def test_a_gate_on_an_unknown_dimension_is_refused() -> None:
    err = refusal(SMALL + 'gates:\n  - {dimension: nope, ge: "1"}\n')
    assert "unknown dimension 'nope'" in str(err) and err.line == line_of(SMALL, "grades:") + 4


def test_a_bad_number_and_bad_yaml_are_refused() -> None:
    assert "must be a number" in str(refusal(SMALL.replace('"0.05", points', '"five", points')))
    assert "not valid YAML" in str(refusal("a: [1, 2"))


def test_a_misspelt_key_is_refused_rather_than_ignored() -> None:
    err = refusal(
        SMALL.replace('    max: "10"\n    input', '    max: "10"\n    acitonable: true\n    input')
    )
    assert "unknown key 'acitonable'" in str(err) and "'rd'" in str(err)


def test_actionable_must_be_true_or_false() -> None:
    err = refusal(
        SMALL.replace('    max: "10"\n    input', '    max: "10"\n    actionable: yes\n    input')
    )
    assert "true or false" in str(err)


def test_every_default_rule_set_loads() -> None:
    paths = sorted(RULESETS.glob("*.yaml"))
    assert paths
    for path in paths:
        rs = parse_ruleset(path.read_text(encoding="utf-8"), path.name)
        assert rs.reference and rs.effective_from and len(rs.digest) == 64


def test_a_misspelt_band_bound_and_a_duplicate_dimension_are_refused() -> None:
    err = refusal(SMALL.replace('{low: "0.05", points', '{lwo: "0.05", points'))
    assert "unknown key 'lwo'" in str(err) and err.line == line_of(SMALL, '{low: "0.05", points')
    dup = SMALL.replace(
        "dimensions:\n", 'dimensions:\n  - {key: tech, name_zh: 技, name_en: T, max: "1"}\n'
    )
    assert "duplicate dimension key" in str(refusal(dup))
