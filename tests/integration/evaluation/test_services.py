"""Scoring a registry firm, storing it reproducibly, overrides and objections."""

import datetime as dt
from decimal import Decimal

import pytest
from tests.integration.evaluation.builders import AS_OF, rich_figures

from patientcap.approvals import services as approvals
from patientcap.approvals.models import Proposal
from patientcap.audit.models import AuditEntry
from patientcap.evaluation import inputs, selectors, services
from patientcap.evaluation.models import Evaluation, Objection, Override
from patientcap.evaluation.services import Refused

pytestmark = pytest.mark.django_db
CARD = "tech-credit-card"


def test_inputs_are_exact_types_with_their_source(firms):
    from patientcap.enterprises.models import Enterprise

    firm = inputs.with_figures(Enterprise.objects.filter(pk=firms["a"].pk)).get()
    got = inputs.build(firm, AS_OF)
    assert got.year == 2024
    assert got.values["revenue_fen"] == 100_000_000_00
    assert got.values["revenue_fen_previous"] == 80_000_000_00
    assert got.values["debt_ratio"] == Decimal("0.4")
    assert got.values["main_business_share"] == Decimal("0.9")
    assert got.values["class2_ip"] == 5
    assert got.values["strategic_emerging"] is True
    assert got.values["conversions_per_year"] is None
    assert not any(isinstance(v, float) for v in got.values.values())
    assert got.sources["revenue_fen"] == "financial:2024"
    assert inputs.source_label(got.sources["conversions_per_year"]) == "not held in the registry"
    # The fields derived over several years (domain.ruleset.DERIVED_FIELDS).
    assert got.values["revenue_growth_3y"] == Decimal("0.25")  # two years on file: Y3/Y2 − 1
    assert got.values["rd_expense_3y_fen"] == 7_000_000_00
    assert got.values["revenue_3y_fen"] == 180_000_000_00
    assert got.values["main_business_growth"] is None  # 2023 has no main-business figure
    assert got.values["years_registered"] == 5
    assert inputs.source_label(got.sources["revenue_3y_fen"]) == "financial years 2022–2024"


def test_every_rule_set_scores_every_firm_and_reproduces(firms, users):
    from patientcap.evaluation import rulesets

    for rid in rulesets.ids():
        for key in ("a", "b", "c"):
            ev = services.evaluate_enterprise(
                actor=users["zone_officer"], enterprise_id=firms[key].pk, ruleset_id=rid,
                as_of=AS_OF,
            )  # fmt: skip
            assert selectors.reproduce(ev)[1], (rid, key)


def test_an_evaluation_is_stored_with_everything_needed_to_reproduce_it(firms, users):
    ev = services.evaluate_enterprise(
        actor=users["zone_officer"], enterprise_id=firms["a"].pk, ruleset_id=CARD, as_of=AS_OF
    )
    assert ev.ruleset_version == "1" and len(ev.ruleset_digest) == 64
    assert ev.inputs["rd_expense_fen"] == "700000000"
    assert {i["key"] for i in ev.indicators} >= {"rd_intensity", "revenue_growth"}
    assert len(ev.reasons) <= 4
    assert ev.grade == ev.computed_grade and ev.credit_line_fen > 0
    again, same = selectors.reproduce(ev)
    assert same and again.total == ev.total
    assert AuditEntry.objects.filter(action="evaluation.score", object_id=str(ev.pk)).exists()


def test_the_latest_evaluation_is_the_seam_for_lending_and_matching(firms, users):
    zone = users["zone_officer"]
    assert selectors.latest_evaluation(firms["a"].pk, CARD) is None
    first = services.evaluate_enterprise(
        actor=zone, enterprise_id=firms["a"].pk, ruleset_id=CARD, as_of=AS_OF
    )
    later = services.evaluate_enterprise(
        actor=zone,
        enterprise_id=firms["a"].pk,
        ruleset_id=CARD,
        as_of=AS_OF + dt.timedelta(days=1),
    )
    got = selectors.latest_evaluation(firms["a"].pk, CARD)
    assert got is not None and got.pk == later.pk != first.pk
    assert got.evaluated_on == AS_OF + dt.timedelta(days=1)
    assert isinstance(got.credit_line_fen, int) and got.grade
    assert selectors.latest_evaluation(firms["b"].pk, CARD) is None


