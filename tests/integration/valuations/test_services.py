"""Saving valuations through the service: hand-checked method values, the range and the chosen
point, price flags, versions that never overwrite, the state-asset checks with maker-checker
approval of a price below 90% of the assessed value, and bad input that writes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.integration.valuations.builders import (
    AS_OF,
    GROWTH_INPUTS,
    SEED_VALUES,
    growth_valuation,
    seed_valuation,
)

from patientcap.approvals import services as approvals
from patientcap.audit.models import AuditEntry
from patientcap.valuations.models import MethodResult, Valuation, WrittenApproval
from patientcap.valuations.selectors import latest_valuation

pytestmark = pytest.mark.django_db


def test_a_seed_valuation_stores_each_methods_value_the_range_and_the_equal_weight_point(
    users, firms
):
    row = seed_valuation(users["zone_officer"], firms["a"])
    values = {r.method: r.value_fen for r in row.results.all()}
    assert values == {**SEED_VALUES, "vc": None}  # seed firms may also use the VC method
    assert row.results.get(method="vc").not_computed == "no inputs given"
    assert (row.low_fen, row.high_fen) == (800_000_000, 2_300_000_000)
    # 0.333334 × 800万 + 0.333333 × 2300万 + 0.333333 × 1900万
    assert row.pre_money_fen == 1_666_665_800
    assert row.point_fen == row.pre_money_fen  # no new money
    assert sorted(row.weights.values()) == ["0.333333", "0.333333", "0.333334"]
    assert row.version == 1 and row.previous is None
    assert AuditEntry.objects.filter(action="valuation.create", object_id=str(row.pk)).exists()


def test_a_growth_valuation_with_a_chosen_point_adds_the_new_money_for_the_post_money(users, firms):
    row = growth_valuation(users["zone_officer"], firms["a"])
    values = {r.method: r.value_fen for r in row.results.all()}
    assert values == {
        "vc": 2_500_000_000,
        "first_chicago": 3_000_000_000,
        "market_multiples": 3_000_000_000,
    }
    assert (row.low_fen, row.high_fen) == (2_500_000_000, 3_000_000_000)
    assert (row.pre_money_fen, row.investment_fen, row.point_fen) == (
        3_000_000_000,
        500_000_000,
        3_500_000_000,
    )
    multiples = row.results.get(method="market_multiples")
    assert (multiples.low_fen, multiples.high_fen) == (2_000_000_000, 5_000_000_000)


def test_a_stage_method_without_inputs_is_listed_as_not_computed_never_as_zero(users, firms):
    inputs = {"vc": GROWTH_INPUTS["vc"]}
    row = growth_valuation(users["zone_officer"], firms["a"], inputs=inputs, chosen=None)
    missing = row.results.filter(value_fen__isnull=True)
    assert sorted(missing.values_list("method", flat=True)) == ["first_chicago", "market_multiples"]
    assert all(r.not_computed for r in missing)


def test_a_proposed_price_above_the_range_is_flagged_with_its_distance(users, firms):
    row = growth_valuation(users["zone_officer"], firms["a"], proposed_price="3600万")
    assert row.price_position == "above"
    assert row.price_distance_fen == 60_000_000 * 10
    inside = growth_valuation(users["zone_officer"], firms["b"], proposed_price="2800万")
    assert inside.price_position == "within" and inside.price_distance_fen == 0


@pytest.mark.parametrize(
    ("inputs", "field", "words"),
    [
        (
            {"market_multiples": {"metric": "1000万", "comparables": {"A": "2", "B": "-3"}}},
            "market_multiples",
            "negative",
        ),
        (
            {"vc": {**GROWTH_INPUTS["vc"], "exit_multiple": "-3"}},
            "vc",
            "exit multiple must be above zero",
        ),
        (
            {
                "first_chicago": {
                    "discount_rate": "0.1",
                    "scenarios": [
                        {"name": "success", "probability": "0.3", "value": "1亿"},
                        {"name": "failure", "probability": "0.6", "value": "0"},
                    ],
                }
            },
            "first_chicago",
            "add up to 0.9, not 1",
        ),
        ({"berkus": {"cny_per_usd": "7.2"}}, "berkus", "does not fit"),
        ({"vc": {**GROWTH_INPUTS["vc"], "exit_metric": "lots"}}, "vc", "amount in yuan"),
    ],
)
def test_bad_method_input_is_refused_with_a_clear_message_and_nothing_written(
    users, firms, inputs, field, words
):
    with pytest.raises(ValidationError) as caught:
        growth_valuation(users["zone_officer"], firms["a"], inputs=inputs, chosen=None)
    assert words in " ".join(caught.value.message_dict[field])
    assert not Valuation.objects.exists()
    assert not MethodResult.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="valuation.").exists()


def test_a_chosen_point_outside_the_range_and_a_missing_rationale_are_refused(users, firms):
    with pytest.raises(ValidationError) as caught:
        growth_valuation(users["zone_officer"], firms["a"], chosen="1亿")
    assert "outside the range" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        growth_valuation(users["zone_officer"], firms["a"], rationale="  ")
    assert "rationale" in str(caught.value)
    assert not Valuation.objects.exists()


def test_a_revision_is_a_new_version_linked_to_the_old_one_which_stays_unchanged(users, firms):
    zone = users["zone_officer"]
    first = seed_valuation(zone, firms["a"])
    second = seed_valuation(
        zone, firms["a"], previous_id=first.pk, valued_on=AS_OF + dt.timedelta(days=10)
    )
    first.refresh_from_db()
    assert (second.version, second.previous_id) == (2, first.pk)
    assert first.pre_money_fen == second.pre_money_fen and first.version == 1
    assert Valuation.objects.count() == 2
    with pytest.raises(ValidationError) as caught:
        seed_valuation(zone, firms["a"], previous_id=first.pk)
    assert "already revised" in str(caught.value)
    assert AuditEntry.objects.filter(action="valuation.revise", object_id=str(second.pk)).exists()


def test_latest_valuation_is_the_newest_version_dated_on_or_before_the_day(users, firms):
    zone = users["zone_officer"]
    assert latest_valuation(firms["a"].pk, AS_OF) is None
    first = seed_valuation(zone, firms["a"])
    later = AS_OF + dt.timedelta(days=30)
    revised = seed_valuation(zone, firms["a"], previous_id=first.pk, valued_on=later)
    assert latest_valuation(firms["a"].pk, AS_OF - dt.timedelta(days=1)) is None
    assert latest_valuation(firms["a"].pk, AS_OF) == first
    found = latest_valuation(firms["a"].pk, later)
    assert found == revised and found.valued_on == later and found.point_fen > 0
    assert latest_valuation(firms["b"].pk, later) is None


def test_only_the_zone_officer_saves_valuations(users, firms):
    for role in ("bank_officer", "reviewer", "auditor"):
        with pytest.raises(PermissionDenied):
            seed_valuation(users[role], firms["a"])
    assert not Valuation.objects.exists()


def _state(users, firms, **overrides):
    options = {
        "proposed_price": "2000万",
        "state_money": True,
        "assessed_value": "2800万",
        "assessment_date": "2025-03-01",
        "relisted": True,
    }
    options.update(overrides)
    return growth_valuation(users["zone_officer"], firms["a"], **options)


def test_a_relisted_state_price_below_90_percent_needs_a_written_approval_by_a_reviewer(
    users, firms
):
    row = _state(users, firms)
    assert row.state_outcome == "needs_approval" and row.needs_written_approval
    payload = {
        "valuation_id": row.pk,
        "reference": "渝国资〔2025〕3号",
        "approved_on": "2025-07-01",
    }
    proposal = approvals.propose(
        action="valuations.written_approval",
        payload=payload,
        reason="re-listed twice without a buyer",
        by=users["zone_officer"],
    )
    assert not WrittenApproval.objects.exists()
    with pytest.raises(approvals.ProposalRefused):
        approvals.approve(proposal=proposal, by=users["zone_officer"])
    approvals.approve(proposal=proposal, by=users["reviewer"])
    approval = WrittenApproval.objects.get()
    assert (approval.valuation_id, approval.reference) == (row.pk, "渝国资〔2025〕3号")
    assert approval.recorded_by == users["reviewer"]
    assert not row.needs_written_approval
    with pytest.raises(approvals.InvalidProposal):
        approvals.propose(
            action="valuations.written_approval",
            payload=payload,
            reason="again",
            by=users["zone_officer"],
        )


def test_a_first_listing_below_the_assessed_value_is_refused_at_the_floor(users, firms):
    row = _state(users, firms, relisted=False, proposed_price="2700万")
    assert row.state_outcome == "refused"
    assert "32号令 floor" in " ".join(row.state_reasons)


def test_an_assessment_older_than_a_year_is_stale_and_cannot_be_approved_around(users, firms):
    row = _state(users, firms, assessment_date="2024-06-29")
    assert row.assessment_stale and row.state_outcome == "refused"
    with pytest.raises(approvals.InvalidProposal):
        approvals.propose(
            action="valuations.written_approval",
            payload={"valuation_id": row.pk, "reference": "x", "approved_on": "2025-07-01"},
            reason="r",
            by=users["zone_officer"],
        )
    fresh = _state(users, firms, assessment_date="2024-06-30")
    assert not fresh.assessment_stale  # valid through the first anniversary


def test_state_money_without_an_assessed_value_or_a_price_is_refused(users, firms):
    with pytest.raises(ValidationError) as caught:
        _state(users, firms, assessed_value="", proposed_price="")
    assert set(caught.value.message_dict) >= {"assessed_value", "proposed_price"}
    assert not Valuation.objects.exists()
