"""In a real browser, against gunicorn and the real worker process: an uploaded workbook waits
for the worker, then the job page's progress bar moves up to the end (htmx polls it every
second) and the result is shown; a bad file shows every problem and imports nothing."""

import pytest
from tests.e2e.browser.conftest import log_in
from tests.e2e.jobs.platform import IMPORTER, platform_fixture, start_worker_fixture  # noqa: F401
from tests.integration.enterprises.workbooks import good_row, workbook
from tests.support import PASSWORD

pytestmark = pytest.mark.browser

ROWS = 5000  # a few seconds of work: the page polls several times while it runs

# Every progress value the page shows, as htmx swaps the job's fragment in.
WATCH = """() => {
  window.seen = [];
  const note = () => {
    const bar = document.querySelector('#job progress[value]');
    if (bar) window.seen.push([Number(bar.value), Number(bar.max)]);
  };
  new MutationObserver(note).observe(document.body, {childList: true, subtree: true});
}"""


def upload(page, platform, path) -> None:
    page.goto(f"{platform.url}/enterprises/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/jobs/*/")


def test_an_import_shows_its_progress_until_the_enterprises_are_registered(
    platform, start_worker, page, tmp_path
):
    path = tmp_path / "enterprises.xlsx"
    path.write_bytes(workbook([good_row(n) for n in range(1, ROWS + 1)]))
    log_in(page, platform, IMPORTER, PASSWORD)

    upload(page, platform, path)
    page.wait_for_selector("#job[data-status=queued]")  # nothing runs it yet
    page.evaluate(WATCH)
    start_worker()
    page.wait_for_selector("#job[data-status=succeeded]", timeout=90_000)

    seen = page.evaluate("window.seen")
    assert seen[-1] == [ROWS, ROWS]  # the bar has reached the end
    assert any(0 < done < ROWS for done, _total in seen), seen  # and was seen on its way
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    assert f"{ROWS}" in page.inner_text("#job [role=status]")
    page.click("#job a[href='/enterprises/']")
    page.fill("input[name=q]", "重庆导入4999科技")
    page.wait_for_selector("text=重庆导入4999科技有限公司")


def test_a_bad_file_shows_every_problem_and_imports_nothing(platform, start_worker, page, tmp_path):
    path = tmp_path / "bad.xlsx"
    rows = [good_row(9001), good_row(9002, staff_total="many"), good_row(9003)]
    path.write_bytes(workbook(rows))
    log_in(page, platform, IMPORTER, PASSWORD)
    start_worker()

    upload(page, platform, path)
    page.wait_for_selector("#job[data-status=failed]", timeout=30_000)

    assert page.locator("#job [role=alert] tbody tr").count() == 1
    problem = page.inner_text("#job [role=alert] tbody tr")
    assert "3" in problem and "职工总数 / Total staff" in problem and "'many'" in problem
    page.goto(f"{platform.url}/enterprises/?q=重庆导入9001")
    assert page.locator("tbody tr td a").count() == 0