def test_a_firm_with_missing_figures_lands_in_the_missing_bin(firms, users):
    ev = services.evaluate_enterprise(
        actor=users["zone_officer"], enterprise_id=firms["c"].pk, ruleset_id=CARD, as_of=AS_OF
    )
    bands = {i["key"]: i["band"] for i in ev.indicators}
    assert bands["tech_staff_share"] == "missing"
    assert bands["invention_patents"] == "missing"
    assert not ev.passed and ev.credit_line_fen == 0


def test_zero_revenue_lands_in_the_special_bin(firms, users):
    from patientcap.enterprises import services as registry

    registry.save_yearly(
        actor=users["zone_officer"],
        enterprise_id=firms["b"].pk,
        kind="financial",
        year=2024,
        values={"revenue_fen": 0, "rd_expense_fen": 5_00},
    )
    ev = services.evaluate_enterprise(
        actor=users["zone_officer"], enterprise_id=firms["b"].pk, ruleset_id=CARD, as_of=AS_OF
    )
    rd = next(i for i in ev.indicators if i["key"] == "rd_intensity")
    assert rd["band"] == "special" and rd["points"] == "0"
    assert any("denominator is zero" in r["en"] for r in ev.reasons)


def test_an_unknown_rule_set_is_refused_and_nothing_is_written(firms, users):
    with pytest.raises(Refused, match="Unknown rule set"):
        services.evaluate_enterprise(
            actor=users["zone_officer"], enterprise_id=firms["a"].pk, ruleset_id="nope", as_of=AS_OF
        )
    assert not Evaluation.objects.exists()


def test_only_zone_staff_score_firms(firms, users):
    with pytest.raises(Refused):
        services.evaluate_enterprise(
            actor=users["bank_officer"], enterprise_id=firms["a"].pk, ruleset_id=CARD, as_of=AS_OF
        )
    assert not Evaluation.objects.exists()


@pytest.fixture
def evaluation(firms, users):
    return services.evaluate_enterprise(
        actor=users["zone_officer"], enterprise_id=firms["a"].pk, ruleset_id=CARD, as_of=AS_OF
    )


def test_an_override_without_a_reason_is_refused_and_nothing_is_written(evaluation, users):
    with pytest.raises(Refused, match="written reason"):
        services.override_evaluation(
            actor=users["zone_officer"], evaluation_id=evaluation.pk, grade="E", reason="  "
        )
    assert not Override.objects.exists() and not Proposal.objects.exists()
    evaluation.refresh_from_db()
    assert evaluation.grade == evaluation.computed_grade


def test_an_override_that_changes_the_credit_line_waits_for_a_reviewer(evaluation, users):
    proposal = services.override_evaluation(
        actor=users["zone_officer"],
        evaluation_id=evaluation.pk,
        grade="E",
        reason="Litigation pending against the founder",
    )
    assert isinstance(proposal, Proposal)
    evaluation.refresh_from_db()
    assert evaluation.grade == evaluation.computed_grade  # not yet
    approvals.approve(proposal=proposal, by=users["reviewer"], comment="agreed")
    evaluation.refresh_from_db()
    assert evaluation.grade == "E" and evaluation.credit_line_fen == 80_000_000
    assert evaluation.computed_grade != "E"
    row = Override.objects.get()
    assert row.reason == "Litigation pending against the founder"
    assert row.approved_by == users["reviewer"]
    assert selectors.latest_evaluation(evaluation.enterprise_id, CARD).grade == "E"


def test_an_override_to_an_unknown_grade_is_refused(evaluation, users):
    with pytest.raises(Refused, match="Unknown grade"):
        services.override_evaluation(
            actor=users["zone_officer"], evaluation_id=evaluation.pk, grade="Z", reason="why"
        )


