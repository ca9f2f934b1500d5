"""Registry pages over HTTP, as each kind of user."""

import io
import random

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from tests.integration.enterprises.builders import AS_OF
from tests.integration.enterprises.workbooks import good_row, workbook
from tests.integration.jobs.worker import run_worker

from patientcap.domain.uscc import make_uscc
from patientcap.enterprises.demo import generate_demo_enterprises
from patientcap.enterprises.layout import COLUMNS
from patientcap.enterprises.models import Enterprise, EnterpriseAccessGrant, Headcount

LIST = reverse("enterprises:list")


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_list_asks_anonymous_visitors_to_log_in(db):
    response = Client().get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_zone_staff_see_every_enterprise_and_banks_only_those_shared_with_them(users, firms):
    body = client_for(users["reviewer"]).get(LIST).content.decode()
    assert all(name in body for name in ("Alpha", "Beta", "Gamma"))
    body = client_for(users["bank_officer"]).get(LIST).content.decode()
    assert "Alpha" in body and "Beta" not in body and "Gamma" not in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "alp"}, {"Alpha"}),
        ({"q": make_uscc(2)[:16].lower()}, {"Beta"}),
        ({"stage": "startup"}, {"Alpha", "Beta", "Gamma"}),
        ({"stage": "mature"}, set()),
        ({"cert": "tech_sme"}, {"Alpha", "Beta", "Gamma"}),
        ({"cert": "little_giant"}, set()),
        ({"division": "65"}, {"Alpha", "Beta", "Gamma"}),
        ({"division": "27"}, set()),
        ({"strategic": "0"}, set()),
    ],
)
def test_the_list_searches_and_filters(users, firms, params, expected):
    page = client_for(users["zone_officer"]).get(LIST, params).context["page"]
    assert {e.name for e in page.object_list} == expected


def test_the_list_pages_by_fifty_with_a_bounded_number_of_queries(
    users, django_assert_max_num_queries
):
    generate_demo_enterprises(120, random.Random(1), as_of=AS_OF)
    client = client_for(users["zone_officer"])
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"page": 3, "sort": "-registered"})
    page = response.context["page"]
    assert (page.paginator.count, page.paginator.num_pages, len(page.object_list)) == (120, 3, 20)


