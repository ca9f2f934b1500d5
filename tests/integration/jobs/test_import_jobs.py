"""The Excel import as a background job: the page and the API store the upload and enqueue it
after commit; the real worker (`db_worker --batch`) imports it and records the outcome on the
job, which only its owner (and zone colleagues, and auditors) may read."""

import pytest
from django.db import connections, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from tests.integration.enterprises.workbooks import good_row, workbook
from tests.integration.jobs.clients import client_for, token_client, xlsx
from tests.integration.jobs.worker import run_worker

from patientcap.core import jobs
from patientcap.core.models import Job, JobStatus
from patientcap.enterprises import importing, tasks
from patientcap.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}


def upload(client, data: bytes, name: str = "enterprises.xlsx"):
    return client.post(reverse("enterprises:import"), {"file": xlsx(data, name)})


def started_job(response) -> Job:
    assert response.status_code == 302, response.content
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk])
    return job


def test_an_upload_waits_for_the_worker_which_imports_it_and_records_the_counts(users):
    client = client_for(users["zone_officer"])
    job = started_job(upload(client, workbook([good_row(1), good_row(2), good_row(3)])))

    assert job.status == JobStatus.QUEUED and job.owner == users["zone_officer"]
    assert bytes(job.input).startswith(b"PK")  # the upload itself travels in the job row
    assert not Enterprise.objects.exists()
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}  # the id only, never the data
    assert job.task_id == str(queued.id)
    assert "Waiting for a worker" in client.get(reverse("job", args=[job.pk])).content.decode()

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total) == (3, 3)
    assert job.result["created"] == 3 and job.result["updated"] == 0 and job.result["rows"] == 3
    assert job.message == "Imported 3 rows: 3 enterprises registered, 0 updated."
    assert job.input is None and job.started_at and job.finished_at
    assert Enterprise.objects.count() == 3
    body = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "Imported 3 rows: 3 enterprises registered, 0 updated." in body
    assert reverse("enterprises:list") in body


def test_a_bad_file_fails_with_every_problem_and_imports_nothing(users):
    client = client_for(users["zone_officer"])
    bad = workbook([good_row(1), good_row(2, staff_total="many"), good_row(3, rd_staff=-1)])
    job = started_job(upload(client, bad))

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "2 problems; nothing was imported."
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (3, "职工总数 / Total staff"),
        (4, "研发人员数 / R&D staff"),
    ]
    assert not Enterprise.objects.exists()
    body = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "2 problems; nothing was imported." in body
    assert "职工总数 / Total staff" in body and "&#x27;many&#x27; is not a number" in body


def test_a_file_that_is_not_a_workbook_fails_with_its_reason(users):
    job = started_job(upload(client_for(users["zone_officer"]), b"name,uscc\n", "list.csv"))
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.result["errors"][0]["message"].startswith("This is not an Excel workbook")


def test_the_job_speaks_the_language_of_the_upload(users):
    client = client_for(users["zone_officer"], language="zh-hans")
    job = started_job(upload(client, workbook([good_row(1, staff_total="many")])))
    assert job.language == "zh-hans"
    run_worker()
    job.refresh_from_db()
    assert job.result["errors"][0]["message"] == "'many' 不是数字"


def test_another_users_job_is_not_found_but_zone_colleagues_and_auditors_follow_it(users):
    job = started_job(upload(client_for(users["enterprise_user"]), workbook([good_row(1)])))
    page = reverse("job", args=[job.pk])
    api = f"/api/v1/jobs/{job.pk}"
    for role in ("other_enterprise_user", "bank_officer", "zone_officer", "service_agent"):
        assert client_for(users[role]).get(page).status_code == 404, role
        assert token_client(users[role]).get(api).status_code == 404, role
    for role in ("enterprise_user", "auditor"):
        assert client_for(users[role]).get(page).status_code == 200, role
        assert token_client(users[role]).get(api).status_code == 200, role

    mine = started_job_of(users["zone_officer"])
    assert client_for(users["reviewer"]).get(reverse("job", args=[mine.pk])).status_code == 200
    assert client_for(users["enterprise_user"]).get(reverse("job", args=[mine.pk])).status_code == (
        404
    )


def started_job_of(user) -> Job:
    upload(client_for(user), workbook([good_row(9)]))
    return Job.objects.filter(owner=user).get()


