"""Excel import: all or nothing, every bad cell reported by row and column, updates by code."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from tests.integration.enterprises.builders import AS_OF
from tests.integration.enterprises.workbooks import good_row, title, workbook

from patientcap.audit.models import AuditEntry
from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import exporting, importing, selectors
from patientcap.enterprises.layout import COLUMNS
from patientcap.enterprises.models import (
    Certification,
    Enterprise,
    FinancialYear,
    Headcount,
    IntellectualProperty,
    Team,
)


def run(user, rows, **kwargs):
    return importing.import_workbook(actor=user, data=workbook(rows, **kwargs), as_of=AS_OF)


def problems(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def test_a_good_file_registers_every_enterprise_with_its_figures(users):
    result = run(users["zone_officer"], [good_row(1), good_row(2, certs=None)])
    assert result.ok, problems(result)
    assert (result.rows, len(result.created), result.updated) == (2, 2, [])
    e = Enterprise.objects.get(uscc=make_uscc(1))
    assert (e.industry_code, e.growth_stage, e.strategic_category) == (
        "I6513",
        "growth",
        "next_gen_it",
    )
    fy = FinancialYear.objects.get(enterprise=e, year=2024)
    assert fy.revenue_fen == 1234567890
    assert fy.main_business_revenue_fen == 1000000000
    assert fy.operating_cash_flow_fen == -25000050
    assert str(fy.top_customer_share) == "0.3500"
    assert Headcount.objects.get(enterprise=e).tech_staff == 40
    assert IntellectualProperty.objects.get(enterprise=e).software_copyrights == 12
    assert str(Team.objects.get(enterprise=e).key_staff_turnover) == "0.0800"
    cert = Certification.objects.get(enterprise=e)
    assert (cert.kind, cert.valid_to) == ("high_tech_enterprise", dt.date(2026, 10, 31))
    entries = AuditEntry.objects.filter(action="enterprise.import")
    assert entries.count() == 2
    assert all(entry.after["file_sha256"] == result.sha256 for entry in entries)


def assert_nothing_written():
    assert not Enterprise.objects.exists()
    assert not AuditEntry.objects.filter(action="enterprise.import").exists()


def test_a_wrong_header_names_the_missing_and_unexpected_columns(users):
    headers = [c.header for c in COLUMNS if c.key not in ("tech_staff", "address")]
    headers.append("Favourite colour")
    result = run(users["zone_officer"], [good_row(1)], headers=headers)
    assert len(result.errors) == 2
    missing, unexpected = (e.message for e in result.errors)
    assert "Missing columns" in missing
    assert "科技人员数 / Tech staff" in missing and "地址 / Address" in missing
    assert "Unexpected columns: Favourite colour" in unexpected
    assert_nothing_written()


def test_headers_may_be_chinese_english_or_keys_in_any_order(users):
    headers = [c.zh if i % 3 == 0 else c.en if i % 3 == 1 else c.key for i, c in enumerate(COLUMNS)]
    result = run(users["zone_officer"], [good_row(1)], headers=headers)
    assert result.ok, problems(result)


def test_a_repeated_column_is_refused(users):
    headers = [c.header for c in COLUMNS] + ["企业名称"]
    result = run(users["zone_officer"], [good_row(1)], headers=headers)
    assert ("企业名称 / Name", "This column appears twice.") in [
        (e.column, e.message) for e in result.errors
    ]


def test_text_in_a_number_column_is_reported_by_row_and_column(users):
    result = run(users["zone_officer"], [good_row(1), good_row(2, staff_total="many")])
    assert problems(result) == [(3, title("staff_total"), "'many' is not a number")]
    assert_nothing_written()


def test_a_negative_headcount_is_refused(users):
    result = run(users["zone_officer"], [good_row(1, rd_staff=-3)])
    assert problems(result) == [(2, title("rd_staff"), "cannot be negative (-3)")]
    assert_nothing_written()


def test_an_impossible_date_typed_as_text_is_refused(users):
    result = run(users["zone_officer"], [good_row(1, registration_date="2023-02-30")])
    assert problems(result) == [
        (2, title("registration_date"), "'2023-02-30' is not a calendar date (no such day)")
    ]


def test_a_registration_date_in_the_future_is_refused(users):
    result = run(users["zone_officer"], [good_row(1, registration_date="2025-07-01")])
    assert problems(result) == [
        (2, title("registration_date"), "the registration date 2025-07-01 is in the future")
    ]


def test_an_invalid_credit_code_is_refused_with_its_reason(users):
    code = make_uscc(1)
    result = run(users["zone_officer"], [good_row(1, uscc=code[:16] + "IO")])
    assert problems(result) == [
        (
            2,
            title("uscc"),
            "character 'I' at position 17 is not "
            "allowed (only digits and capital letters other than I, O, "
            "Z, S, V)",
        )
    ]


def test_a_credit_code_stored_as_a_number_is_refused(users):
    result = run(users["zone_officer"], [good_row(1, uscc=914403001922038216)])
    assert "may have lost digits" in result.errors[0].message


def test_a_code_repeated_in_the_file_is_refused_naming_the_first_row(users):
    result = run(users["zone_officer"], [good_row(1), good_row(2), good_row(1, name="Again")])
    assert problems(result) == [
        (4, title("uscc"), f"{make_uscc(1)} is already in row 2 of this file.")
    ]
    assert_nothing_written()


def test_every_bad_row_is_reported_and_nothing_is_written(users):
    rows = [
        good_row(1, tech_staff=81),  # more tech staff than staff
        good_row(2),
        good_row(3, revenue=0.001, valid=None),  # finer than a fen
        good_row(4, high_tech_enterprise_valid_to="2023-01-01"),  # ends before it starts
        good_row(5, year=None),  # yearly figures without a year
        good_row(6, growth_stage="teenager", industry_code="Q99"),
        good_row(7, main_business_revenue=20000000),  # above revenue
    ]
    result = run(users["zone_officer"], rows)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, title("tech_staff")),
        (4, title("revenue")),
        (5, title("high_tech_enterprise_valid_to")),
        (6, title("year")),
        (7, title("industry_code")),
        (7, title("growth_stage")),
        (8, title("main_business_revenue")),
    ]
    assert_nothing_written()
    assert not FinancialYear.objects.exists()


def test_an_empty_row_is_skipped(users):
    result = run(users["zone_officer"], [good_row(1), {}, good_row(2)])
    assert result.ok and result.rows == 2


def test_a_file_that_is_not_a_workbook_is_refused(users):
    result = importing.import_workbook(actor=users["zone_officer"], data=b"name,uscc\n")
    assert "not an Excel workbook" in result.errors[0].message


@pytest.mark.parametrize("role", ["bank_officer", "auditor", "service_agent", "reviewer"])
def test_users_who_change_nothing_cannot_import(users, role):
    result = run(users[role], [good_row(1)])
    assert not result.ok
    assert_nothing_written()


def test_a_registered_code_updates_that_enterprise(users, firms):
    a = firms["a"]
    result = run(users["zone_officer"], [good_row(1, name="Alpha 2", year=2024, revenue="2000万")])
    assert result.ok, problems(result)
    assert (result.created, result.updated) == ([], [a.pk])
    a.refresh_from_db()
    assert a.name == "Alpha 2"
    assert FinancialYear.objects.get(enterprise=a, year=2024).revenue_fen == 2_000_000_000
    entry = AuditEntry.objects.get(action="enterprise.import")
    assert entry.before["name"] == "Alpha" and entry.after["name"] == "Alpha 2"
    assert entry.before["financial"]["revenue_fen"] == 100_000_00


NOT_YOURS = "is not an enterprise you may change; only the zone officer registers new enterprises."


def test_an_enterprise_user_may_update_its_own_firm_but_not_another(users, firms):
    result = run(users["enterprise_user"], [good_row(1, name="Mine"), good_row(2, name="Theirs")])
    assert problems(result) == [(3, title("uscc"), f"{make_uscc(2)} {NOT_YOURS}")]
    assert Enterprise.objects.get(pk=firms["a"].pk).name == "Alpha"
    result = run(users["enterprise_user"], [good_row(1, name="Mine"), good_row(8)])
    assert (
        3,
        title("uscc"),
        f"{make_uscc(8)} {NOT_YOURS}",
    ) in problems(result)
    result = run(users["enterprise_user"], [good_row(1, name="Mine")])
    assert result.ok and Enterprise.objects.get(pk=firms["a"].pk).name == "Mine"


def export(user) -> bytes:
    out = io.BytesIO()
    exporting.export_workbook(
        user, selectors.enterprises(user, selectors.ListFilters(), today=AS_OF), out
    )
    return out.getvalue()


def registry_state():
    def rows(model, *fields):
        return sorted(model.objects.values_list("enterprise__uscc", *fields))

    return (
        sorted(
            Enterprise.objects.values_list(
                "uscc",
                "name",
                "registration_date",
                "industry_code",
                "strategic_emerging",
                "strategic_category",
                "growth_stage",
                "district",
                "address",
                "legal_representative",
            )
        ),
        rows(
            FinancialYear,
            "year",
            "revenue_fen",
            "main_business_revenue_fen",
            "operating_cash_flow_fen",
            "top_customer_share",
        ),
        rows(Headcount, "year", "total", "tech_staff", "rd_staff"),
        rows(IntellectualProperty, "year", "invention_patents", "software_copyrights"),
        rows(Team, "year", "founders_avg_industry_years", "key_staff_turnover"),
        rows(Certification, "kind", "certificate_number", "valid_from", "valid_to"),
    )


def test_an_export_imports_again_into_an_empty_registry_unchanged(users):
    assert run(users["zone_officer"], [good_row(n) for n in range(1, 6)]).ok
    before = registry_state()
    data = export(users["zone_officer"])
    Enterprise.objects.all().delete()
    result = importing.import_workbook(actor=users["zone_officer"], data=data, as_of=AS_OF)
    assert result.ok, problems(result)
    assert registry_state() == before


def test_reimporting_an_unchanged_export_changes_and_audits_nothing(users, firms):
    data = export(users["zone_officer"])
    entries = AuditEntry.objects.count()
    result = importing.import_workbook(actor=users["zone_officer"], data=data, as_of=AS_OF)
    assert result.ok and len(result.updated) == 3
    assert AuditEntry.objects.count() == entries


def test_an_export_holds_only_the_readers_enterprises_and_masks_personal_data(users, firms):
    book = load_workbook(io.BytesIO(export(users["bank_officer"])), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["Alpha"]
    assert rows[1][9] == "张**"
