"""Organisations and users: the role rule on every save, the services, and the scope rules."""

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from tests.support import PASSWORD, make_user

from patientcap.accounts import scoping, services
from patientcap.accounts.models import Organisation, Role, User, UserSession
from patientcap.audit.models import AuditEntry


def test_a_role_the_organisation_type_cannot_hold_is_refused_on_every_save(orgs):
    with pytest.raises(ValidationError, match="cannot hold this role"):
        make_user("fake_banker", Role.BANK_OFFICER, orgs["guarantor_a"])
    assert not User.objects.filter(username="fake_banker").exists()

    officer = make_user("real_banker", Role.BANK_OFFICER, orgs["bank_a"])
    officer.organisation = orgs["enterprise_a"]
    with pytest.raises(ValidationError, match="cannot hold this role"):
        officer.save()
    officer.refresh_from_db()
    assert officer.organisation == orgs["bank_a"]


def test_create_user_refuses_a_weak_password_and_a_mismatched_role_writing_nothing(orgs, users):
    with pytest.raises(ValidationError):
        services.create_user(
            username="weak",
            password="123",
            organisation=orgs["bank_a"],
            role=Role.BANK_OFFICER,
            by=users["zone_officer"],
        )
    with pytest.raises(ValidationError, match="cannot hold this role"):
        services.create_user(
            username="misplaced",
            password=PASSWORD,
            organisation=orgs["audit"],
            role=Role.ZONE_OFFICER,
            by=users["zone_officer"],
        )
    assert not User.objects.filter(username__in=["weak", "misplaced"]).exists()
    assert not AuditEntry.objects.filter(action="user.create").exists()


def test_create_user_and_organisation_are_audited(users):
    org = services.create_organisation(name=" Bank C ", type="bank", by=users["zone_officer"])
    user = services.create_user(
        username="bank_c_officer",
        password=PASSWORD,
        organisation=org,
        role=Role.BANK_OFFICER,
        by=users["zone_officer"],
        first_name="Li",
    )
    assert org.name == "Bank C" and user.check_password(PASSWORD) and user.first_name == "Li"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"organisation.create", "user.create"} <= actions
    assert PASSWORD not in "".join(AuditEntry.objects.values_list("after_json", flat=True))


def test_deactivating_a_user_ends_all_their_sessions(users):
    officer = users["bank_officer"]
    for browser in (Client(), Client()):
        browser.force_login(officer)
    Client().force_login(users["other_bank_officer"])
    assert UserSession.objects.filter(user=officer).count() == 2

    services.set_active(user=officer, active=False, by=users["zone_officer"])

    assert not UserSession.objects.filter(user=officer).exists()
    alive = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(officer.pk) not in alive
    assert str(users["other_bank_officer"].pk) in alive
    assert AuditEntry.objects.filter(action="user.deactivate", object_id=str(officer.pk)).exists()


def test_zone_staff_and_auditors_see_every_organisation_others_only_their_own(orgs, users):
    everything = set(Organisation.objects.values_list("pk", flat=True))
    for key in ("zone_officer", "reviewer", "auditor"):
        assert (
            set(scoping.readable(users[key], Organisation).values_list("pk", flat=True))
            == everything
        )
    for key in ("bank_officer", "guarantor_officer", "service_agent", "enterprise_user"):
        seen = list(scoping.readable(users[key], Organisation))
        assert seen == [users[key].organisation], key


def test_only_zone_officers_may_change_organisations_and_auditors_nothing(orgs, users):
    assert scoping.writable(users["zone_officer"], Organisation).count() == len(orgs)
    for key in ("reviewer", "bank_officer", "auditor", "enterprise_user"):
        assert not scoping.writable(users[key], Organisation).exists(), key


def test_users_of_other_organisations_are_invisible_except_to_zone_staff_and_auditors(orgs, users):
    colleague = make_user("bank_a_colleague", Role.BANK_OFFICER, orgs["bank_a"])
    seen = set(scoping.readable(users["bank_officer"], User))
    assert seen == {users["bank_officer"], colleague}
    assert scoping.readable(users["auditor"], User).count() == User.objects.count()
    # Each user changes only themself; auditors not even that.
    assert list(scoping.writable(users["bank_officer"], User)) == [users["bank_officer"]]
    assert not scoping.writable(users["auditor"], User).exists()
