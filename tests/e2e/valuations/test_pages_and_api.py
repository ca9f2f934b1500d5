"""Valuation pages and API v1 over HTTP: scoped reading, the workbench with its live results,
saving and revising, the state-asset panel with the proposal of a written approval, and bad
input that writes nothing."""

import pytest
from django.test import Client
from tests.integration.valuations.builders import (
    AS_OF,
    GROWTH_INPUTS,
    SEED_INPUTS,
    growth_valuation,
    seed_valuation,
)

from patientcap.approvals.models import Proposal
from patientcap.valuations.models import Valuation

pytestmark = pytest.mark.django_db
BASE = "/api/v1/valuations/"


def session(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _form(**extra):
    """A workbench post for a seed firm: Berkus and the scorecard ticked, equal weights."""
    data = {
        "stage": "seed",
        "valued_on": AS_OF.isoformat(),
        "purpose": "investment",
        "rationale": "equal weights",
        "use.berkus": "1",
        "berkus.cny_per_usd": "7.2",
        "berkus.year5_revenue_potential": "5亿",
        "berkus.factors.sound_idea": "300万",
        "berkus.factors.prototype": "200万",
        "use.scorecard": "1",
        "scorecard.median_pre_money": "2000万",
        # an unticked section's defaults are never inputs
        "risk_factor_summation.base": "1500万",
    }
    for k in SEED_INPUTS["scorecard"]["ratios"]:
        data[f"scorecard.ratios.{k}"] = "1"
    data.update(extra)
    return data


def test_the_api_needs_authentication(db):
    assert Client().get(BASE).status_code == 401


def test_pages_and_api_are_scoped_by_the_enterprise(users, firms):
    a = seed_valuation(users["zone_officer"], firms["a"])
    b = growth_valuation(users["zone_officer"], firms["b"])
    for role, sees in (
        ("zone_officer", {a.pk, b.pk}),
        ("reviewer", {a.pk, b.pk}),
        ("auditor", {a.pk, b.pk}),
        ("enterprise_user", {a.pk}),
        ("bank_officer", {a.pk}),
        ("guarantor_officer", {a.pk}),
        ("other_bank_officer", {b.pk}),
        ("other_guarantor_officer", set()),
    ):
        client = session(users[role])
        listed = {r["id"] for r in client.get(BASE).json()["results"]}
        assert listed == sees, role
        for row in (a, b):
            expected = 200 if row.pk in sees else 404
            assert client.get(f"/valuations/{row.pk}/").status_code == expected, role
            assert client.get(f"{BASE}{row.pk}").status_code == expected, role


def test_the_detail_page_shows_the_methods_the_range_and_the_football_field_data(users, firms):
    row = growth_valuation(users["zone_officer"], firms["a"], proposed_price="3600万")
    page = session(users["bank_officer"]).get(f"/valuations/{row.pk}/")
    text = page.content.decode()
    assert "¥25,000,000.00 – ¥30,000,000.00" in text
    assert "Above the range" in text
    assert 'id="football-data"' in text and '"price": 3600000000' in text
    assert "Revise (new version)" not in text  # only the zone officer revises


def test_the_live_panel_computes_without_saving(users, firms):
    client = session(users["zone_officer"])
    response = client.post(f"/valuations/enterprise/{firms['a'].pk}/compute/", _form())
    text = response.content.decode()
    assert response.status_code == 200
    assert "¥5,000,000.00" in text  # Berkus 300万 + 200万
    assert "¥20,000,000.00" in text  # the scorecard at the median
    assert "live-chart-data" in text
    assert "Risk factor summation" in text and "no inputs given" in text
    assert not Valuation.objects.exists()
    bad = client.post(
        f"/valuations/enterprise/{firms['a'].pk}/compute/",
        _form(**{"scorecard.ratios.team": "-1"}),
    )
    assert "cannot be negative" in bad.content.decode()


def test_the_workbench_saves_and_a_revision_is_a_new_version(users, firms):
    client = session(users["zone_officer"])
    url = f"/valuations/enterprise/{firms['a'].pk}/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, _form())
    row = Valuation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/valuations/{row.pk}/"
    assert (row.low_fen, row.high_fen, row.pre_money_fen) == (
        500_000_000,
        2_000_000_000,
        1_250_000_000,
    )
    assert set(row.inputs) == {"berkus", "scorecard"}
    revise = client.get(f"{url}?revise={row.pk}")
    assert 'name="berkus.factors.sound_idea" value="300万"' in revise.content.decode()
    client.post(url, _form(previous=str(row.pk), **{"berkus.factors.prototype": "300万"}))
    new = Valuation.objects.get(previous=row)
    assert new.version == 2 and new.low_fen == 600_000_000
    history = client.get(f"/valuations/enterprise/{firms['a'].pk}/").content.decode()
    assert "v1" in history and "v2" in history and "revised" in history


def test_bad_workbench_input_is_refused_with_the_message_and_nothing_written(users, firms):
    client = session(users["zone_officer"])
    url = f"/valuations/enterprise/{firms['a'].pk}/new/"
    response = client.post(url, _form(**{"stage": "growth", "use.vc": "1"}))
    assert response.status_code == 422
    text = response.content.decode()
    assert "Berkus does not fit a firm at the growth stage" in text
    assert not Valuation.objects.exists()


def test_only_the_zone_officer_opens_the_workbench(users, firms):
    for role in ("reviewer", "bank_officer", "enterprise_user", "auditor"):
        client = session(users[role])
        assert client.get(f"/valuations/enterprise/{firms['a'].pk}/new/").status_code == 403
        assert (
            client.post(f"/valuations/enterprise/{firms['a'].pk}/compute/", _form()).status_code
            == 403
        )


def test_the_state_panel_offers_the_zone_officer_to_propose_the_written_approval(users, firms):
    row = growth_valuation(
        users["zone_officer"],
        firms["a"],
        proposed_price="2000万",
        state_money=True,
        assessed_value="2800万",
        assessment_date="2025-03-01",
        relisted=True,
    )
    client = session(users["zone_officer"])
    text = client.get(f"/valuations/{row.pk}/").content.decode()
    assert "Awaiting the approving body" in text and "Propose recording" in text
    response = client.post(
        f"/valuations/{row.pk}/approval/",
        {"reference": "渝国资〔2025〕3号", "approved_on": "2025-07-01", "reason": "re-listed"},
    )
    proposal = Proposal.objects.get(action="valuations.written_approval")
    assert response["Location"] == f"/approvals/{proposal.pk}/"
    reviewer = session(users["reviewer"])
    assert "Propose recording" not in reviewer.get(f"/valuations/{row.pk}/").content.decode()
    reviewer.post(f"/approvals/{proposal.pk}/approve/", {"comment": "ok"})
    text = client.get(f"/valuations/{row.pk}/").content.decode()
    assert "Written approval 渝国资〔2025〕3号 of 2025-07-01 recorded." in text


def test_the_api_computes_creates_and_refuses_bad_input(users, firms):
    client = session(users["zone_officer"])
    body = {
        "enterprise_id": firms["a"].pk,
        "valued_on": AS_OF.isoformat(),
        "stage": "growth",
        "inputs": GROWTH_INPUTS,
        "rationale": "median multiple",
        "chosen": "3000万",
        "investment": "500万",
        "proposed_price": "2800万",
    }
    computed = client.post(f"{BASE}compute", body, content_type="application/json").json()
    assert (computed["low_fen"], computed["high_fen"]) == (2_500_000_000, 3_000_000_000)
    assert computed["price_position"] == "within"
    assert not Valuation.objects.exists()
    created = client.post(BASE, body, content_type="application/json")
    assert created.status_code == 201
    data = created.json()
    assert (data["point_fen"], data["version"], data["current"]) == (3_500_000_000, 1, True)
    assert {m["method"]: m["value_fen"] for m in data["methods"]}["vc"] == 2_500_000_000
    revised = client.post(
        BASE, {**body, "previous_id": data["id"]}, content_type="application/json"
    ).json()
    assert revised["version"] == 2 and revised["previous_id"] == data["id"]
    listed = client.get(BASE, {"all_versions": "true"}).json()["results"]
    assert {(r["version"], r["current"]) for r in listed} == {(1, False), (2, True)}
    bad = client.post(
        BASE,
        {
            **body,
            "inputs": {
                "market_multiples": {"metric": "1000万", "comparables": {"A": "-2"}},
                "first_chicago": {
                    "discount_rate": "0.1",
                    "scenarios": [{"name": "s", "probability": "0.5", "value": "1亿"}],
                },
            },
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert "negative" in " ".join(errors["market_multiples"])
    assert "add up to 0.5, not 1" in " ".join(errors["first_chicago"])
    assert Valuation.objects.count() == 2


def test_only_the_zone_officer_creates_through_the_api(users, firms):
    body = {
        "enterprise_id": firms["a"].pk,
        "valued_on": AS_OF.isoformat(),
        "stage": "growth",
        "inputs": GROWTH_INPUTS,
        "rationale": "x",
    }
    for role in ("reviewer", "bank_officer", "auditor", "enterprise_user"):
        client = session(users[role])
        assert client.post(BASE, body, content_type="application/json").status_code == 403
        assert (
            client.post(f"{BASE}compute", body, content_type="application/json").status_code == 403
        )
    assert not Valuation.objects.exists()


def test_zone_staff_find_the_valuation_cards_on_their_home_page(users, firms):
    growth_valuation(
        users["zone_officer"],
        firms["a"],
        proposed_price="2000万",
        state_money=True,
        assessed_value="2800万",
        assessment_date="2024-03-01",
        relisted=True,
    )
    home = session(users["reviewer"]).get("/").content.decode()
    assert "Valuations awaiting written approval" in home
    assert "Stale state-asset assessments" in home and 'href="/valuations/"' in home
    assert "Valuations awaiting" not in session(users["bank_officer"]).get("/").content.decode()
