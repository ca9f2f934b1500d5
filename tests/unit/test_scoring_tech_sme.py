"""科技型中小企业评价: the official table, its pass rule and its direct qualification."""

from decimal import Decimal
from pathlib import Path

from patientcap.domain.ruleset import parse_ruleset
from patientcap.domain.scoring import score

PATH = Path(__file__).resolve().parents[2] / "policy" / "rulesets" / "tech_sme_evaluation.yaml"
SME = parse_ruleset(PATH.read_text(encoding="utf-8"), PATH.name)
BASE: dict[str, object] = {"tech_staff": 3, "total_staff": 10, "rd_expense_fen": 6,
                           "revenue_fen": 100, "class2_ip": 0}  # fmt: skip


def test_one_class_i_patent_earns_the_full_30_ip_points() -> None:
    ev = score(SME, {**BASE, "invention_patents": 1})
    ip = next(s for s in ev.indicators if s.key == "ip")
    assert (ip.band, ip.points) == ("≥1 class I IP", Decimal(30))
    assert ev.total == Decimal("100.00") and ev.passed


def test_class_ii_ip_counts_score_six_points_each_up_to_24() -> None:
    points = [score(SME, {**BASE, "class2_ip": n}).indicators[2].points for n in range(6)]
    assert points == [0, 6, 12, 18, 24, 24]


def test_the_pass_rule_needs_60_points_and_nonzero_tech_staff_points() -> None:
    assert not score(SME, {**BASE, "rd_expense_fen": 1}).passed  # 20 + 0 + 0 = 20
    no_staff = score(SME, {**BASE, "tech_staff": 0, "invention_patents": 1})
    assert no_staff.total == Decimal("80.00") and not no_staff.passed
    assert score(SME, BASE).total == Decimal("70.00") and score(SME, BASE).passed


def test_a_high_tech_certificate_qualifies_directly() -> None:
    ev = score(SME, {"high_tech_enterprise": True})
    assert ev.total == 0 and ev.passed and ev.directly_qualified
