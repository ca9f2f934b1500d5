"""Registry services: validation with clear messages, nothing written on refusal, audit of
every change, and the database constraints behind them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from tests.integration.enterprises.builders import AS_OF, profile

from patientcap.audit.models import AuditEntry
from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import services
from patientcap.enterprises.models import (
    Certification,
    Enterprise,
    FinancialYear,
    Headcount,
    Team,
)


def refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


def test_registering_an_enterprise_stores_it_and_audits_the_profile(users):
    e = services.create_enterprise(actor=users["zone_officer"], data=profile(7), as_of=AS_OF)
    assert e.industry_code == "I65" and e.industry_division == "65"
    entry = AuditEntry.objects.get(action="enterprise.create", object_id=str(e.pk))
    assert entry.after["uscc"] == make_uscc(7)
    assert entry.actor_name == "zone_officer"


def test_an_invalid_credit_code_is_refused_with_the_reason_and_nothing_is_written(users):
    code = make_uscc(7)
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    errors = refusal(
        lambda: services.create_enterprise(
            actor=users["zone_officer"], data=profile(7, uscc=bad), as_of=AS_OF
        )
    )
    assert errors["uscc"] == [f"wrong check character at position 18: expected {code[17]}"]
    assert not Enterprise.objects.exists()
    assert not AuditEntry.objects.filter(action="enterprise.create").exists()


def test_a_duplicate_credit_code_is_refused(users, firms):
    errors = refusal(
        lambda: services.create_enterprise(
            actor=users["zone_officer"], data=profile(1, name="Copy"), as_of=AS_OF
        )
    )
    assert "already registered" in errors["uscc"][0]
    assert Enterprise.objects.count() == 3


def test_every_problem_of_a_profile_is_reported_at_once(users):
    errors = refusal(
        lambda: services.create_enterprise(
            actor=users["zone_officer"],
            as_of=AS_OF,
            data=profile(
                7,
                uscc="123",
                name="",
                registration_date=dt.date(2026, 1, 1),
                industry_code="Z99",
                growth_stage="teen",
                strategic_emerging=False,
            ),
        )
    )
    assert set(errors) == {
        "uscc",
        "name",
        "registration_date",
        "industry_code",
        "growth_stage",
        "strategic_category",
    }
    assert "in the future" in errors["registration_date"][0]


def test_only_the_zone_officer_registers_enterprises(users):
    for role in ("reviewer", "enterprise_user", "bank_officer", "auditor"):
        with pytest.raises(PermissionDenied):
            services.create_enterprise(actor=users[role], data=profile(9), as_of=AS_OF)


def test_an_update_changes_and_audits_only_the_changed_fields(users, firms):
    a = firms["a"]
    services.update_enterprise(
        actor=users["enterprise_user"],
        enterprise_id=a.pk,
        changes={"name": "Alpha Renamed", "growth_stage": "startup"},
    )
    entry = AuditEntry.objects.filter(action="enterprise.update").get()
    assert entry.before == {"name": "Alpha"} and entry.after == {"name": "Alpha Renamed"}


def test_an_enterprise_user_cannot_edit_another_enterprise(users, firms):
    with pytest.raises(Http404):
        services.update_enterprise(
            actor=users["enterprise_user"],
            enterprise_id=firms["b"].pk,
            changes={"name": "Hijacked"},
        )
    assert Enterprise.objects.get(pk=firms["b"].pk).name == "Beta"


def test_a_bank_that_may_read_an_enterprise_still_cannot_change_it(users, firms):
    with pytest.raises(PermissionDenied):
        services.update_enterprise(
            actor=users["bank_officer"],
            enterprise_id=firms["a"].pk,
            changes={"name": "Bank's name"},
        )


def test_changing_the_code_to_another_firms_code_is_refused(users, firms):
    errors = refusal(
        lambda: services.update_enterprise(
            actor=users["zone_officer"],
            enterprise_id=firms["a"].pk,
            changes={"uscc": firms["b"].uscc},
        )
    )
    assert "already registered" in errors["uscc"][0]


def test_a_negative_headcount_is_refused(users, firms):
    errors = refusal(
        lambda: services.save_yearly(
            actor=users["zone_officer"],
            enterprise_id=firms["a"].pk,
            kind="headcount",
            year=2024,
            values={"total": -5, "tech_staff": 1, "rd_staff": 1},
            as_of=AS_OF,
        )
    )
    assert errors == {"total": ["cannot be negative (-5)"]}
    assert not Headcount.objects.exists()


def test_more_tech_staff_than_staff_is_refused(users, firms):
    errors = refusal(
        lambda: services.save_yearly(
            actor=users["zone_officer"],
            enterprise_id=firms["a"].pk,
            kind="headcount",
            year=2024,
            values={"total": 10, "tech_staff": 11, "rd_staff": 2},
            as_of=AS_OF,
        )
    )
    assert errors == {"tech_staff": ["11 cannot exceed the total staff (10)"]}


def test_a_future_reporting_year_is_refused(users, firms):
    errors = refusal(
        lambda: services.save_yearly(
            actor=users["zone_officer"],
            enterprise_id=firms["a"].pk,
            kind="ip",
            year=2030,
            values={"invention_patents": 1},
            as_of=AS_OF,
        )
    )
    assert "year" in errors


def test_yearly_figures_replace_the_years_row_and_audit_the_change(users, firms):
    a = firms["a"]
    services.save_yearly(
        actor=users["zone_officer"],
        enterprise_id=a.pk,
        kind="financial",
        year=2024,
        values={"revenue_fen": 200_000_00},
        as_of=AS_OF,
    )
    row = FinancialYear.objects.get(enterprise=a, year=2024)
    assert row.revenue_fen == 200_000_00 and row.rd_expense_fen is None  # replaced as a whole
    entry = AuditEntry.objects.filter(action="enterprise.financial.save").order_by("seq").last()
    assert entry.before == {"year": 2024, "revenue_fen": 100_000_00, "rd_expense_fen": 10_000_00}
    assert entry.after == {"year": 2024, "revenue_fen": 200_000_00, "rd_expense_fen": None}


def test_a_year_saved_together_is_all_or_nothing(users, firms):
    errors = refusal(
        lambda: services.save_year_figures(
            actor=users["zone_officer"],
            enterprise_id=firms["a"].pk,
            year=2023,
            as_of=AS_OF,
            figures={
                "team": {"founders_max_industry_years": 10},
                "headcount": {"total": 1, "tech_staff": 2},
            },
        )
    )
    assert "tech_staff" in errors
    assert not Team.objects.exists()


def test_a_certificate_ending_before_it_starts_is_refused(users, firms):
    errors = refusal(
        lambda: services.save_certification(
            actor=users["zone_officer"],
            enterprise_id=firms["a"].pk,
            kind="little_giant",
            valid_from=dt.date(2025, 1, 1),
            valid_to=dt.date(2024, 12, 31),
        )
    )
    assert errors == {"valid_to": ["valid to (2024-12-31) is before valid from (2025-01-01)"]}


def test_certification_validity_includes_its_last_day(firms):
    cert = Certification.objects.filter(enterprise=firms["a"]).get()
    assert cert.is_valid_on(cert.valid_to)
    assert not cert.is_valid_on(cert.valid_to + dt.timedelta(days=1))
    assert not cert.is_valid_on(dt.date(2023, 12, 31))


def test_only_enterprise_organisations_can_be_linked_as_logins(users, orgs, firms):
    errors = refusal(
        lambda: services.link_organisation(
            actor=users["zone_officer"],
            enterprise_id=firms["c"].pk,
            organisation_id=orgs["bank_a"].pk,
        )
    )
    assert "organisation" in errors
    errors = refusal(
        lambda: services.link_organisation(
            actor=users["zone_officer"],
            enterprise_id=firms["c"].pk,
            organisation_id=orgs["enterprise_a"].pk,
        )
    )
    assert "already the login" in errors["organisation"][0]


def test_access_is_granted_only_to_banks_and_guarantors_once(users, orgs, firms):
    errors = refusal(
        lambda: services.grant_access(
            actor=users["zone_officer"],
            enterprise_id=firms["c"].pk,
            organisation_id=orgs["university"].pk,
            purpose="curiosity",
        )
    )
    assert "organisation" in errors
    errors = refusal(
        lambda: services.grant_access(
            actor=users["enterprise_user"],
            enterprise_id=firms["a"].pk,
            organisation_id=orgs["bank_a"].pk,
            purpose="again",
        )
    )
    assert "already has access" in errors["organisation"][0]


def test_a_grant_needs_a_purpose(users, orgs, firms):
    errors = refusal(
        lambda: services.grant_access(
            actor=users["zone_officer"],
            enterprise_id=firms["c"].pk,
            organisation_id=orgs["bank_a"].pk,
            purpose="  ",
        )
    )
    assert "purpose" in errors


def test_a_revoked_grant_cannot_be_revoked_twice(users, firms):
    grant = firms["a"].access_grants.get(organisation__name="Bank A")
    services.revoke_access(actor=users["enterprise_user"], grant_id=grant.pk)
    with pytest.raises(ValidationError):
        services.revoke_access(actor=users["enterprise_user"], grant_id=grant.pk)


def test_a_bank_cannot_grant_itself_access(users, orgs, firms):
    with pytest.raises(Http404):
        services.grant_access(
            actor=users["other_bank_officer"],
            enterprise_id=firms["a"].pk,
            organisation_id=orgs["bank_b"].pk,
            purpose="we want it",
        )


def test_only_service_agents_are_assigned_and_periods_are_ordered(users, firms):
    errors = refusal(
        lambda: services.assign_agent(
            actor=users["zone_officer"],
            enterprise_id=firms["c"].pk,
            agent_id=users["bank_officer"].pk,
            since=AS_OF,
            until=AS_OF,
        )
    )
    assert set(errors) == {"agent", "until"}


def test_the_database_refuses_impossible_rows_even_without_the_services(firms):
    a = firms["a"]
    impossible = [
        Headcount(enterprise=a, year=2020, total=5, tech_staff=6),
        Headcount(enterprise=a, year=2021, total=-1),
        FinancialYear(enterprise=a, year=2020, revenue_fen=10, main_business_revenue_fen=11),
        FinancialYear(enterprise=a, year=2021, revenue_fen=-10),
        Certification(
            enterprise=a,
            kind="tech_sme",
            valid_from=dt.date(2024, 2, 1),
            valid_to=dt.date(2024, 1, 1),
        ),
        Enterprise(
            uscc=make_uscc(99),
            name="x",
            registration_date=AS_OF,
            industry_code="I65",
            growth_stage="seed",
            strategic_emerging=False,
            strategic_category="biotech",
        ),
    ]
    for row in impossible:
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()
