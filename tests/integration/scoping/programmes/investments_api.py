"""The API operations of the investments app in the scoping walk (see __init__.py): the same
scope as the pages — a firm its own projects, zone staff and auditors everything, banks,
guarantors and service agents nothing."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from tests.integration.scoping.endpoints import Body, Operation
from tests.integration.scoping.pages import all_of, everyone, nobody, only, writers
from tests.integration.scoping.programmes.investments import (
    ZONE,
    ZONE_OFFICER,
    _today,
    evidence_writers,
    funded,
    project_readers,
    project_rows,
    when,
)
from tests.integration.scoping.world import NETWORK, Obj, World


def apply_body(world: World, target: Obj | None) -> dict[str, Any]:
    assert target is not None
    return {"enterprise_id": target.pk, "title": "scoping", "plan": "p", "requested_fen": 100_000}


def proposal(payload: dict[str, Any]) -> Any:
    return lambda w, s: {"payload": {"date": _today(w, s), **payload}, "reason": "scoping"}


def in_the_api(world: World, subject: Obj | None) -> list[Obj]:
    """The project's rows the detail shows (the timeline carries the opinion and findings)."""
    return project_rows(world, subject)


BASE = "/api/v1/investments"
PROJECT = f"{BASE}/projects/{{project_id}}"
OPERATIONS = {
    ("get", f"{BASE}/projects"): Operation(
        None, everyone, shows=all_of("ifp_"), queries=("", "?stage=disbursing")
    ),
    ("post", f"{BASE}/projects"): Operation(
        None, bodies=(Body("apply", apply_body, writers, targets="ent_"),)
    ),
    ("get", PROJECT): Operation("invest-first project", project_readers, shows=in_the_api),
    ("post", f"{PROJECT}/reviews"): Operation(
        "invest-first project",
        bodies=(Body("review", lambda w, s: {"score": "80", "opinion": "s"}, when("_rev", ZONE)),),
    ),
    ("post", f"{PROJECT}/agreement"): Operation(
        "invest-first project",
        bodies=(
            Body(
                "record the agreement",
                lambda w, s: {
                    "signed_on": _today(w, s),
                    "amount_fen": 100_000,
                    "variant": "B",
                    "agreed_valuation_fen": 1_000_000,
                    "conversion_deadline": "2030-01-01",
                    "tranches": [{"due": _today(w, s), "amount_fen": 100_000}],
                },
                nobody,
            ),
        ),
    ),
    ("post", f"{PROJECT}/diligence"): Operation(
        "invest-first project",
        bodies=(Body("diligence", lambda w, s: {"findings": "s"}, when("_dis", ZONE)),),
    ),
    ("post", f"{PROJECT}/decision"): Operation(
        "invest-first project",
        bodies=(
            Body(
                "propose the decision",
                proposal({"approved": True, "amount_fen": 100_000}),
                when("_rev", ZONE_OFFICER),
                "own",
            ),
        ),
    ),
    ("post", f"{PROJECT}/conversion"): Operation(
        "invest-first project", bodies=(Body("propose the conversion", proposal({}), nobody),)
    ),
    ("post", f"{PROJECT}/write-off"): Operation(
        "invest-first project",
        bodies=(Body("propose the write-off", proposal({"diligence_id": 0}), nobody),),
    ),
    ("post", f"{PROJECT}/exit"): Operation(
        "invest-first project",
        bodies=(
            Body(
                "propose a buyback",
                proposal({"route": "buyback"}),
                when("_dis", ZONE_OFFICER),
                "own",
            ),
        ),
    ),
    ("post", f"{BASE}/tranches/{{tranche_id}}/disbursement"): Operation(
        "invest-first tranche",
        bodies=(Body("propose paying", proposal({}), when("_2", ZONE_OFFICER), "own"),),
    ),
    ("post", f"{BASE}/milestones/{{milestone_id}}/evidence"): Operation(
        "invest-first milestone",
        bodies=(
            Body(
                "upload evidence",
                lambda w, s: {"file": SimpleUploadedFile("e.txt", b"scoping"), "note": "s"},
                evidence_writers,
                multipart=True,
            ),
        ),
    ),
    ("post", f"{BASE}/milestones/{{milestone_id}}/verdict"): Operation(
        "invest-first milestone",
        bodies=(Body("give the verdict", lambda w, s: {"met": True}, only(*ZONE)),),
    ),
    ("get", f"{BASE}/pool"): Operation(None, lambda w, s: NETWORK, shows=lambda w, s: []),
    ("get", f"{BASE}/metrics"): Operation(None, lambda w, s: NETWORK, shows=funded),
    ("get", f"{BASE}/losses"): Operation(None, lambda w, s: NETWORK, shows=lambda w, s: []),
}
