"""Builders shared by the registry tests (integration and e2e): a small registry of enterprise A
(login organisation enterprise_a, shared with bank A and guarantor A, served by the service
agent), enterprise B (login enterprise_b, shared with bank B) and enterprise C (no login,
shared with nobody)."""

import datetime as dt

from django.utils import timezone

from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import services

AS_OF = dt.date(2025, 6, 30)
# The certificate every test firm holds stays valid today, whenever the tests run.
CERT_VALID_TO = dt.date.today() + dt.timedelta(days=400)


def profile(seed: int, **overrides):
    data = {
        "uscc": make_uscc(seed),
        "name": f"重庆测试{seed}科技有限公司",
        "registration_date": dt.date(2020, 5, 1),
        "industry_code": "I65",
        "growth_stage": "startup",
        "strategic_emerging": True,
        "strategic_category": "next_gen_it",
        "district": "九龙坡区",
        "address": "科学城大道1号",
        "legal_representative": "张三丰",
    }
    data.update(overrides)
    return data


def build_firms(users, orgs):
    zone = users["zone_officer"]
    a = services.create_enterprise(actor=zone, data=profile(1, name="Alpha"), as_of=AS_OF)
    b = services.create_enterprise(actor=zone, data=profile(2, name="Beta"), as_of=AS_OF)
    c = services.create_enterprise(actor=zone, data=profile(3, name="Gamma"), as_of=AS_OF)
    services.link_organisation(
        actor=zone, enterprise_id=a.pk, organisation_id=orgs["enterprise_a"].pk
    )
    services.link_organisation(
        actor=zone, enterprise_id=b.pk, organisation_id=orgs["enterprise_b"].pk
    )
    services.grant_access(
        actor=users["enterprise_user"],
        enterprise_id=a.pk,
        organisation_id=orgs["bank_a"].pk,
        purpose="credit application",
    )
    services.grant_access(
        actor=users["enterprise_user"],
        enterprise_id=a.pk,
        organisation_id=orgs["guarantor_a"].pk,
        purpose="guarantee",
    )
    services.grant_access(
        actor=zone,
        enterprise_id=b.pk,
        organisation_id=orgs["bank_b"].pk,
        purpose="credit application",
    )
    services.assign_agent(
        actor=zone,
        enterprise_id=a.pk,
        agent_id=users["service_agent"].pk,
        since=timezone.localdate(),
    )
    for e in (a, b, c):
        services.save_certification(
            actor=zone,
            enterprise_id=e.pk,
            kind="tech_sme",
            certificate_number="T-1",
            valid_from=dt.date(2024, 1, 1),
            valid_to=CERT_VALID_TO,
        )
        services.save_yearly(
            actor=zone,
            enterprise_id=e.pk,
            kind="financial",
            year=2024,
            values={"revenue_fen": 100_000_00, "rd_expense_fen": 10_000_00},
        )
    for e in (a, b, c):
        e.refresh_from_db()
    return {"a": a, "b": b, "c": c}
