"""The platform through a real browser: each demo role logs in and works, on a wide screen and a
phone, in Chinese by default and in English on request."""

import datetime as dt
import io

import openpyxl
import pytest
from playwright.sync_api import expect
from tests.e2e.browser.conftest import log_in, wide_page
from tests.integration.jobs.worker import run_worker
from tests.support import make_user

from patientcap.accounts import scoping
from patientcap.accounts.models import Role, User
from patientcap.core import demo
from patientcap.core.clock import today
from patientcap.domain.money import format_yuan
from patientcap.enterprises.exporting import export_workbook
from patientcap.enterprises.models import Enterprise
from patientcap.ledger.selectors import balance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_zone(settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the platform's own default, not the tests' English
    demo.build(enterprises=60, seed=7, as_of=dt.date(2026, 11, 2))


HOME_HEADINGS = [
    ("zone", "园区概览"),
    ("admin", "园区概览"),
    ("reviewer", "园区概览"),
    ("bank", "授权的企业"),
    ("guarantor", "授权的企业"),
    ("agent", "陪跑"),
    ("firm", "我的企业"),
    ("auditor", "审计概览"),
]


def test_every_demo_role_logs_in_and_sees_its_own_home_page_in_chinese(
    demo_zone, live_server, browser
):
    # One demo for every role (each build is the slow part), each role in its own context.
    for username, heading in HOME_HEADINGS:
        with wide_page(browser) as page:
            log_in(page, live_server, username, demo.DEMO_PASSWORD)
            assert heading in page.locator("h1").inner_text(), username
            assert page.locator("html").get_attribute("lang") == "zh-hans", username


def test_a_wrong_password_keeps_the_person_on_the_login_page(live_server, page):
    make_user("zone", Role.ZONE_OFFICER, None)
    log_in(page, live_server, "zone", "not-the-password")
    assert "/accounts/login/" in page.url
    assert page.locator("[role=alert]").is_visible()


def test_the_zone_officer_finds_an_enterprise_and_edits_it(demo_zone, live_server, page):
    firm = Enterprise.objects.order_by("pk")[3]
    log_in(page, live_server, "zone", demo.DEMO_PASSWORD)
    page.click("nav >> text=企业库")
    page.fill("input[name=q]", firm.uscc)
    expect(page.locator("tbody tr")).to_have_count(1)  # htmx re-renders as one types
    page.click(f"text={firm.name}")
    page.click("text=编辑")
    page.fill("input[name=address]", "云溪科学城创新大道8号")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=云溪科学城创新大道8号")
    firm.refresh_from_db()
    assert firm.address == "云溪科学城创新大道8号"


def test_an_excel_import_updates_the_registry_and_a_bad_file_changes_nothing(
    demo_zone, live_server, page, tmp_path
):
    zone = User.objects.get(username="zone")
    firm = Enterprise.objects.order_by("pk")[5]
    buffer = io.BytesIO()
    export_workbook(zone, scoping.readable(zone, Enterprise).filter(pk=firm.pk), buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book.worksheets[0]
    name_column = next(c.column for c in sheet[1] if "企业名称" in str(c.value))
    sheet.cell(row=2, column=name_column, value="云溪量子传感科技有限公司")
    good = tmp_path / "good.xlsx"
    book.save(good)
    sheet.cell(row=1, column=name_column, value="公司名")  # a header the template does not have
    bad = tmp_path / "bad.xlsx"
    book.save(bad)

    log_in(page, live_server, "zone", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/enterprises/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('导入')")
    import_in_background(page)
    assert page.locator("#job [role=alert]").is_visible()
    assert not Enterprise.objects.filter(name="云溪量子传感科技有限公司").exists()

    page.goto(f"{live_server.url}/enterprises/import/")
    page.set_input_files("input[type=file]", str(good))
    page.click("button:has-text('导入')")
    import_in_background(page)
    page.click("#job a[href='/enterprises/']")
    page.wait_for_url("**/enterprises/")
    firm.refresh_from_db()
    assert firm.name == "云溪量子传感科技有限公司"


def import_in_background(page) -> None:
    """The upload leads to the import's job page; the job worker runs here, in the test's thread
    (tests/e2e/jobs/ runs it as its own process). The page is left meanwhile: on SQLite the live
    server shares this thread's in-memory database connection, which must not be used by both
    at once, and the job page polls."""
    page.wait_for_url("**/jobs/*/")
    job = page.url
    page.goto("about:blank")
    run_worker()
    page.goto(job)


def test_the_reviewer_approves_the_zone_officers_pool_contribution(demo_zone, live_server, page):
    cash = balance("fiscal_pool.cash", today())
    log_in(page, live_server, "reviewer", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/approvals/?tab=waiting")
    page.click("tbody a:has-text('注资 ¥8,000,000.00')")
    page.fill("textarea[name=comment]", "已核对拨款文件，同意入账。")
    page.click("button:has-text('批准')")
    page.wait_for_selector("text=已批准")
    page.goto(f"{live_server.url}/ledger/")
    assert format_yuan(cash + 8_000_000_00) in page.content()


def test_a_bank_officer_cannot_open_the_ledger_or_another_banks_firm(demo_zone, live_server, page):
    hidden = Enterprise.objects.exclude(access_grants__organisation__users__username="bank").first()
    log_in(page, live_server, "bank", demo.DEMO_PASSWORD)
    assert page.goto(f"{live_server.url}/ledger/").status in (403, 404)
    assert page.goto(f"{live_server.url}/enterprises/{hidden.pk}/").status == 404


def test_the_interface_switches_to_english(demo_zone, live_server, page):
    log_in(page, live_server, "zone", demo.DEMO_PASSWORD)
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("h1:has-text('Zone overview')")
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_enterprise_list_works_on_a_phone(demo_zone, live_server, phone):
    log_in(phone, live_server, "zone", demo.DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/enterprises/")
    assert phone.locator("tbody tr").count() > 0
    # Nothing but the table itself may be wider than the screen.
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
