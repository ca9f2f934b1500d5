"""The policy API: parameters in force, one parameter, working-day arithmetic."""

import pytest
from django.test import Client

URLS = [
    "/api/v1/policy/parameters",
    "/api/v1/policy/parameters/invest_first.loss_tolerance",
    "/api/v1/policy/calendar/working-days?start=2025-09-26&n=7",
    "/api/v1/policy/calendar/working-days/between?start=2025-09-26&end=2025-10-13",
]


@pytest.fixture
def api(client: Client, users) -> Client:
    client.force_login(users["bank_officer"])
    return client


@pytest.mark.parametrize("url", URLS)
def test_the_api_needs_a_signed_in_user_or_a_token(client: Client, db, url):
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("url", URLS)
def test_every_role_reads_the_policy_api(client: Client, users, url):
    for user in users.values():
        client.force_login(user)
        assert client.get(url).status_code == 200, (user.role, url)


def test_parameters_in_force_on_a_date_come_with_exact_values_and_versions(api):
    body = api.get("/api/v1/policy/parameters?on=2026-01-01").json()
    assert body["on"] == "2026-01-01"
    by_name = {p["name"]: p for p in body["parameters"]}
    ceiling = by_name["tiered_loan.max_amount"]
    assert ceiling["value"] == "20000000.00" and ceiling["value_fen"] == 2_000_000_000
    assert by_name["matched_credit.max_ratio.angel_fund"]["value"] == "2"
    assert by_name["matched_credit.max_ratio.angel_fund"]["value_fen"] is None
    tolerance = by_name["invest_first.loss_tolerance"]
    assert tolerance["unit"] == "percent" and tolerance["value"] == "100"
    assert tolerance["version"].startswith("invest_first.loss_tolerance@2025-12-09#")
    assert "以科技金融赋能科创企业" in tolerance["reference"]


def test_no_parameter_is_in_force_before_the_first_programme_rule(api):
    body = api.get(
        "/api/v1/policy/parameters?on=2013-03-14"
    ).json()  # 征信业管理条例 the day before
    assert body["parameters"] == []


def test_one_parameter_with_its_history_or_its_value_on_a_date(api):
    body = api.get("/api/v1/policy/parameters/matched_credit.max_ratio.invest_first").json()
    assert body["unit"] == "ratio" and body["file"] == "matched_credit.yaml"
    assert [v["value"] for v in body["history"]] == ["1"]
    on = api.get("/api/v1/policy/parameters/matched_credit.max_ratio.invest_first?on=2026-05-01")
    assert on.json()["history"][0]["effective_from"] == "2025-12-05"
    early = api.get("/api/v1/policy/parameters/matched_credit.max_ratio.invest_first?on=2025-12-04")
    assert early.status_code == 404 and "2025-12-05" in early.json()["detail"]
    assert api.get("/api/v1/policy/parameters/no.such").status_code == 404


def test_the_deadline_seven_working_days_after_due_diligence(api):
    body = api.get("/api/v1/policy/calendar/working-days?start=2025-09-26&n=7").json()
    assert body == {"start": "2025-09-26", "n": 7, "date": "2025-10-13"}
    body = api.get(
        "/api/v1/policy/calendar/working-days/between?start=2025-09-26&end=2025-10-13"
    ).json()
    assert body["working_days"] == 7


def test_an_uncovered_year_or_a_negative_count_is_refused_with_a_reason(api):
    response = api.get("/api/v1/policy/calendar/working-days?start=2040-01-02&n=7")
    assert response.status_code == 422 and "2040" in response.json()["detail"]
    response = api.get(
        "/api/v1/policy/calendar/working-days/between?start=2025-01-02&end=2040-01-02"
    )
    assert response.status_code == 422
    assert api.get("/api/v1/policy/calendar/working-days?start=2025-01-02&n=-1").status_code == 422
    assert api.get("/api/v1/policy/calendar/working-days?start=2025-02-30&n=1").status_code == 422
