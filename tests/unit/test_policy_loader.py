"""Policy files: the loader reads exact values and refuses every bad file naming the file, the
parameter key and the line."""

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from patientcap.domain.policy import PolicyError
from patientcap.policy.loader import load_directory, parse_text

GOOD = """\
description: test programme
parameters:
  demo.share:
    unit: ratio
    description: A share.
    values:
      - from: 2024-01-01
        value: 0.1
        reference: Doc 1, article 2
      - from: 2025-01-01
        value: 0.25
        reference: Doc 2, article 3
"""


def parse(text: str, source: str = "policy/demo.yaml"):
    return parse_text(textwrap.dedent(text).encode(), source=source)


def refusal(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as err:
        parse(text)
    return err.value


def test_a_good_file_gives_exact_decimals_not_floats():
    [p] = parse(GOOD)
    assert p.values[0].value == Decimal("0.1") and isinstance(p.values[0].value, Decimal)
    assert p.values[1].value == Decimal("0.25")
    assert p.values[0].reference == "Doc 1, article 2"
    assert p.source == "policy/demo.yaml" and p.line == 3


def test_unsorted_dates_are_refused_naming_file_key_and_line():
    err = refusal(GOOD.replace("2025-01-01", "2023-06-01"))
    assert (err.file, err.key, err.line) == ("policy/demo.yaml", "demo.share", 10)
    assert "policy/demo.yaml:10: demo.share:" in str(err)
    assert "not in order" in str(err)


def test_a_repeated_date_is_refused():
    err = refusal(GOOD.replace("2025-01-01", "2024-01-01"))
    assert (err.key, err.line) == ("demo.share", 10)
    assert "two values from 2024-01-01" in str(err)


def test_a_value_without_reference_is_refused():
    err = refusal(GOOD.replace("        reference: Doc 2, article 3\n", ""))
    assert (err.key, err.line) == ("demo.share", 10)
    assert "no reference" in str(err)


def test_a_blank_reference_is_refused():
    err = refusal(GOOD.replace("reference: Doc 1, article 2", "reference: ''"))
    assert (err.key, err.line) == ("demo.share", 7)
    assert "no reference" in str(err)


def test_a_missing_unit_is_refused():
    err = refusal(GOOD.replace("    unit: ratio\n", ""))
    assert (err.key, err.line) == ("demo.share", 3)
    assert "no unit" in str(err)


def test_an_unknown_unit_is_refused_listing_the_known_ones():
    err = refusal(GOOD.replace("unit: ratio", "unit: furlongs"))
    assert (err.key, err.line) == ("demo.share", 4)
    assert "unknown unit 'furlongs'" in str(err) and "working_days" in str(err)


def test_unknown_keys_are_refused_at_every_level():
    err = refusal(GOOD.replace("description: test programme", "programme: x"))
    assert (err.key, err.line) == (None, 1)
    assert "unknown key `programme`" in str(err)
    err = refusal(GOOD.replace("    unit: ratio\n", "    unit: ratio\n    owner: me\n"))
    assert (err.key, err.line) == ("demo.share", 5)
    err = refusal(GOOD.replace("        value: 0.25\n", "        value: 0.25\n        valeu: 1\n"))
    assert (err.key, err.line) == ("demo.share", 12)
    assert "unknown key `valeu`" in str(err)


def test_a_non_numeric_value_for_a_numeric_unit_is_refused():
    err = refusal(GOOD.replace("value: 0.25", "value: a quarter"))
    assert (err.key, err.line) == ("demo.share", 11)
    assert "not a number" in str(err)
    for bad in ["1:2", "1e3", ".inf", "0x10", "25%", "[1]"]:
        with pytest.raises(PolicyError):
            parse(GOOD.replace("value: 0.25", f"value: {bad}"))


@pytest.mark.parametrize(
    ("unit", "text", "reason"),
    [
        ("working_days", "7.5", "whole number"),
        ("count", "-1", "whole number"),
        ("ratio", "-0.1", "negative"),
        ("yuan", "0.001", "finer than one fen"),
        ("yuan", "-5", "negative"),
        ("boolean", "yes", "true or false"),
        ("percent", "", "no value"),
    ],
)
def test_values_that_do_not_fit_their_unit_are_refused(unit, text, reason):
    text_ok = {"working_days": "7", "count": "1", "boolean": "true"}.get(unit, "0.1")
    err = refusal(
        GOOD.replace("unit: ratio", f"unit: {unit}")
        .replace("value: 0.1", f"value: {text_ok}")
        .replace("value: 0.25", f"value: {text}")
    )
    assert err.key == "demo.share" and err.line in (10, 11)
    assert reason in str(err)


def test_yuan_values_are_stored_as_fen_and_other_units_as_their_exact_type():
    [p] = parse(
        GOOD.replace("unit: ratio", "unit: yuan")
        .replace("value: 0.1", "value: 2000万")
        .replace("value: 0.25", "value: '1,500,000.50'")
    )
    assert [v.value for v in p.values] == [2_000_000_000, 150_000_050]
    [p] = parse(
        GOOD.replace("unit: ratio", "unit: working_days").replace("0.1", "7").replace("0.25", "5")
    )
    assert [v.value for v in p.values] == [7, 5]
    [p] = parse(
        GOOD.replace("unit: ratio", "unit: boolean").replace("0.1", "true").replace("0.25", "false")
    )
    assert [v.value for v in p.values] == [True, False]
    [p] = parse(GOOD.replace("unit: ratio", "unit: basis_points").replace("0.1", "-10"))
    assert p.values[0].value == Decimal("-10")


def test_a_missing_or_bad_date_is_refused():
    err = refusal(GOOD.replace("      - from: 2025-01-01\n", "      - when: 2025-01-01\n"))
    assert err.line == 10 and "unknown key `when`" in str(err)
    err = refusal(GOOD.replace("- from: 2025-01-01", "- from: 2025-13-01"))
    assert (err.key, err.line) == ("demo.share", 10) and "not a date" in str(err)
    err = refusal(GOOD.replace("- from: 2025-01-01\n        value", "- value"))
    assert (err.key, err.line) == ("demo.share", 10) and "no `from` date" in str(err)


def test_a_parameter_defined_twice_in_one_file_is_refused():
    err = refusal(GOOD + GOOD.split("parameters:\n")[1])
    assert (err.key, err.line) == ("demo.share", 13)
    assert "appears twice (first on line 3)" in str(err)


def test_a_parameter_without_values_or_description_is_refused():
    err = refusal("parameters:\n  demo.x:\n    unit: ratio\n    description: X\n")
    assert (err.key, err.line) == ("demo.x", 2) and "no values" in str(err)
    err = refusal("parameters:\n  demo.x:\n    unit: ratio\n    values: []\n")
    assert (err.key, err.line) == ("demo.x", 2) and "no description" in str(err)


def test_a_badly_named_parameter_is_refused():
    err = refusal(GOOD.replace("demo.share", "Demo Share"))
    assert (err.key, err.line) == ("Demo Share", 3) and "dotted" in str(err)
    err = refusal(GOOD.replace("demo.share", "share"))
    assert err.key == "share"


def test_a_file_of_the_wrong_shape_is_refused():
    assert "empty" in str(refusal(""))
    assert "no `parameters`" in str(refusal("description: x\n"))
    err = refusal("parameters:\n  - demo.x\n")
    assert err.line == 2 and "must map" in str(err)
    err = refusal("parameters:\n  demo.x:\n    unit: ratio\n    description: X\n    values: 1\n")
    assert (err.key, err.line) == ("demo.x", 5) and "must be a list" in str(err)
    err = refusal("parameters:\n  demo.x:\n    unit: [ratio]\n")
    assert (err.key, err.line) == ("demo.x", 3) and "single value" in str(err)


def test_broken_yaml_is_refused_with_its_line():
    err = refusal("parameters:\n  demo.x: [unclosed\n  demo.y: 1\n")
    assert err.file == "policy/demo.yaml" and err.line is not None
    assert "not valid YAML" in str(err)


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(PolicyError, match="UTF-8"):
        parse_text("parameters: 价".encode("gb18030"), source="x.yaml")


def test_a_directory_refuses_a_name_defined_in_two_files(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(PolicyError) as err:
        load_directory(tmp_path)
    assert err.value.file.endswith("b.yaml") and err.value.key == "demo.share"
    assert "defined twice (also in" in str(err.value) and "a.yaml" in str(err.value)


def test_a_missing_directory_is_refused(tmp_path: Path):
    with pytest.raises(PolicyError, match="not a directory"):
        load_directory(tmp_path / "nowhere")


def test_the_seed_files_load_and_hold_the_mission_parameters():
    policy = load_directory(Path(__file__).resolve().parents[2] / "policy")
    on = date(2026, 1, 1)
    assert policy.value_at("invest_first.loss_tolerance", on).as_ratio() == 1
    assert policy.value_at("matched_credit.max_ratio.invest_first", on).value == 1
    assert policy.value_at("matched_credit.max_ratio.angel_fund", on).value == 2
    assert policy.value_at("tiered_loan.max_amount", on).value == 20_000_000_00
    assert policy.value_at("matched_credit.sla.due_diligence_to_disbursement", on).value == 7
    for p in policy:
        for v in p.values:
            assert v.reference, p.name
