"""Shared fixtures: one organisation of each type and one user per role, on the real database.

The database is SQLite unless DATABASE_URL points at PostgreSQL; the suite runs on both in CI.
"""

import pytest
from django.utils import translation

from patientcap.accounts.models import OrganisationType, Role
from tests.support import make_org, make_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher; tests that check it ask for it explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_messages(settings):
    # Tests read messages in English (the msgids); tests of the Chinese-first UI set
    # LANGUAGE_CODE back to zh-hans themselves.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def orgs(db):
    """Two of each organisation type that must be kept apart (banks, guarantors, ...)."""
    return {
        "zone": make_org(OrganisationType.ZONE, "Demo Zone Administrative Committee"),
        "bank_a": make_org(OrganisationType.BANK, "Bank A"),
        "bank_b": make_org(OrganisationType.BANK, "Bank B"),
        "guarantor_a": make_org(OrganisationType.GUARANTOR, "Guarantor A"),
        "guarantor_b": make_org(OrganisationType.GUARANTOR, "Guarantor B"),
        "service": make_org(OrganisationType.SERVICE, "Service Association"),
        "university": make_org(OrganisationType.UNIVERSITY, "Demo University"),
        "enterprise_a": make_org(OrganisationType.ENTERPRISE, "Enterprise A Ltd"),
        "enterprise_b": make_org(OrganisationType.ENTERPRISE, "Enterprise B Ltd"),
        "audit": make_org(OrganisationType.AUDIT, "Finance Bureau Audit"),
    }


@pytest.fixture
def users(orgs):
    """One user per role, plus a second user of the organisations that must be kept apart."""
    return {
        "zone_officer": make_user("zone_officer", Role.ZONE_OFFICER, orgs["zone"]),
        "reviewer": make_user("reviewer", Role.REVIEWER, orgs["zone"]),
        "bank_officer": make_user("bank_a_officer", Role.BANK_OFFICER, orgs["bank_a"]),
        "other_bank_officer": make_user("bank_b_officer", Role.BANK_OFFICER, orgs["bank_b"]),
        "guarantor_officer": make_user(
            "guarantor_a_officer", Role.GUARANTOR_OFFICER, orgs["guarantor_a"]
        ),
        "other_guarantor_officer": make_user(
            "guarantor_b_officer", Role.GUARANTOR_OFFICER, orgs["guarantor_b"]
        ),
        "service_agent": make_user("service_agent", Role.SERVICE_AGENT, orgs["service"]),
        "enterprise_user": make_user(
            "enterprise_a_user", Role.ENTERPRISE_USER, orgs["enterprise_a"]
        ),
        "other_enterprise_user": make_user(
            "enterprise_b_user", Role.ENTERPRISE_USER, orgs["enterprise_b"]
        ),
        "auditor": make_user("auditor", Role.AUDITOR, orgs["audit"]),
    }
