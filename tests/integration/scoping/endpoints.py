"""Every operation of API v1, classified like the pages: what its path addresses, who gets a
2xx answer, what it must show them, and which bodies may change what for whom.

`OPERATIONS` must name every (method, path) of the OpenAPI document: a new operation makes
test_every_api_operation_is_classified fail until it is added here.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from tests.integration.enterprises import workbooks
from tests.integration.scoping import programmes
from tests.integration.scoping.pages import (
    ADDRESSES,
    Roles,
    all_of,
    audit_readers,
    deciders,
    enterprise_file,
    everyone,
    ledger_readers,
    maker,
    new_profile,
    nobody,
    only,
    readers,
    writers,
)
from tests.integration.scoping.world import (
    ALL,
    ENTERPRISE_USERS,
    NOTE_ACTION,
    OVERRIDE_DAY,
    Obj,
    World,
)

from patientcap.api import api

SAFE = "get"
METHODS = ("get", "post", "put", "patch", "delete")


def _rename_org(org_key: str) -> Callable[[World, Obj | None], dict[str, Any]]:
    """A proposal (the approval tests' action) to rename a bank: only its own officer may."""

    def body(world: World, subject: Obj | None) -> dict[str, Any]:
        return {
            "action": "tests.rename_organisation",
            "payload": {"organisation_id": world.orgs[org_key].pk, "name": "Renamed bank"},
            "reason": "scoping test",
        }

    return body


def _note(world: World, subject: Obj | None) -> dict[str, Any]:
    return {"action": NOTE_ACTION, "payload": {"note": "scoping API note"}, "reason": "test"}


def _import(world: World, target: Obj | None) -> dict[str, Any]:
    assert target is not None
    data = workbooks.workbook([workbooks.good_row(1, uscc=target.row.uscc, name="Renamed by API")])
    return {"file": SimpleUploadedFile("scoping.xlsx", data)}


@dataclass(frozen=True)
class Body:
    """An unsafe request's body: `allowed` roles must change the database (within `confined`,
    as for pages) and be answered 2xx; `answered` roles are answered 2xx without changing
    anything (auditors verifying the chain); everyone else is refused and changes nothing."""

    label: str
    data: Callable[[World, Obj | None], dict[str, Any]]
    allowed: Roles
    confined: str = ""
    targets: str = ""
    multipart: bool = False
    answered: Roles = nobody
    supplied: Callable[[World, Obj | None], set[str]] = lambda world, subject: set()
    harmless: str = ""  # as for pages


@dataclass(frozen=True)
class Operation:
    """`address`: what the one path parameter names (a key of pages.ADDRESSES, or None);
    `ok`: the roles a GET answers 200 (everyone else: 403 or 404); `shows`: objects whose
    markers those roles must find in it; `bodies`: plausible unsafe requests."""

    address: str | None
    ok: Roles = everyone
    shows: Callable[[World, Obj | None], list[Obj]] = lambda world, subject: (
        [subject] if subject else []
    )
    bodies: tuple[Body, ...] = ()
    audit_trail: bool = False
    queries: tuple[str, ...] = ("",)  # as for pages: `shows` is checked on the first


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("get", "/api/v1/accounts/me"): Operation(None),
    ("get", "/api/v1/accounts/organisations"): Operation(None, shows=all_of("org_")),
    ("get", "/api/v1/approvals/"): Operation(
        None, shows=all_of("prop_"), queries=("", "?tab=all&status=pending", "?tab=waiting")
    ),
    ("post", "/api/v1/approvals/"): Operation(
        None,
        bodies=(
            Body("propose a note", _note, lambda w, s: ALL - {"auditor"}, "own"),
            Body("propose renaming bank A", _rename_org("bank_a"), only("bank_officer"), "own"),
            Body(
                "propose renaming bank B", _rename_org("bank_b"), only("other_bank_officer"), "own"
            ),
        ),
    ),
    ("get", "/api/v1/approvals/{proposal_id}"): Operation("proposal", readers),
    ("post", "/api/v1/approvals/{proposal_id}/approve"): Operation(
        "proposal", bodies=(Body("approve", lambda w, s: {"comment": "ok"}, deciders, "subject"),)
    ),
    ("post", "/api/v1/approvals/{proposal_id}/reject"): Operation(
        "proposal", bodies=(Body("reject", lambda w, s: {"comment": "no"}, deciders, "subject"),)
    ),
    ("post", "/api/v1/approvals/{proposal_id}/withdraw"): Operation(
        "proposal", bodies=(Body("withdraw", lambda w, s: {}, maker, "subject"),)
    ),
    ("get", "/api/v1/audit/entries"): Operation(
        None, audit_readers, audit_trail=True, queries=("", "?object_type=enterprise&page_size=500")
    ),
    ("get", "/api/v1/audit/entries/{seq}"): Operation("audit entry", readers, audit_trail=True),
    ("post", "/api/v1/audit/verify"): Operation(
        None,
        audit_trail=True,
        bodies=(Body("verify", lambda w, s: {}, nobody, answered=only("auditor")),),
    ),
    ("get", "/api/v1/enterprises/"): Operation(
        None, shows=all_of("ent_"), queries=("", "?q=MK-ENT&page_size=200", "?q=915&sort=uscc")
    ),
    ("post", "/api/v1/enterprises/"): Operation(
        None, bodies=(Body("register", new_profile, only("zone_officer")),)
    ),
    ("get", "/api/v1/enterprises/export"): Operation(
        None, shows=all_of("ent_"), queries=("", "?q=MK-ENT")
    ),
    ("post", "/api/v1/enterprises/import"): Operation(
        None,
        bodies=(
            Body(
                "import",
                _import,
                writers,
                "enterprise",
                targets="ent_",
                multipart=True,
                # Whoever may import is answered 202 at once; the job then imports or refuses.
                answered=lambda w, s: ENTERPRISE_USERS | {"zone_officer"},
                supplied=lambda w, target: {target.row.uscc} if target else set(),
                harmless="own jobs",
            ),
        ),
    ),
    ("get", "/api/v1/enterprises/{pk}"): Operation("enterprise", readers, shows=enterprise_file),
    ("patch", "/api/v1/enterprises/{pk}"): Operation(
        "enterprise",
        bodies=(Body("rename", lambda w, s: {"name": "Renamed by API"}, writers, "enterprise"),),
    ),
    ("get", "/api/v1/jobs/{pk}"): Operation("job", readers),
    ("get", "/api/v1/ledger/books"): Operation(None, ledger_readers),
    ("get", "/api/v1/ledger/books/{book}/trial-balance"): Operation("book", readers),
    ("get", "/api/v1/ledger/accounts/{code}/statement"): Operation("ledger account", readers),
    ("get", "/api/v1/ledger/entries"): Operation(
        None,
        ledger_readers,
        shows=all_of("ledger_entry"),
        queries=("", "?book=fiscal_pool&account=fiscal_pool.cash"),
    ),
    ("get", "/api/v1/ledger/entries/{entry_id}"): Operation("ledger entry", readers),
    ("get", "/api/v1/policy/parameters"): Operation(None),
    ("get", "/api/v1/policy/parameters/{name}"): Operation("parameter", readers),
    ("get", "/api/v1/policy/calendar/working-days"): Operation(
        None, shows=lambda w, s: [], queries=(f"?start={OVERRIDE_DAY.isoformat()}&n=3",)
    ),
    ("get", "/api/v1/policy/calendar/working-days/between"): Operation(
        None, queries=(f"?start={OVERRIDE_DAY.isoformat()}&end=2025-03-31",)
    ),
}

