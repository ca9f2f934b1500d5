"""The evaluation pages over HTTP: the radar and indicator table, the live what-if, overrides,
objections, the rule-set browser, batch scoring with its workbook, and PSI."""

import io
import statistics
import time

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.integration.evaluation.builders import session

from patientcap.core.models import Job
from patientcap.evaluation import tasks
from patientcap.evaluation.models import BatchRun, Evaluation, Objection, Override

pytestmark = pytest.mark.django_db


def test_the_evaluation_page_shows_radar_table_grade_reasons_and_next_grade(users, evaluations):
    ev = evaluations["a"]
    body = session(users["bank_officer"]).get(reverse("evaluation:detail", args=[ev.pk]))
    assert body.status_code == 200
    text = body.content.decode()
    assert 'id="radar"' in text and "radar-data" in text
    assert "R&amp;D intensity" in text and "financial year 2024" in text
    assert ev.grade in text and "Reproduced exactly" in text
    assert "What would reach the next grade" in text


def test_the_firm_page_defaults_to_its_latest_evaluation(users, evaluations, firms):
    client = session(users["enterprise_user"])
    response = client.get(reverse("evaluation:enterprise", args=[firms["a"].pk]))
    assert response.status_code == 200 and "Object to this evaluation" in response.content.decode()
    other = client.get(reverse("evaluation:enterprise", args=[firms["b"].pk]))
    assert other.status_code == 404


def test_a_bank_without_a_grant_cannot_read_the_evaluation(users, evaluations):
    client = session(users["other_bank_officer"])
    assert client.get(reverse("evaluation:detail", args=[evaluations["a"].pk])).status_code == 404


def test_the_what_if_panel_rescores_live_under_100_ms(users, evaluations):
    ev = evaluations["a"]
    client = session(users["bank_officer"])
    url = reverse("evaluation:what_if", args=[ev.pk])
    response = client.get(url, {"invention_patents": "0", "rd_expense_fen": "0"})
    text = response.content.decode()
    assert response.status_code == 200 and 'id="whatif-total"' in text
    assert f">{ev.total}<" not in text.split('id="whatif-total"')[1][:30]
    for _warm in range(3):  # templates, rule-set parse and query plans are cached after this
        client.get(url, {"invention_patents": "1"})
    timings = []
    for n in range(20):
        start = time.perf_counter()
        client.get(url, {"invention_patents": str(n % 6), "debt_ratio": "55%"})
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.1
    assert Evaluation.objects.count() == 3  # a what-if writes nothing


def test_a_what_if_typo_is_reported_and_the_rest_still_scores(users, evaluations):
    client = session(users["zone_officer"])
    url = reverse("evaluation:what_if", args=[evaluations["a"].pk])
    text = client.get(url, {"revenue_fen": "lots"}).content.decode()
    assert "Give an amount in yuan" in text and 'id="whatif-grade"' in text


def test_an_override_without_a_reason_is_refused_on_the_page(users, evaluations):
    ev = evaluations["a"]
    client = session(users["zone_officer"])
    response = client.post(
        reverse("evaluation:override", args=[ev.pk]), {"grade": "E", "reason": ""}, follow=True
    )
    assert "An override needs a written reason." in response.content.decode()
    assert not Override.objects.exists()


def test_the_enterprise_objects_and_a_reviewer_answers(users, evaluations):
    ev = evaluations["a"]
    firm = session(users["enterprise_user"])
    response = firm.post(
        reverse("evaluation:object", args=[ev.pk]),
        {"reason": "Patents missing", "evidence": "ZL2024 certificates"},
        follow=True,
    )
    assert "answer is due by" in response.content.decode()
    objection = Objection.objects.get()
    listed = session(users["reviewer"]).get(reverse("evaluation:objections")).content.decode()
    assert "Patents missing" in listed
    session(users["reviewer"]).post(
        reverse("evaluation:decide", args=[objection.pk]),
        {"outcome": "rejected", "decision": "The patents were granted after the year end."},
    )
    objection.refresh_from_db()
    assert objection.status == "rejected"


