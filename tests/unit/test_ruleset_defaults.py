"""The default rule sets as a whole: each names its source, reads only known fields, and the
zone's three-dimension card keeps its R&D cash-flow tolerance and its Chongqing-style A–E
grade → credit-line table. Also the field lists: derived and assessed fields are documented."""

from decimal import Decimal

import pytest
from tests.unit.test_rulesets_support import RULESETS, load

from patientcap.domain.ruleset import ASSESSED_FIELDS, DERIVED_FIELDS, FIELDS
from patientcap.domain.scoring import score

DEFAULTS = sorted(p.name for p in RULESETS.glob("*.yaml"))
WAN = 1_000_000


def test_the_six_default_rule_sets_are_present_with_distinct_ids() -> None:
    assert DEFAULTS == [
        "high_tech_innovation.yaml",
        "high_tech_thresholds.yaml",
        "innovative_sme.yaml",
        "specialised_sme.yaml",
        "tech_credit_card.yaml",
        "tech_sme_evaluation.yaml",
    ]
    ids = [load(name).id for name in DEFAULTS]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("name", DEFAULTS)
def test_every_indicator_names_its_source_row_and_reads_known_fields(name) -> None:
    rs = load(name)
    assert rs.reference and rs.effective_from
    for ind in rs.indicators:
        assert ind.reference.strip() and ind.source.strip(), ind.key
        assert set(ind.operands) <= FIELDS, ind.key


def test_derived_and_assessed_fields_are_documented_and_readable() -> None:
    assert set(DERIVED_FIELDS) | set(ASSESSED_FIELDS) <= FIELDS
    assert not set(DERIVED_FIELDS) & set(ASSESSED_FIELDS)
    assert all(text.strip() for text in {**DERIVED_FIELDS, **ASSESSED_FIELDS}.values())


def test_the_three_dimension_card_keeps_the_r_and_d_cash_flow_tolerance() -> None:
    card = load("tech_credit_card.yaml")
    waived = [i for i in card.indicators if i.waiver]
    cash = next(i for i in waived if "operating_cash_flow_fen" in i.operands)
    assert {c.subject for c in cash.waiver} == {"rd_intensity", "cash_runway_months"}
    firm = {"operating_cash_flow_fen": -5 * WAN, "rd_expense_fen": 6, "revenue_fen": 100}
    burning = score(card, {**firm, "cash_runway_months": 18})
    short = score(card, {**firm, "cash_runway_months": 6})
    points = {s.key: s.points for s in burning.indicators}
    assert points[cash.key] == cash.maximum
    assert {s.key: s.points for s in short.indicators}[cash.key] < cash.maximum


def test_the_three_dimension_card_maps_grades_to_chongqing_style_credit_lines() -> None:
    card = load("tech_credit_card.yaml")
    lines = {g.grade: g.credit_line_fen // WAN for g in card.grades}
    assert lines == {"A": 500, "B": 400, "C": 300, "D": 160, "E": 80}  # 万元, §7
    assert [g.minimum for g in card.grades] == sorted(
        (g.minimum for g in card.grades), reverse=True
    )
    assert card.grades[-1].minimum == Decimal(0)
