"""Registry API v1: scoped lists and details, create and update with refusals, import, export."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.integration.enterprises.workbooks import good_row, workbook
from tests.integration.jobs.worker import run_worker

from patientcap.domain.uscc import make_uscc
from patientcap.enterprises.models import Enterprise

BASE = "/api/v1/enterprises/"


def session(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_api_needs_authentication(db):
    assert Client().get(BASE).status_code == 401


def test_the_list_is_scoped_and_paged(users, firms):
    body = session(users["zone_officer"]).get(BASE, {"page_size": 2}).json()
    assert (body["count"], body["page"], body["page_size"]) == (3, 1, 2)
    assert [e["name"] for e in body["results"]] == ["Alpha", "Beta"]
    body = session(users["other_bank_officer"]).get(BASE).json()
    assert [e["name"] for e in body["results"]] == ["Beta"]
    assert body["results"][0]["legal_representative"] == "张**"
    assert body["results"][0]["certifications_valid_today"] == ["tech_sme"]


def test_the_list_filters(users, firms):
    client = session(users["zone_officer"])
    assert client.get(BASE, {"q": "gam"}).json()["count"] == 1
    assert client.get(BASE, {"strategic": "false"}).json()["count"] == 0
    assert client.get(BASE, {"division": "65", "stage": "startup"}).json()["count"] == 3


def test_the_detail_has_the_related_data_with_amounts_in_fen(users, firms):
    body = session(users["enterprise_user"]).get(f"{BASE}{firms['a'].pk}").json()
    assert body["legal_representative"] == "张三丰"
    assert body["financial_years"][0]["revenue_fen"] == 100_000_00
    assert body["certifications"][0]["kind"] == "tech_sme"
    assert session(users["bank_officer"]).get(f"{BASE}{firms['b'].pk}").status_code == 404


def test_the_zone_officer_creates_an_enterprise_and_bad_input_is_refused(users):
    client = session(users["zone_officer"])
    data = {
        "uscc": make_uscc(70),
        "name": "Epsilon",
        "registration_date": "2022-02-02",
        "industry_code": "M73",
        "growth_stage": "seed",
    }
    response = client.post(BASE, data, content_type="application/json")
    assert response.status_code == 201 and response.json()["industry_division"] == "73"
    response = client.post(BASE, data, content_type="application/json")
    assert response.status_code == 422
    assert "already registered" in response.json()["errors"]["uscc"][0]
    response = client.post(
        BASE, {**data, "uscc": "91350100M000100Y44"}, content_type="application/json"
    )
    assert response.json()["errors"]["uscc"] == ["wrong check character at position 18: expected 3"]


def test_only_the_zone_officer_creates(users):
    data = {
        "uscc": make_uscc(70),
        "name": "Epsilon",
        "registration_date": "2022-02-02",
        "industry_code": "M73",
        "growth_stage": "seed",
    }
    response = session(users["enterprise_user"]).post(BASE, data, content_type="application/json")
    assert response.status_code == 403
    assert not Enterprise.objects.exists()


def test_patch_changes_only_the_fields_sent(users, firms):
    a = firms["a"]
    response = session(users["enterprise_user"]).patch(
        f"{BASE}{a.pk}", {"growth_stage": "growth"}, content_type="application/json"
    )
    assert response.status_code == 200
    a.refresh_from_db()
    assert (a.name, a.growth_stage) == ("Alpha", "growth")


def test_patch_of_another_firm_or_by_a_reader_is_refused(users, firms):
    b = firms["b"]
    assert (
        session(users["enterprise_user"])
        .patch(f"{BASE}{b.pk}", {"name": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        session(users["other_bank_officer"])
        .patch(f"{BASE}{b.pk}", {"name": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    response = session(users["zone_officer"]).patch(
        f"{BASE}{b.pk}", {"registration_date": "2999-01-01"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert Enterprise.objects.get(pk=b.pk).name == "Beta"


def post_file(client, data):
    file = io.BytesIO(data)
    file.name = "enterprises.xlsx"
    return client.post(f"{BASE}import", {"file": file})


@pytest.mark.django_db(transaction=True)
def test_the_zone_officer_imports_through_the_api(users):
    client = session(users["zone_officer"])
    response = post_file(client, workbook([good_row(1), good_row(2)]))
    assert response.status_code == 202  # the import runs as a job
    run_worker()
    job = client.get(response.json()["url"]).json()
    assert job["status"] == "succeeded" and job["result"]["created"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_refused_import_lists_every_problem(users):
    client = session(users["zone_officer"])
    response = post_file(client, workbook([good_row(1, tech_staff="x"), good_row(2, rd_staff=-2)]))
    assert response.status_code == 202
    run_worker()
    job = client.get(response.json()["url"]).json()
    assert job["status"] == "failed"
    assert [(e["row"], e["column"]) for e in job["result"]["errors"]] == [
        (2, "科技人员数 / Tech staff"),
        (3, "研发人员数 / R&D staff"),
    ]
    assert not Enterprise.objects.exists()


def test_the_export_is_scoped(users, firms):
    response = session(users["bank_officer"]).get(f"{BASE}export")
    rows = list(
        load_workbook(io.BytesIO(response.content), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert [r[1] for r in rows[1:]] == ["Alpha"]


def test_the_openapi_document_describes_the_registry_endpoints(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/enterprises/",
        "/api/v1/enterprises/{pk}",
        "/api/v1/enterprises/import",
        "/api/v1/enterprises/export",
    } <= set(paths)