# Each programme app's API operations (tests/integration/scoping/programmes/*_api.py).
OPERATIONS.update(programmes.merged("OPERATIONS", suffix="_api"))


def operations() -> list[tuple[str, str, list[str]]]:
    """(method, path, path parameter names) of every operation in the OpenAPI document."""
    schema = api.get_openapi_schema()
    return [
        (method, path, [p["name"] for p in op.get("parameters", []) if p["in"] == "path"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]


def subjects(world: World, address: str | None) -> Sequence[Obj | None]:
    if address is None:
        return [None]
    if address == "book":
        return list(world.kind("book"))
    return [subject for subject, _kwargs, _mismatched in ADDRESSES[address](world)]


@dataclass(frozen=True)
class Call:
    """One operation with its path filled from a subject of the world."""

    method: str
    template: str
    url: str
    operation: Operation
    subject: Obj | None
    primary: bool = True

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url}" + (
            f" ({self.subject.key})" if self.subject else ""
        )


def calls(world: World) -> list[Call]:
    out = []
    for method, path, params in operations():
        op = OPERATIONS.get((method, path))
        if op is None:
            continue  # test_every_api_operation_is_classified names it
        assert len(params) == (op.address is not None), (
            f"{method.upper()} {path}: its path parameters {params} do not match the table"
        )
        for subject in subjects(world, op.address):
            url = path
            if params:
                assert subject is not None
                url = path.replace("{" + params[0] + "}", str(subject.pk))
            for n, query in enumerate(op.queries):
                out.append(Call(method, path, url + query, op, subject, primary=n == 0))
    return out


def send(client: Any, method: str, url: str, body: Body | None, data: dict[str, Any]) -> Any:
    if body is not None and body.multipart:
        return client.post(url, data)
    if method == SAFE:
        return client.get(url)
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")
