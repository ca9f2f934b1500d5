"""Registry value rules: industry codes (GB/T 4754-2017), yearly figures, dates, masking."""

import datetime as dt
from decimal import Decimal

import pytest

from patientcap.domain import registry
from patientcap.domain.messages import Invalid

AS_OF = dt.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("I", "I"),
        ("i65", "I65"),
        ("65", "I65"),
        ("6513", "I6513"),
        ("I6513", "I6513"),
        (" c 39 ", "C39"),
        ("01", "A01"),
        ("97", "T97"),
        ("70", "K70"),
        ("M73", "M73"),
    ],
)
def test_industry_codes_are_stored_with_their_section(typed, stored):
    assert registry.industry_code(typed) == stored


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "is not a GB/T 4754-2017 industry code"),
        ("Z", "is not a GB/T 4754-2017 industry code"),
        ("I6A", "is not a GB/T 4754-2017 industry code"),
        ("6", "2 to 4 digits"),
        ("I65131", "2 to 4 digits"),
        ("98", "98 is not a GB/T 4754-2017 division"),
        ("00", "00 is not a GB/T 4754-2017 division"),
        ("C65", "division 65 belongs to section I, not C"),
    ],
)
def test_bad_industry_codes_are_refused_with_the_reason(typed, words):
    with pytest.raises(Invalid) as exc:
        registry.industry_code(typed)
    assert words in exc.value.message.text


def test_every_division_has_a_section_and_sections_cover_01_to_97():
    assert sorted(registry.DIVISIONS) == [f"{n:02d}" for n in range(1, 98)]
    assert {registry.section_of(d) for d in registry.DIVISIONS} == set(registry.SECTIONS)


def test_industry_labels_name_the_division_or_section():
    assert registry.industry_label("I6513") == "I6513 软件和信息技术服务业"
    assert registry.industry_label("M") == "M 科学研究和技术服务业"


def test_tech_and_rd_staff_above_the_total_are_refused():
    problems = registry.headcount_problems(total=10, tech_staff=11, rd_staff=12)
    assert [p.field for p in problems] == ["tech_staff", "rd_staff"]


def test_negative_headcounts_are_refused_each_by_field():
    problems = registry.headcount_problems(total=-1, tech_staff=-2, rd_staff=0)
    assert [(p.field, p.message.text) for p in problems] == [
        ("total", "cannot be negative (-1)"),
        ("tech_staff", "cannot be negative (-2)"),
    ]


def test_headcount_with_unreported_total_checks_only_signs():
    assert registry.headcount_problems(total=None, tech_staff=5, rd_staff=None) == []


def test_negative_cash_flow_is_allowed_but_negative_revenue_is_not():
    problems = registry.financial_problems({"operating_cash_flow_fen": -500, "revenue_fen": -1})
    assert [p.field for p in problems] == ["revenue_fen"]


def test_main_business_revenue_above_revenue_is_refused():
    problems = registry.financial_problems({"revenue_fen": 100, "main_business_revenue_fen": 101})
    assert [p.field for p in problems] == ["main_business_revenue_fen"]


@pytest.mark.parametrize("share", [Decimal("-0.01"), Decimal("1.0001")])
def test_a_share_outside_0_to_1_is_refused(share):
    problems = registry.financial_problems({"top_customer_share": share})
    assert [p.field for p in problems] == ["top_customer_share"]


def test_founders_average_above_their_maximum_is_refused():
    problems = registry.team_problems(
        founders_max_industry_years=5,
        founders_avg_industry_years=Decimal("5.5"),
        key_staff_turnover=Decimal("0.1"),
    )
    assert [p.field for p in problems] == ["founders_avg_industry_years"]


def test_negative_patent_counts_are_refused():
    problems = registry.count_problems({"invention_patents": -1, "design_patents": 0})
    assert [p.field for p in problems] == ["invention_patents"]


def test_a_certificate_ending_before_it_starts_is_refused():
    problems = registry.certification_problems(
        valid_from=dt.date(2024, 1, 2), valid_to=dt.date(2024, 1, 1)
    )
    assert problems[0].message.text == "valid to (2024-01-01) is before valid from (2024-01-02)"
    assert (
        registry.certification_problems(
            valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2024, 1, 1)
        )
        == []
    )


def test_a_registration_date_after_as_of_is_refused_and_as_of_itself_is_accepted():
    assert registry.registration_date_problems(AS_OF, as_of=AS_OF) == []
    problems = registry.registration_date_problems(AS_OF + dt.timedelta(days=1), as_of=AS_OF)
    assert "in the future" in problems[0].message.text


def test_a_registration_before_the_prc_is_refused():
    assert registry.registration_date_problems(dt.date(1900, 1, 1), as_of=AS_OF)


def test_reporting_years_run_from_1990_to_the_current_year():
    assert registry.year_problems(2025, as_of=AS_OF) == []
    assert registry.year_problems(2026, as_of=AS_OF)
    assert registry.year_problems(1989, as_of=AS_OF)


@pytest.mark.parametrize(
    ("name", "masked"), [("张三丰", "张**"), ("李", "李"), ("", ""), (" 欧阳娜娜 ", "欧***")]
)
def test_names_are_masked_to_their_first_character(name, masked):
    assert registry.mask_name(name) == masked
