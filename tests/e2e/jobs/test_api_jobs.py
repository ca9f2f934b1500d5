"""API v1 over HTTP against gunicorn, with the worker as its own process (`patientcap
db_worker`), as in production: an upload answers 202 at once, the job waits until a worker
runs, and the client polls `GET /api/v1/jobs/{id}` until it has ended."""

import json
import subprocess
import time
import urllib.request
import uuid
from typing import Any
from urllib.parse import quote

from tests.e2e.jobs.platform import BIN, Platform, platform_fixture, start_worker_fixture  # noqa: F401
from tests.integration.enterprises.workbooks import good_row, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def call(platform: Platform, method: str, path: str, body: bytes = b"", **headers: str) -> Any:
    request = urllib.request.Request(
        f"{platform.url}{path}",
        data=body or None,
        method=method,
        headers={"Authorization": f"Bearer {platform.token}", **headers},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def post_workbook(platform: Platform, data: bytes) -> tuple[int, dict[str, Any]]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="api.xlsx"\r\n'
            f"Content-Type: {XLSX}\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return call(
        platform,
        "POST",
        "/api/v1/enterprises/import",
        body,
        **{"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


def poll(platform: Platform, url: str, timeout: float = 60) -> list[dict[str, Any]]:
    """Every answer until the job has ended, polling as a client would."""
    answers: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answers.append(call(platform, "GET", url)[1])
        if answers[-1]["status"] in ("succeeded", "failed"):
            return answers
        time.sleep(0.1)
    raise AssertionError(f"the job did not end within {timeout} s: {answers[-1]}")


def test_an_upload_answers_202_at_once_and_the_worker_process_imports_it(platform, start_worker):
    status, started = post_workbook(platform, workbook([good_row(n) for n in range(1, 3001)]))
    assert status == 202 and started["url"] == f"/api/v1/jobs/{started['job_id']}"
    time.sleep(0.5)
    assert call(platform, "GET", started["url"])[1]["status"] == "queued"  # no worker yet

    start_worker()
    answers = poll(platform, started["url"])

    job = answers[-1]
    assert job["status"] == "succeeded", job
    assert (job["done"], job["total"]) == (3000, 3000)
    assert job["result"]["created"] == 3000 and job["result"]["errors"] == []
    running = [(a["done"], a["total"]) for a in answers if a["status"] == "running"]
    assert [done for done, _ in running] == sorted(done for done, _ in running)
    assert any(0 < done < 3000 for done, _ in running), running  # the client saw it move
    _, listed = call(platform, "GET", "/api/v1/enterprises/?q=" + quote("重庆导入2999科技"))
    assert listed["count"] == 1


def test_a_batch_worker_runs_the_jobs_that_waited_for_it_and_exits(platform):
    urls = [
        post_workbook(platform, workbook([good_row(5001)]))[1]["url"],
        post_workbook(platform, workbook([good_row(5002, rd_staff=-1)]))[1]["url"],
    ]
    worker = subprocess.run(
        [str(BIN / "patientcap"), "db_worker", "--batch", "--no-startup-delay"],
        env=platform.env,
        capture_output=True,
        timeout=60,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    good, bad = (call(platform, "GET", url)[1] for url in urls)
    assert good["status"] == "succeeded" and good["result"]["created"] == 1
    assert bad["status"] == "failed" and bad["result"]["created"] == 0
    assert [(e["row"], e["column"]) for e in bad["result"]["errors"]] == [
        (2, "研发人员数 / R&D staff")
    ]
