"""Dated parameters: the value in force on a date, its version, and the errors around it."""

from datetime import date
from decimal import Decimal

import pytest

from patientcap.domain.policy import (
    NotInForce,
    PolicySet,
    RawValue,
    Text,
    Unit,
    UnknownParameter,
    format_value,
    make_parameter,
    parse_value,
)

DIGEST = "0123456789abcdef" * 4


def param(
    name="demo.rate",
    unit="percent",
    values=(("2023-01-01", "40"), ("2025-07-01", "50")),
    digest=DIGEST,
    source="demo.yaml",
):
    raws = [
        RawValue(10 + i, Text(d, 10 + i), Text(v, 10 + i), Text(f"Doc {i}", 10 + i))
        for i, (d, v) in enumerate(values)
    ]
    return make_parameter(
        Text(name, 2),
        unit=Text(unit, 3),
        description=Text("A rate.", 4),
        values=raws,
        source=source,
        digest=digest,
    )


def test_the_value_in_force_is_the_last_one_that_started_on_or_before_the_date():
    p = param()
    assert p.value_at(date(2023, 1, 1)).value == Decimal("40")
    assert p.value_at(date(2025, 6, 30)).value == Decimal("40")
    assert p.value_at(date(2025, 7, 1)).value == Decimal("50")
    assert p.value_at(date(2040, 1, 1)).value == Decimal("50")


def test_a_value_carries_its_reference_its_end_and_a_version_to_record():
    f = param().value_at(date(2024, 3, 1))
    assert f.reference == "Doc 0"
    assert f.effective_from == date(2023, 1, 1) and f.until == date(2025, 7, 1)
    assert f.version == "demo.rate@2023-01-01#0123456789ab"
    assert param().value_at(date(2026, 1, 1)).until is None


def test_the_version_changes_when_the_file_changes():
    a = param().value_at(date(2024, 1, 1)).version
    b = param(digest="f" * 64).value_at(date(2024, 1, 1)).version
    assert a != b and a.split("#")[0] == b.split("#")[0]


def test_a_date_before_the_first_value_is_an_error_not_a_guess():
    with pytest.raises(NotInForce) as err:
        param().value_at(date(2022, 12, 31))
    assert "demo.rate" in str(err.value) and "2023-01-01" in str(err.value)


def test_an_unknown_name_is_an_error():
    with pytest.raises(UnknownParameter, match=r"demo\.nothing"):
        PolicySet([param()]).value_at("demo.nothing", date(2024, 1, 1))


def test_in_force_lists_only_parameters_that_have_started():
    later = param(name="demo.later", values=(("2030-01-01", "1"),))
    ps = PolicySet([param(), later])
    assert [f.name for f in ps.in_force(date(2024, 1, 1))] == ["demo.rate"]
    assert [p.name for p in ps.not_yet_in_force(date(2024, 1, 1))] == ["demo.later"]
    assert len(ps) == 2 and "demo.later" in ps


def test_the_history_lists_every_value_with_its_end():
    history = param().history()
    assert [(h.effective_from, h.until) for h in history] == [
        (date(2023, 1, 1), date(2025, 7, 1)),
        (date(2025, 7, 1), None),
    ]


def test_as_ratio_turns_percent_and_basis_points_into_fractions():
    assert param().value_at(date(2024, 1, 1)).as_ratio() == Decimal("0.4")
    bp = param(unit="basis_points", values=(("2024-01-01", "-10"),))
    assert bp.value_at(date(2024, 1, 1)).as_ratio() == Decimal("-0.001")
    days = param(unit="working_days", values=(("2024-01-01", "7"),))
    with pytest.raises(TypeError):
        days.value_at(date(2024, 1, 1)).as_ratio()


def test_the_set_digest_depends_on_content_not_on_where_the_files_lie():
    a = PolicySet([param(source="/srv/a/demo.yaml")]).digest
    b = PolicySet([param(source="/tmp/b/demo.yaml")]).digest
    c = PolicySet([param(digest="e" * 64)]).digest
    assert a == b != c


def test_values_are_parsed_exactly_and_formatted_back():
    assert parse_value(Unit.RATE_PER_YEAR, "0.0345") == Decimal("0.0345")
    assert parse_value(Unit.YUAN, "2000万") == 2_000_000_000
    assert format_value(Unit.YUAN, 2_000_000_000) == "20000000.00"
    assert format_value(Unit.BOOLEAN, True) == "true"
    assert parse_value(Unit.TEXT, " a; b ") == "a; b"
    with pytest.raises(ValueError, match="empty"):
        parse_value(Unit.TEXT, "  ")
