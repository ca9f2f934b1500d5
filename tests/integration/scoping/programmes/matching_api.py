"""The API operations of the matching app in the scoping walk (see __init__.py): a bank's system
reads and acts on its own bank's files only; another bank's file is a 404."""

from typing import Any

from tests.integration.scoping.endpoints import Body, Operation
from tests.integration.scoping.pages import everyone, readers
from tests.integration.scoping.programmes.matching import (
    QUEUE_READERS,
    all_files,
    applicants,
    bank_when,
    file_and_rows,
    zone_when_submitted,
)
from tests.integration.scoping.world import Obj, World


def apply_body(world: World, target: Obj | None) -> dict[str, Any]:
    assert target is not None
    bank = "bank_b" if target.key == "ent_b" else "bank_a"
    return {"enterprise_id": target.pk, "bank_id": world.orgs[bank].pk, "amount": "1万"}


def file_rows_in_the_api(world: World, subject: Obj | None) -> list[Obj]:
    """The file and its package and pause (documents are downloaded from the pages only)."""
    return [o for o in file_and_rows(world, subject) if not o.key.startswith("mcdoc_")]


BASE = "/api/v1/matching"
OPERATIONS = {
    ("get", f"{BASE}/applications"): Operation(
        None, everyone, shows=all_files, queries=("", "?open=true", "?status=paused")
    ),
    ("post", f"{BASE}/applications"): Operation(
        None, bodies=(Body("apply", apply_body, applicants, targets="ent_"),)
    ),
    ("get", f"{BASE}/applications/{{application_id}}"): Operation(
        "matched credit file", readers, shows=file_rows_in_the_api
    ),
    ("post", f"{BASE}/applications/{{application_id}}/due-diligence-complete"): Operation(
        "matched credit file",
        bodies=(Body("complete due diligence", lambda w, s: {"note": "s"}, zone_when_submitted),),
    ),
    ("post", f"{BASE}/applications/{{application_id}}/pause"): Operation(
        "matched credit file",
        bodies=(Body("pause", lambda w, s: {"documents": "scoping"}, bank_when("rev")),),
    ),
    ("post", f"{BASE}/applications/{{application_id}}/resume"): Operation(
        "matched credit file", bodies=(Body("resume", lambda w, s: {}, bank_when("pau")),)
    ),
    ("post", f"{BASE}/applications/{{application_id}}/decide"): Operation(
        "matched credit file",
        bodies=(
            Body(
                "propose a decision",
                lambda w, s: {"decision": "approve", "amount": "1万"},
                bank_when("rev"),
                "own",
            ),
        ),
    ),
    ("post", f"{BASE}/applications/{{application_id}}/disburse"): Operation(
        "matched credit file",
        bodies=(
            Body("propose a disbursement", lambda w, s: {"amount": "1万"}, bank_when("app"), "own"),
        ),
    ),
    ("get", f"{BASE}/sla"): Operation(None, lambda w, s: QUEUE_READERS),
}