def test_an_objection_runs_on_a_20_calendar_day_clock(evaluation, users):
    row = services.raise_objection(
        actor=users["enterprise_user"],
        evaluation_id=evaluation.pk,
        reason="Our 2024 patents are missing",
        evidence="CNIPA certificates ZL2024…",
        received_on=dt.date(2025, 7, 1),
    )
    assert row.due_on == dt.date(2025, 7, 21)
    assert not selectors.objection_is_overdue(row, dt.date(2025, 7, 21))
    assert selectors.objection_is_overdue(row, dt.date(2025, 7, 22))
    services.decide_objection(
        actor=users["reviewer"],
        objection_id=row.pk,
        upheld=True,
        decision="Patents verified; re-scored.",
        decided_on=dt.date(2025, 7, 10),
    )
    row.refresh_from_db()
    assert row.status == "upheld"
    assert not selectors.objection_is_overdue(row, dt.date(2025, 8, 1))


def test_an_objection_needs_a_reason_and_evidence_and_the_firm_itself(evaluation, users):
    day = dt.date(2025, 7, 1)
    with pytest.raises(Refused, match="needs a reason"):
        services.raise_objection(
            actor=users["enterprise_user"], evaluation_id=evaluation.pk, reason="",
            evidence="x", received_on=day,
        )  # fmt: skip
    with pytest.raises(Refused, match="evidence"):
        services.raise_objection(
            actor=users["enterprise_user"], evaluation_id=evaluation.pk, reason="x",
            evidence=" ", received_on=day,
        )  # fmt: skip
    with pytest.raises(Refused, match="Only the enterprise"):
        services.raise_objection(
            actor=users["other_enterprise_user"], evaluation_id=evaluation.pk, reason="x",
            evidence="y", received_on=day,
        )  # fmt: skip
    assert not Objection.objects.exists()


def test_batch_scoring_of_the_registry_stores_one_evaluation_per_firm(firms, users):
    seen = []
    run = services.score_registry(
        actor=users["zone_officer"],
        ruleset_id=CARD,
        as_of=AS_OF,
        progress=lambda d, t: seen.append((d, t)),
        address="",
    )
    assert run.scored == 3 and run.evaluations.count() == 3
    single = services.evaluate_enterprise(
        actor=users["zone_officer"], enterprise_id=firms["a"].pk, ruleset_id=CARD, as_of=AS_OF
    )
    batched = run.evaluations.get(enterprise_id=firms["a"].pk)
    assert (batched.total, batched.grade, batched.reasons) == (
        single.total,
        single.grade,
        single.reasons,
    )
    assert seen


def test_psi_compares_this_years_scores_with_last_years(firms, users):
    zone = users["zone_officer"]
    services.score_registry(actor=zone, ruleset_id=CARD, as_of=dt.date(2024, 6, 30), address="")
    rich_figures(zone, firms["b"].pk)  # B's figures improve before this year's scoring
    services.score_registry(actor=zone, ruleset_id=CARD, as_of=dt.date(2025, 6, 30), address="")
    result = selectors.stability(zone, CARD, 2025)
    assert (result.current, result.previous) == (3, 3)
    assert result.psi is not None and result.psi >= 0
    assert result.reading in ("stable", "watch", "shift")
    assert sum(b for _l, b, _a in result.shares) == 3
    assert result.shares != [(label, a, a) for label, a, _b in result.shares]
    assert result.psi > 0
    bank = selectors.stability(users["other_bank_officer"], CARD, 2025)
    assert bank.current == 1  # only firm B granted that bank access


def test_a_batch_on_an_unknown_rule_set_is_refused_and_nothing_is_written(firms, users):
    with pytest.raises(Refused):
        services.score_registry(
            actor=users["zone_officer"], ruleset_id="nope", as_of=AS_OF, address=""
        )
    assert not Evaluation.objects.exists()
