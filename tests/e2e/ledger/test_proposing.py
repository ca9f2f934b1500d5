"""The maker's side of the ledger: a zone officer proposes, a different person approves, and
only then does money move."""

import pytest
from django.test import Client
from django.urls import reverse

from patientcap.approvals import services as approvals
from patientcap.approvals.models import Proposal
from patientcap.ledger.models import Entry
from patientcap.ledger.selectors import balance

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


CONTRIBUTION = {
    "book": "fiscal_pool",
    "amount": "800万",
    "date": "2026-03-16",
    "document_ref": "云溪财预〔2026〕1号",
    "memo": "",
    "reason": "年度预算已到账",
}


def test_a_proposed_contribution_moves_no_money_until_the_reviewer_approves_it(users):
    response = as_user(users["zone_officer"]).post(reverse("ledger:contribute"), CONTRIBUTION)
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "approvals:detail", args=[proposal.pk]
    )
    assert balance("fiscal_pool.cash") == 0 and not Entry.objects.exists()
    approvals.approve(proposal=proposal, by=users["reviewer"], comment="核对无误")
    assert balance("fiscal_pool.cash") == 8_000_000_00


def test_a_contribution_with_a_bad_amount_is_refused_and_nothing_is_proposed(users):
    response = as_user(users["zone_officer"]).post(
        reverse("ledger:contribute"), {**CONTRIBUTION, "amount": "eight million"}
    )
    assert response.status_code == 200
    assert "Give the amount in yuan" in response.content.decode()
    assert not Proposal.objects.exists()


def test_only_the_zone_officer_may_propose_contributions(users):
    for role in ("reviewer", "bank_officer", "auditor", "enterprise_user"):
        response = as_user(users[role]).post(reverse("ledger:contribute"), CONTRIBUTION)
        assert response.status_code in (403, 404), role
    assert not Proposal.objects.exists()


def test_a_reversal_is_proposed_from_the_entry_page_and_posted_on_approval(users):
    zone = as_user(users["zone_officer"])
    zone.post(reverse("ledger:contribute"), CONTRIBUTION)
    approvals.approve(proposal=Proposal.objects.get(), by=users["reviewer"], comment="ok")
    entry = Entry.objects.get()
    page = zone.get(reverse("ledger:entry", args=[entry.pk])).content.decode()
    assert reverse("ledger:propose_reversal", args=[entry.pk]) in page
    zone.post(reverse("ledger:propose_reversal", args=[entry.pk]), {"reason": "文号录错"})
    reversal = Proposal.objects.get(action="ledger.reverse_entry")
    assert balance("fiscal_pool.cash") == 8_000_000_00
    approvals.approve(proposal=reversal, by=users["reviewer"], comment="同意冲销")
    assert balance("fiscal_pool.cash") == 0
    assert Entry.objects.filter(reversal_of=entry).count() == 1


def test_a_reversal_without_a_reason_is_refused(users):
    zone = as_user(users["zone_officer"])
    zone.post(reverse("ledger:contribute"), CONTRIBUTION)
    approvals.approve(proposal=Proposal.objects.get(), by=users["reviewer"], comment="ok")
    entry = Entry.objects.get()
    zone.post(reverse("ledger:propose_reversal", args=[entry.pk]), {"reason": " "})
    assert not Proposal.objects.filter(action="ledger.reverse_entry").exists()