def test_the_rule_set_browser_shows_every_version_with_bands(users):
    text = session(users["auditor"]).get(reverse("evaluation:rulesets")).content.decode()
    assert "tech-credit-card" in text and "tech-sme-evaluation" in text
    assert "R&amp;D cash-flow tolerance" in text and "≥6%" in text


def test_batch_scoring_runs_as_a_job_and_offers_a_workbook(
    users, firms, django_capture_on_commit_callbacks
):
    client = session(users["zone_officer"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("evaluation:batches"), {"ruleset": "tech-credit-card"})
    job = Job.objects.get(kind=tasks.KIND)
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    tasks.score_registry_task.call(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.total == 3
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "Download the results" in page
    run = BatchRun.objects.get()
    download = client.get(reverse("evaluation:batch_download", args=[run.pk]))
    book = load_workbook(io.BytesIO(download.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[0][5] == "Total"


def test_only_zone_staff_start_a_batch(users):
    response = session(users["bank_officer"]).post(
        reverse("evaluation:batches"), {"ruleset": "tech-credit-card"}
    )
    assert response.status_code == 403 and not Job.objects.exists()


def test_the_stability_page_reads_psi(users, evaluations):
    text = (
        session(users["reviewer"])
        .get(reverse("evaluation:stability"), {"ruleset": "tech-credit-card", "year": "2025"})
        .content.decode()
    )
    assert 'id="psi"' in text and "one of the two years has no scores" in text


def test_every_rule_set_renders_its_page_and_what_if(users, firms):
    from tests.integration.evaluation.builders import AS_OF

    from patientcap.evaluation import rulesets, services

    client = session(users["reviewer"])
    for rid in rulesets.ids():
        ev = services.evaluate_enterprise(
            actor=users["zone_officer"], enterprise_id=firms["a"].pk, ruleset_id=rid, as_of=AS_OF
        )
        page = client.get(reverse("evaluation:detail", args=[ev.pk]))
        assert page.status_code == 200, rid
        assert "Reproduced exactly" in page.content.decode(), rid
        assert client.get(reverse("evaluation:what_if", args=[ev.pk])).status_code == 200
    browser = client.get(reverse("evaluation:rulesets")).content.decode()
    assert all(rid in browser for rid in rulesets.ids())


def test_the_expert_rescores_with_points_inside_a_range_band(users, evaluations, firms):
    client = session(users["reviewer"])
    page = client.get(reverse("evaluation:detail", args=[evaluations["a"].pk])).content.decode()
    assert 'name="points_founder_experience"' in page
    response = client.post(
        reverse("evaluation:score", args=[firms["a"].pk]),
        {"ruleset": "tech-credit-card", "points_founder_experience": "8", "pick_reason": "CV"},
    )
    ev = Evaluation.objects.latest("pk")
    assert response["Location"] == reverse("evaluation:detail", args=[ev.pk])
    assert ev.picks["founder_experience"] == {"points": "8", "picker": "reviewer", "reason": "CV"}
    refused = client.post(
        reverse("evaluation:score", args=[firms["a"].pk]),
        {"ruleset": "tech-credit-card", "points_founder_experience": "many", "pick_reason": "x"},
        follow=True,
    )
    assert "must be a number" in refused.content.decode()
    assert Evaluation.objects.count() == 4


def test_the_home_page_shows_objections_to_zone_staff_and_the_grade_to_the_firm(users, evaluations):
    from tests.integration.evaluation.builders import AS_OF

    from patientcap.evaluation import services

    services.raise_objection(
        actor=users["enterprise_user"],
        evaluation_id=evaluations["a"].pk,
        reason="x",
        evidence="y",
        received_on=AS_OF,  # long past its 20-day answer date
    )
    zone = session(users["reviewer"]).get(reverse("home")).content.decode()
    assert "Open objections to evaluations" in zone
    assert "Objections past their 20-day answer date" in zone
    firm = session(users["enterprise_user"]).get(reverse("home")).content.decode()
    assert "Your tech credit card grade" in firm and "Open objections" not in firm
