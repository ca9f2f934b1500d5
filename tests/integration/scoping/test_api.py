"""Every operation of API v1, as every role (with that user's bearer token), against every world:
no one reads or changes another organisation's rows, and everyone reads their own. The same
world, markers and rules as test_pages (see its docstring)."""

from collections.abc import Iterable
from functools import partial
from typing import Any

import pytest
from tests.integration.scoping.endpoints import (
    METHODS,
    OPERATIONS,
    Body,
    Call,
    calls,
    operations,
    send,
)
from tests.integration.scoping.pages import Post, harmless, within
from tests.integration.scoping.probe import (
    ApiClient,
    Attempt,
    changed_by_reading,
    run,
    snapshot,
    text,
)
from tests.integration.scoping.world import ROLES, Obj, World

REFUSED = {403, 404}
REFUSED_UNSAFE = {400, 403, 404, 405, 409, 422}


def test_every_api_operation_is_classified():
    found = {(method, path) for method, path, _params in operations()}
    unclassified = sorted(found - set(OPERATIONS))
    assert not unclassified, (
        f"New API operations {unclassified}: classify each in "
        "tests/integration/scoping/endpoints.py OPERATIONS (what its path names, which roles "
        "it answers, what it must show them, and which bodies may change what for whom)."
    )
    assert not sorted(set(OPERATIONS) - found), "OPERATIONS names operations that do not exist"


def forbidden_shown(
    world: World, role: str, call: Call, body: str, supplied: Iterable[str] = ()
) -> list[str]:
    return world.leaks(role, body, audit_trail=call.operation.audit_trail, supplied=supplied)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_api_shows_each_role_its_own_rows_and_no_one_elses(world, db, role):
    client = ApiClient(world.tokens[role]).client
    problems, positives = [], 0
    before = snapshot()
    for call in (c for c in calls(world) if c.method == "get"):
        response = send(client, "get", call.url, None, {})
        body, status = text(response), response.status_code
        found = forbidden_shown(world, role, call, body)
        if role in call.operation.ok(world, call.subject):
            if status != 200:
                found.append(f"answers {status}, expected 200 (positive control)")
            shown = call.operation.shows(world, call.subject) if call.primary else []
            for obj in shown if status == 200 else []:
                if obj.listed(role):
                    positives += 1
                    if (missing := obj.missing_from(body)) is not None:
                        found.append(f"does not show {missing!r} of {obj.key} (positive control)")
        elif status not in REFUSED:
            found.append(f"answers {status}, expected 403/404")
        problems += [f"{role} {call}: {p}" for p in found]
    sends = [
        (f"{role} {c}", partial(send, client, "get", c.url, None, {}))
        for c in calls(world)
        if c.method == "get"
    ]
    problems += changed_by_reading(sends, before)
    assert not problems, "\n".join(problems)
    assert positives, f"{role} was shown nothing of its own: the walk proves nothing"


def _bodies(world: World, call: Call) -> list[tuple[Body, Obj | None]]:
    out: list[tuple[Body, Obj | None]] = []
    for body in call.operation.bodies:
        targets: list[Obj | None] = [call.subject]
        if body.targets:
            targets = list(world.kind(body.targets))
        out += [(body, target) for target in targets]
    return out


def unsafe_attempts(world: World, role: str, client: Any, call: Call) -> list[Attempt]:
    attempts = []
    for body, target in _bodies(world, call):
        data = body.data(world, target)
        allowed = role in body.allowed(world, target)
        answered = allowed or role in body.answered(world, target)
        supplied = {v for v in data.values() if isinstance(v, str)} | body.supplied(world, target)
        about = f" of {target.key}" if body.targets and target else ""

        def judge(
            response: Any, shown: str, answered: bool = answered, supplied: set[str] = supplied
        ) -> list[str]:
            found = forbidden_shown(world, role, call, shown, supplied)
            status = response.status_code
            if answered and not 200 <= status < 300:
                found.append(f"answered {status}, expected 2xx: {shown[:200]}")
            elif not answered and status not in REFUSED_UNSAFE:
                found.append(f"answered {status}, expected a refusal")
            return found

        as_post = Post(
            body.label, body.data, body.allowed, body.confined, body.targets, harmless=body.harmless
        )
        attempts.append(
            Attempt(
                where=f"{role} {call} [{body.label}{about}]",
                send=partial(send, client, call.method, call.url, body, data),
                allowed=allowed,
                judge=judge,
                within=within(world, role, as_post, target),
                harmless=harmless(world, role, as_post),
            )
        )
    return attempts


@pytest.mark.parametrize("role", sorted(ROLES))
def test_api_lets_each_role_change_only_what_it_may(world, db, role):
    api = ApiClient(world.tokens[role])
    attempts = [
        attempt
        for call in calls(world)
        if call.method != "get" and call.primary
        for attempt in unsafe_attempts(world, role, api.client, call)
    ]
    problems = run(attempts, api)
    assert not problems, "\n".join(problems)


def test_auditors_change_nothing_through_any_method_on_any_api_path(world, db):
    api = ApiClient(world.tokens["auditor"])

    def judge(call: Call, response: Any, shown: str) -> list[str]:
        return forbidden_shown(world, "auditor", call, shown)

    urls = {(call.url, call.template): call for call in calls(world) if call.primary}
    attempts = [
        Attempt(
            where=f"auditor {method.upper()} {url}",
            send=partial(send, api.client, method, url, None, {}),
            allowed=False,
            judge=partial(judge, call),
        )
        for (url, _template), call in urls.items()
        for method in METHODS
        if method != "get"
    ]
    problems = run(attempts, api)
    assert not problems, "\n".join(problems)
