"""API v1 for evaluation: score a firm, read evaluations, batches and rule sets, scoped."""

import pytest
from tests.integration.evaluation.builders import session

from patientcap.core.models import Job
from patientcap.evaluation import tasks
from patientcap.evaluation.models import BatchRun, Evaluation

pytestmark = pytest.mark.django_db
BASE = "/api/v1/evaluation"


def test_zone_staff_score_a_firm_and_read_it_back(users, firms):
    client = session(users["reviewer"])
    response = client.post(
        f"{BASE}/enterprises/{firms['a'].pk}/score",
        {"ruleset": "tech-credit-card"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["ruleset_version"] == "1" and body["reproduced"] is True
    assert isinstance(body["credit_line_fen"], int) and "." in body["total"]
    assert body["inputs"]["revenue_fen"] == "10000000000"
    assert len(body["reasons"]) <= 4
    again = client.get(f"{BASE}/evaluations/{body['id']}").json()
    assert again["indicators"] == body["indicators"]


def test_an_unknown_rule_set_is_refused_and_nothing_is_written(users, firms):
    response = session(users["zone_officer"]).post(
        f"{BASE}/enterprises/{firms['a'].pk}/score",
        {"ruleset": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "Unknown rule set" in response.json()["detail"]
    assert not Evaluation.objects.exists()


def test_a_bank_reads_only_the_evaluations_of_firms_that_granted_it_access(
    users, evaluations, firms
):
    bank = session(users["bank_officer"])
    assert len(bank.get(f"{BASE}/enterprises/{firms['a'].pk}/evaluations").json()) == 2
    assert bank.get(f"{BASE}/enterprises/{firms['b'].pk}/evaluations").status_code == 404
    assert bank.get(f"{BASE}/evaluations/{evaluations['b'].pk}").status_code == 404
    refused = bank.post(
        f"{BASE}/enterprises/{firms['a'].pk}/score",
        {"ruleset": "tech-credit-card"},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_an_enterprise_user_reads_its_own_evaluations(users, evaluations, firms):
    own = session(users["enterprise_user"])
    listed = own.get(f"{BASE}/enterprises/{firms['a'].pk}/evaluations?ruleset=tech-sme-evaluation")
    assert [e["ruleset_id"] for e in listed.json()] == ["tech-sme-evaluation"]
    other = session(users["other_enterprise_user"])
    assert other.get(f"{BASE}/evaluations/{evaluations['a'].pk}").status_code == 404


def test_a_batch_is_started_as_a_job_and_its_results_read(
    users, firms, django_capture_on_commit_callbacks
):
    client = session(users["zone_officer"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            f"{BASE}/batches", {"ruleset": "tech-sme-evaluation"}, content_type="application/json"
        )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job_id"])
    tasks.score_registry_task.call(job.pk)
    job.refresh_from_db()
    batch_id = job.result["batch_id"]
    body = client.get(f"{BASE}/batches/{batch_id}").json()
    assert body["scored"] == 3 and len(body["results"]) == 3
    assert session(users["bank_officer"]).get(f"{BASE}/batches/{batch_id}").status_code == 404
    assert BatchRun.objects.get().engine == "in-process"


def test_only_zone_staff_start_a_batch_by_api(users):
    response = session(users["enterprise_user"]).post(
        f"{BASE}/batches", {"ruleset": "tech-credit-card"}, content_type="application/json"
    )
    assert response.status_code == 403 and not Job.objects.exists()


def test_every_rule_set_version_is_listed(users):
    body = session(users["other_guarantor_officer"]).get(f"{BASE}/rulesets").json()
    ids = {(r["id"], r["version"]) for r in body}
    assert ("tech-credit-card", "1") in ids and ("tech-sme-evaluation", "2022") in ids
    card = next(r for r in body if r["id"] == "tech-credit-card")
    assert card["grades"][0] == {"grade": "A", "min": "85", "credit_line_fen": 500000000}


def test_an_expert_picks_points_inside_a_range_band_and_is_recorded(users, firms):
    client = session(users["reviewer"])
    url = f"{BASE}/enterprises/{firms['a'].pk}/score"
    picked = client.post(
        url,
        {
            "ruleset": "tech-credit-card",
            "picks": {"founder_experience": "8"},
            "pick_reason": "CV checked",
        },
        content_type="application/json",
    ).json()
    row = next(i for i in picked["indicators"] if i["key"] == "founder_experience")
    assert row["points"] == "8" and row["picker"] == "reviewer"
    assert picked["picks"]["founder_experience"]["reason"] == "CV checked"
    assert picked["reproduced"] is True
    outside = client.post(
        url,
        {"ruleset": "tech-credit-card", "picks": {"founder_experience": "5"}},
        content_type="application/json",
    )
    assert outside.status_code == 422 and "outside the band" in outside.json()["detail"]
    assert Evaluation.objects.count() == 1