def test_an_htmx_request_gets_only_the_results(users, firms):
    response = client_for(users["zone_officer"]).get(LIST, {"q": "Beta"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Beta" in body and "<html" not in body


def test_another_firms_detail_is_not_found(users, firms):
    client = client_for(users["other_bank_officer"])
    assert client.get(reverse("enterprises:detail", args=[firms["a"].pk])).status_code == 404
    assert client.get(reverse("enterprises:detail", args=[firms["b"].pk])).status_code == 200


def test_the_legal_representative_is_masked_for_a_bank_but_not_for_the_firm(users, firms):
    url = reverse("enterprises:detail", args=[firms["a"].pk])
    assert "张**" in client_for(users["bank_officer"]).get(url).content.decode()
    body = client_for(users["enterprise_user"]).get(url).content.decode()
    assert "张三丰" in body and "Manage sharing" in body


def test_the_zone_officer_registers_an_enterprise(users):
    client = client_for(users["zone_officer"])
    response = client.post(
        reverse("enterprises:create"),
        {
            "uscc": make_uscc(50),
            "name": "Delta",
            "registration_date": "2021-01-05",
            "industry_code": "c39",
            "growth_stage": "seed",
        },
    )
    delta = Enterprise.objects.get(name="Delta")
    assert response.status_code == 302 and delta.industry_code == "C39"


def test_a_bad_credit_code_is_shown_on_the_form_with_its_reason(users):
    code = make_uscc(50)
    response = client_for(users["zone_officer"]).post(
        reverse("enterprises:create"),
        {
            "uscc": code[:17] + ("1" if code[17] != "1" else "2"),
            "name": "Delta",
            "registration_date": "2021-01-05",
            "industry_code": "I65",
            "growth_stage": "seed",
        },
    )
    assert response.status_code == 200
    assert f"wrong check character at position 18: expected {code[17]}" in (
        response.content.decode()
    )
    assert not Enterprise.objects.exists()


def test_an_enterprise_user_cannot_open_the_registration_page(users):
    assert (
        client_for(users["enterprise_user"]).get(reverse("enterprises:create")).status_code == 403
    )


def test_an_enterprise_user_edits_its_own_profile_but_not_another(users, firms):
    client = client_for(users["enterprise_user"])
    a, b = firms["a"], firms["b"]
    data = {
        "uscc": a.uscc,
        "name": "Alpha Tech",
        "registration_date": "2020-05-01",
        "industry_code": "I65",
        "growth_stage": "growth",
        "strategic_emerging": "on",
        "strategic_category": "next_gen_it",
    }
    assert client.post(reverse("enterprises:edit", args=[a.pk]), data).status_code == 302
    a.refresh_from_db()
    assert (a.name, a.growth_stage) == ("Alpha Tech", "growth")
    assert client.post(reverse("enterprises:edit", args=[b.pk]), data).status_code == 404


def test_a_bank_cannot_open_the_edit_page_of_a_firm_it_sees(users, firms):
    url = reverse("enterprises:edit", args=[firms["a"].pk])
    assert client_for(users["bank_officer"]).get(url).status_code == 403


def test_yearly_figures_are_refused_with_field_errors_and_saved_when_right(users, firms):
    client = client_for(users["enterprise_user"])
    url = reverse("enterprises:year_new", args=[firms["a"].pk])
    response = client.post(
        url,
        {"year": 2023, "total": 10, "tech_staff": 12, "rd_staff": 1, "revenue_fen": "1,000,000.00"},
    )
    assert response.status_code == 200
    assert "12 cannot exceed the total staff (10)" in response.content.decode()
    assert not Headcount.objects.exists()
    response = client.post(
        url,
        {
            "year": 2023,
            "total": 12,
            "tech_staff": 12,
            "rd_staff": 1,
            "revenue_fen": "100万",
            "top_customer_share": "40%",
        },
    )
    assert response.status_code == 302
    assert Headcount.objects.get(enterprise=firms["a"], year=2023).tech_staff == 12
    edit = client.get(reverse("enterprises:year_edit", args=[firms["a"].pk, 2023]))
    assert 'value="1000000.00"' in edit.content.decode()


def test_adding_a_year_that_exists_is_refused_rather_than_replacing_it(users, firms):
    response = client_for(users["enterprise_user"]).post(
        reverse("enterprises:year_new", args=[firms["a"].pk]), {"year": 2024, "total": 3}
    )
    assert "Figures for this year exist already" in response.content.decode()
    assert not Headcount.objects.exists()


def test_a_certification_is_added_from_its_page(users, firms):
    client = client_for(users["zone_officer"])
    response = client.post(
        reverse("enterprises:certification_new", args=[firms["c"].pk]),
        {
            "kind": "little_giant",
            "certificate_number": "LG-1",
            "valid_from": "2024-01-01",
            "valid_to": "2026-12-31",
        },
    )
    assert response.status_code == 302
    assert firms["c"].certifications.filter(kind="little_giant").exists()


def test_an_enterprise_shares_its_data_with_a_bank_and_revokes_it(users, orgs, firms):
    client = client_for(users["enterprise_user"])
    url = reverse("enterprises:access", args=[firms["a"].pk])
    response = client.post(
        url, {"grant": "1", "organisation": orgs["bank_b"].pk, "purpose": "loan application"}
    )
    assert response.status_code == 302
    bank_b = client_for(users["other_bank_officer"])
    detail = reverse("enterprises:detail", args=[firms["a"].pk])
    assert bank_b.get(detail).status_code == 200
    grant = EnterpriseAccessGrant.objects.get(enterprise=firms["a"], organisation=orgs["bank_b"])
    client.post(reverse("enterprises:revoke", args=[firms["a"].pk, grant.pk]))
    assert bank_b.get(detail).status_code == 404


def test_a_bank_cannot_revoke_a_grant(users, firms):
    grant = EnterpriseAccessGrant.objects.get(enterprise=firms["a"], organisation__name="Bank A")
    response = client_for(users["bank_officer"]).post(
        reverse("enterprises:revoke", args=[firms["a"].pk, grant.pk])
    )
    assert response.status_code == 403
    assert EnterpriseAccessGrant.objects.get(pk=grant.pk).revoked_at is None


def test_the_zone_officer_assigns_a_service_agent(users, firms):
    agent = users["service_agent"]
    client = client_for(users["zone_officer"])
    response = client.post(
        reverse("enterprises:access", args=[firms["c"].pk]),
        {"assign": "1", "agent": agent.pk, "since": "2025-01-01"},
    )
    assert response.status_code == 302
    assert (
        client_for(agent).get(reverse("enterprises:detail", args=[firms["c"].pk])).status_code
        == 200
    )


def upload(client, data: bytes):
    file = io.BytesIO(data)
    file.name = "enterprises.xlsx"
    return client.post(reverse("enterprises:import"), {"file": file})


@pytest.mark.django_db(transaction=True)
def test_the_import_page_lists_every_problem_and_imports_nothing(users):
    client = client_for(users["zone_officer"])
    response = upload(client, workbook([good_row(1, staff_total="many"), good_row(2, rd_staff=-1)]))
    assert response.status_code == 302  # to the import's job page
    run_worker()
    body = client.get(response["Location"]).content.decode()
    assert "2 problems; nothing was imported." in body
    assert "职工总数 / Total staff" in body and "&#x27;many&#x27; is not a number" in body
    assert not Enterprise.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_import_page_imports_a_good_file(users):
    response = upload(client_for(users["zone_officer"]), workbook([good_row(1), good_row(2)]))
    assert response.status_code == 302
    run_worker()
    assert Enterprise.objects.count() == 2


def test_a_bank_cannot_open_the_import_page(users):
    assert client_for(users["bank_officer"]).get(reverse("enterprises:import")).status_code == 403


def test_the_template_has_the_documented_header_and_instructions(users):
    response = client_for(users["bank_officer"]).get(reverse("enterprises:template"))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["企业 Enterprises", "说明 Instructions"]
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert list(header) == [c.header for c in COLUMNS]


def test_the_export_holds_the_filtered_list(users, firms):
    response = client_for(users["zone_officer"]).get(reverse("enterprises:export"), {"q": "Gamma"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert [r[1] for r in rows[1:]] == ["Gamma"]
