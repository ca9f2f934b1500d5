"""`patientcap kpis --json` gains `tiered_loans`; the home page shows the bank and guarantor
their pending decisions and the zone its PAR30 and claims to review."""

import datetime as dt

import pytest
from django.test import Client
from tests.integration.lending import helpers as h

from patientcap.core.kpis import collect

pytestmark = pytest.mark.django_db


def test_the_kpis_give_count_amount_npl_ratio_and_losses_by_party(users, orgs):
    h.fund_pool(users)
    loan = h.loan(users, orgs, h.firm(users, orgs), amount_fen=2_000_000_00)
    h.compensate(users, h.claim(users, loan))
    section = collect(dt.date(2025, 3, 31))["tiered_loans"]
    assert section["count"] == 1
    assert section["amount_yuan"] == "2000000.00"
    assert section["npl_ratio"] == "1.0000"
    assert section["losses_by_party"] == {
        "bank": "1100000.00",
        "guarantor": "800000.00",
        "pool": "100000.00",
    }


def test_home_cards_for_the_bank_the_guarantor_and_the_zone(users, orgs):
    app = h.application(users, orgs, h.firm(users, orgs))
    for role, label in (
        ("bank_officer", "Tiered loans waiting for my decision"),
        ("guarantor_officer", "Tiered loans waiting for my decision"),
        ("zone_officer", "Tiered-loan claims to review"),
    ):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(users[role])
        body = client.get("/").content.decode()
        assert label in body, role
    assert app.reference  # the bank's and the guarantor's queue each hold it
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["service_agent"])
    assert "Tiered loans" not in client.get("/").content.decode()
