"""Who sees and changes which enterprise, and their related rows."""

import datetime as dt

import pytest

from patientcap.accounts import scoping
from patientcap.enterprises import services
from patientcap.enterprises.models import (
    Certification,
    Enterprise,
    EnterpriseAccessGrant,
    FinancialYear,
    ServiceAssignment,
)
from patientcap.enterprises.scopes import sees_personal_data

READS = {
    "zone_officer": {"a", "b", "c"},
    "reviewer": {"a", "b", "c"},
    "auditor": {"a", "b", "c"},
    "enterprise_user": {"a"},
    "other_enterprise_user": {"b"},
    "service_agent": {"a"},
    "bank_officer": {"a"},
    "other_bank_officer": {"b"},
    "guarantor_officer": {"a"},
    "other_guarantor_officer": set(),
}
WRITES = {
    "zone_officer": {"a", "b", "c"},
    "enterprise_user": {"a"},
    "other_enterprise_user": {"b"},
}


def names(firms, queryset, via=lambda row: row.pk):
    by_pk = {e.pk: key for key, e in firms.items()}
    return {by_pk[via(row)] for row in queryset}


@pytest.mark.parametrize("role", sorted(READS))
def test_each_role_reads_exactly_its_enterprises(users, firms, role):
    user = users[role]
    assert names(firms, scoping.readable(user, Enterprise)) == READS[role]
    for model in (Certification, FinancialYear):
        assert (
            names(firms, scoping.readable(user, model), via=lambda row: row.enterprise_id)
            == READS[role]
        )


@pytest.mark.parametrize("role", sorted(READS))
def test_each_role_writes_exactly_its_enterprises(users, firms, role):
    user = users[role]
    expected = WRITES.get(role, set())
    assert names(firms, scoping.writable(user, Enterprise)) == expected
    assert (
        names(firms, scoping.writable(user, Certification), via=lambda row: row.enterprise_id)
        == expected
    )


def test_bank_a_cannot_see_an_enterprise_granted_only_to_bank_b(users, firms):
    assert not scoping.readable(users["bank_officer"], Enterprise).filter(pk=firms["b"].pk).exists()
    assert (
        scoping.readable(users["other_bank_officer"], Enterprise).filter(pk=firms["b"].pk).exists()
    )


def test_revoking_a_grant_ends_the_banks_access_at_once(users, firms):
    grant = EnterpriseAccessGrant.objects.get(enterprise=firms["a"], organisation__name="Bank A")
    services.revoke_access(actor=users["enterprise_user"], grant_id=grant.pk)
    assert not scoping.readable(users["bank_officer"], Enterprise).exists()
    assert scoping.readable(users["guarantor_officer"], Enterprise).exists()


def test_a_service_agent_sees_an_enterprise_only_during_the_assignment(users, firms):
    assignment = ServiceAssignment.objects.get(enterprise=firms["a"])
    today = assignment.since
    services.end_assignment(
        actor=users["zone_officer"], assignment_id=assignment.pk, until=today + dt.timedelta(days=1)
    )
    assert scoping.readable(users["service_agent"], Enterprise).exists()
    ServiceAssignment.objects.filter(pk=assignment.pk).update(
        since=today - dt.timedelta(days=10), until=today
    )
    assert not scoping.readable(users["service_agent"], Enterprise).exists()
    ServiceAssignment.objects.filter(pk=assignment.pk).update(
        since=today + dt.timedelta(days=1), until=None
    )
    assert not scoping.readable(users["service_agent"], Enterprise).exists()


def test_banks_see_the_grants_made_to_them_and_enterprises_see_their_own(users, firms):
    assert {
        g.organisation.name for g in scoping.readable(users["bank_officer"], EnterpriseAccessGrant)
    } == {"Bank A"}
    assert {
        g.organisation.name
        for g in scoping.readable(users["enterprise_user"], EnterpriseAccessGrant)
    } == {"Bank A", "Guarantor A"}
    assert not scoping.readable(users["service_agent"], EnterpriseAccessGrant).exists()


def test_the_legal_representative_is_shown_in_full_only_to_zone_staff_and_the_firm(users, firms):
    a = firms["a"]
    full = {role for role in READS if sees_personal_data(users[role], a)}
    assert full == {"zone_officer", "reviewer", "enterprise_user"}