def test_only_importers_may_start_an_import(users):
    data = workbook([good_row(1)])
    for role in ("bank_officer", "guarantor_officer", "service_agent", "auditor", "reviewer"):
        assert upload(client_for(users[role]), data).status_code == 403, role
        response = token_client(users[role]).post(
            "/api/v1/enterprises/import", {"file": xlsx(data)}
        )
        assert response.status_code == 403, role
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_progress_moves_up_to_the_total_and_each_step_is_visible_at_once(users, monkeypatch):
    """Every progress write is committed when made: a second connection (a polling request)
    reads it while the job is still running, on SQLite as on PostgreSQL."""
    seen: list[tuple[int, int | None, str]] = []
    record = jobs.record_progress

    def spy(job_id: int, done: int, total: int | None) -> None:
        assert not transaction.get_connection().in_atomic_block
        record(job_id, done, total)
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT done, total, status FROM core_job WHERE id = %s", [job_id])
                seen.append(cursor.fetchone())
        finally:
            other.close()

    monkeypatch.setattr(jobs, "record_progress", spy)
    rows = [good_row(n) for n in range(1, 1201)]
    job = started_job(upload(client_for(users["zone_officer"]), workbook(rows)))

    run_worker()

    assert seen == [(500, 1200, "running"), (1000, 1200, "running")]
    job.refresh_from_db()
    assert (job.done, job.total, job.status) == (1200, 1200, JobStatus.SUCCEEDED)
    assert Enterprise.objects.count() == 1200


def test_progress_is_written_at_most_every_two_percent(users, monkeypatch):
    writes: list[int] = []
    monkeypatch.setattr(jobs, "record_progress", lambda job_id, done, total: writes.append(done))
    progress = jobs.Progress(job_id=0)
    for done in range(0, 100_001, 500):
        progress(done, 100_000)
    assert writes == list(range(0, 100_001, 2000))


def test_the_page_polls_every_second_until_the_job_has_ended(users):
    client = client_for(users["zone_officer"])
    job = started_job(upload(client, workbook([good_row(1)])))
    page = reverse("job", args=[job.pk])

    waiting = client.get(page, **HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "<progress" in waiting
    assert "<html" not in waiting  # the fragment only
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=400, total=1000)
    running = client.get(page, **HTMX).content.decode()
    assert 'value="400" max="1000"' in running and "400 of 1,000 (40%)" in running

    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, done=0, total=None)
    run_worker()
    ended = client.get(page, **HTMX).content.decode()
    assert "hx-trigger" not in ended and "Imported 1 rows" in ended


def test_the_api_answers_202_with_the_job_to_poll(users):
    client = token_client(users["zone_officer"])
    response = client.post(
        "/api/v1/enterprises/import", {"file": xlsx(workbook([good_row(1), good_row(2)]))}
    )
    assert response.status_code == 202
    body = response.json()
    assert body["url"] == f"/api/v1/jobs/{body['job_id']}"
    assert client.get(body["url"]).json()["status"] == "queued"

    run_worker()

    job = client.get(body["url"]).json()
    assert job["status"] == "succeeded" and (job["done"], job["total"]) == (2, 2)
    assert job["result"]["created"] == 2 and job["result"]["errors"] == []
    assert Enterprise.objects.count() == 2


def test_a_refused_api_import_lists_every_problem_on_the_job(users):
    client = token_client(users["zone_officer"])
    data = workbook([good_row(1, tech_staff="x"), good_row(2, rd_staff=-2)])
    url = client.post("/api/v1/enterprises/import", {"file": xlsx(data)}).json()["url"]
    run_worker()
    job = client.get(url).json()
    assert job["status"] == "failed"
    assert [(e["row"], e["column"]) for e in job["result"]["errors"]] == [
        (2, "科技人员数 / Tech staff"),
        (3, "研发人员数 / R&D staff"),
    ]
    assert not Enterprise.objects.exists()


def test_a_job_started_in_a_transaction_that_rolls_back_is_never_run(users):
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.start_import(actor=users["zone_officer"], data=workbook([good_row(1)]), file_name="x")
        raise RuntimeError
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_a_job_runs_once_even_if_its_task_is_delivered_twice(users):
    job = started_job(upload(client_for(users["zone_officer"]), workbook([good_row(1)])))
    tasks.import_enterprises.enqueue(job.pk)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and Enterprise.objects.count() == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


def test_a_crash_fails_the_job_and_imports_nothing(users, monkeypatch):
    def crash(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(importing, "import_workbook", crash)
    job = started_job(upload(client_for(users["zone_officer"]), workbook([good_row(1)])))
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("The job stopped on an unexpected error.")
    assert DBTaskResult.objects.get().status == "FAILED"  # with the traceback, for the operator
    assert not Enterprise.objects.exists()
    body = client_for(users["zone_officer"]).get(reverse("job", args=[job.pk])).content.decode()
    assert "Nothing was imported." in body
