"""The API operations of the lending app in the scoping walk (see __init__.py): a bank's or a
guarantor's system reads and acts on its own files only; another's file is a 404."""

from typing import Any

from tests.integration.scoping.endpoints import Body, Operation
from tests.integration.scoping.pages import everyone, readers
from tests.integration.scoping.programmes.lending import (
    all_of,
    claim_and_recovery,
    writers,
)
from tests.integration.scoping.world import Obj, World

from patientcap.core.clock import today


def apply_body(world: World, subject: Obj | None) -> dict[str, Any]:
    return {
        "enterprise_id": world.objects["ent_a"].pk,
        "bank_id": world.orgs["bank_a"].pk,
        "guarantor_id": world.orgs["guarantor_a"].pk,
        "amount": "100万",
        "annual_rate": "0.039",
        "tenor_months": 12,
        "method": "equal_principal",
        "purpose": "scoping API application",
    }


def applicants(world: World, subject: Obj | None) -> frozenset[str]:
    """Bank A (the firm shares its data with it), the firm itself and the zone officer."""
    return frozenset({"zone_officer", "bank_officer", "enterprise_user"})


def loan_rows(world: World, subject: Obj | None) -> list[Obj]:
    return [subject] if subject is not None else []


BASE = "/api/v1/lending"
OPERATIONS = {
    ("get", f"{BASE}/applications"): Operation(
        None, everyone, shows=all_of("tlapp_"), queries=("", "?status=diligence")
    ),
    ("post", f"{BASE}/applications"): Operation(
        None, bodies=(Body("apply", apply_body, applicants),)
    ),
    ("get", f"{BASE}/applications/{{application_id}}"): Operation("tiered application", readers),
    ("post", f"{BASE}/applications/{{application_id}}/diligence"): Operation(
        "tiered application",
        bodies=(
            Body(
                "the guarantor's due diligence",
                lambda w, s: {"favourable": True, "opinion": "ok"},
                writers,
            ),
        ),
    ),
    ("get", f"{BASE}/loans"): Operation(
        None, everyone, shows=all_of("tlloan_"), queries=("", "?status=active")
    ),
    ("get", f"{BASE}/loans/{{loan_id}}"): Operation("tiered loan", readers),
    ("get", f"{BASE}/loans/{{loan_id}}/schedule"): Operation(
        "tiered loan", readers, shows=lambda w, s: []
    ),
    ("get", f"{BASE}/loans/{{loan_id}}/repayments"): Operation(
        "tiered loan", readers, shows=lambda w, s: []
    ),
    ("post", f"{BASE}/loans/{{loan_id}}/repayments"): Operation(
        "tiered loan",
        bodies=(
            Body(
                "a repayment",
                lambda w, s: {
                    "amount": "1000",
                    "date": today().isoformat(),
                    "reference": "scoping",
                },
                writers,
            ),
        ),
    ),
    ("post", f"{BASE}/loans/{{loan_id}}/claims"): Operation(
        "tiered loan",
        bodies=(
            Body(
                "a claim before the trigger",
                lambda w, s: {"date": today().isoformat(), "statement": "scoping"},
                lambda w, s: frozenset(),
            ),
        ),
    ),
    ("get", f"{BASE}/claims"): Operation(None, everyone, shows=all_of("tlclaim_")),
    ("get", f"{BASE}/claims/{{claim_id}}"): Operation(
        "tiered claim", readers, shows=claim_and_recovery
    ),
}
