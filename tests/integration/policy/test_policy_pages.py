"""The policy pages: parameters in force on a date, one parameter's history, the calendar."""

import textwrap
from datetime import date

import pytest
from django.test import Client

from patientcap.domain.calendar import describe_years
from patientcap.policy import registry
from patientcap.policy.calendar import official_years

PAGES = ["/policy/", "/policy/parameters/invest_first.loss_tolerance/", "/policy/calendar/"]


@pytest.fixture
def test_policy(settings, tmp_path):
    """A policy directory whose history the tests know: a share that changed on 2025-07-01."""
    (tmp_path / "demo.yaml").write_text(
        textwrap.dedent("""\
        parameters:
          demo.share:
            unit: percent
            description: A share that changed.
            values:
              - from: 2024-01-01
                value: 40
                reference: Rule 1, article 2
              - from: 2025-07-01
                value: 50
                reference: Rule 2, article 3
          demo.ceiling:
            unit: yuan
            description: A ceiling.
            values:
              - from: 2030-01-01
                value: 2000万
                reference: Rule 3
    """)
    )
    settings.POLICY_DIR = tmp_path
    return tmp_path


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_every_role_reads_the_policy_pages(client: Client, users, url):
    for user in users.values():
        client.force_login(user)
        assert client.get(url).status_code == 200, (user.role, url)


def test_the_parameters_page_shows_the_seeded_mission_parameters_with_references(client, users):
    client.force_login(users["enterprise_user"])
    page = client.get("/policy/?on=2026-01-01").content.decode()
    for expected in [
        "invest_first.loss_tolerance",
        "100%",
        "matched_credit.max_ratio.angel_fund",
        "¥20,000,000.00",
        "matched_credit.sla.due_diligence_to_disbursement",
        "以科技金融赋能科创企业",
    ]:
        assert expected in page


def test_the_page_shows_the_value_in_force_on_the_chosen_date(client, users, test_policy):
    client.force_login(users["bank_officer"])
    before = client.get("/policy/?on=2025-06-30").content.decode()
    after = client.get("/policy/?on=2025-07-01").content.decode()
    assert "40%" in before and "Rule 1, article 2" in before and "50%" not in before
    assert "50%" in after and "Rule 2, article 3" in after
    assert "demo.ceiling" in after  # listed as not yet in force, with its first date
    assert "2030-01-01" in after


def test_a_date_that_is_not_a_date_is_refused_with_a_message(client, users, test_policy):
    client.force_login(users["bank_officer"])
    response = client.get("/policy/?on=2025-02-30")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_the_history_page_lists_every_value_newest_first(client, users, test_policy):
    client.force_login(users["guarantor_officer"])
    page = client.get("/policy/parameters/demo.share/").content.decode()
    assert page.index("Rule 2, article 3") < page.index("Rule 1, article 2")
    assert "demo.share@2025-07-01#" in page and "A share that changed." in page


def test_an_unknown_parameter_is_not_found(client, users, test_policy):
    client.force_login(users["guarantor_officer"])
    assert client.get("/policy/parameters/demo.nothing/").status_code == 404


def test_the_registry_loads_once_and_reloads_on_request(test_policy):
    first = registry.policy()
    assert registry.policy() is first
    (test_policy / "demo.yaml").write_text(
        (test_policy / "demo.yaml").read_text().replace("value: 50", "value: 55")
    )
    assert registry.policy() is first
    assert registry.reload().value_at("demo.share", date(2026, 1, 1)).display == "55"


def test_the_calendar_page_lists_2024_spring_festival_and_its_make_up_days(client, users):
    client.force_login(users["service_agent"])
    page = client.get("/policy/calendar/?year=2024").content.decode()
    for day in ["2024-02-04", "2024-02-10", "2024-02-17", "2024-02-18"]:
        assert day in page
    assert "Spring Festival" in page
    assert describe_years(official_years()) in page  # the covered years, e.g. 2004–2026


def test_the_calendar_page_says_when_a_year_is_not_covered(client, users):
    client.force_login(users["service_agent"])
    response = client.get("/policy/calendar/?year=2040")
    assert response.status_code == 200
    assert "2040 is not covered" in response.content.decode()
    assert client.get("/policy/calendar/?year=abc").status_code == 400
