"""Every operation of API v1, as every role (with that user's bearer token), against every world:
no one reads or changes another organisation's rows, and everyone reads their own. The same
world, markers and rules as test_pages (see its docstring)."""

import pytest

from tests.integration.scoping.endpoints import METHODS, OPERATIONS, Body, Call, calls, operations, send
from tests.integration.scoping.pages import Post
from tests.integration.scoping.probe import ApiClient, Attempt, run, text
from tests.integration.scoping.test_pages import within
from tests.integration.scoping.world import AUDIT_READERS, ROLES, Obj, World

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


def forbidden_shown(world: World, role: str, call: Call, body: str, supplied=frozenset()) -> list[str]:
    return [
        f"shows {marker!r} of {key}"
        for key, marker in world.forbidden(role, audit_trail=call.operation.audit_trail)
        if marker in body and not any(marker in s for s in supplied)
    ]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_api_shows_each_role_its_own_rows_and_no_one_elses(world, db, role):
    client = ApiClient(world.tokens[role]).client
    problems, positives = [], 0
    for call in (c for c in calls(world) if c.method == "get"):
        response = send(client, "get", call.url, None, {})
        body, status = text(response), response.status_code
        found = forbidden_shown(world, role, call, body)
        if role in call.operation.ok(world, call.subject):
            if status != 200:
                found.append(f"answers {status}, expected 200 (positive control)")
            for obj in call.operation.shows(world, call.subject) if status == 200 else []:
                if obj.listed(role) or (call.operation.audit_trail and role in AUDIT_READERS):
                    positives += 1
                    if (missing := obj.missing_from(body)) is not None:
                        found.append(f"does not show {missing!r} of {obj.key} (positive control)")
        elif status not in REFUSED:
            found.append(f"answers {status}, expected 403/404")
        problems += [f"{role} {call}: {p}" for p in found]
    assert not problems, "\n".join(problems)
    assert positives, f"{role} was shown nothing of its own: the walk proves nothing"


def _bodies(world: World, call: Call) -> list[tuple[Body, Obj | None]]:
    out = []
    for body in call.operation.bodies:
        targets = world.kind(body.targets) if body.targets else [call.subject]
        out += [(body, target) for target in targets]
    return out


def unsafe_attempts(world: World, role: str, client, call: Call) -> list[Attempt]:
    attempts = []
    for body, target in _bodies(world, call):
        data = body.data(world, target)
        allowed = role in body.allowed(world, target)
        answered = allowed or role in body.answered(world, target)
        supplied = {v for v in data.values() if isinstance(v, str)} | body.supplied(world, target)
        about = f" of {target.key}" if body.targets and target else ""

        def judge(response, shown, answered=answered, supplied=supplied) -> list[str]:
            found = forbidden_shown(world, role, call, shown, supplied)
            status = response.status_code
            if answered and not 200 <= status < 300:
                found.append(f"answered {status}, expected 2xx: {shown[:200]}")
            elif not answered and status not in REFUSED_UNSAFE:
                found.append(f"answered {status}, expected a refusal")
            return found

        as_post = Post(body.label, body.data, body.allowed, body.confined, body.targets)
        attempts.append(
            Attempt(
                where=f"{role} {call} [{body.label}{about}]",
                send=lambda data=data, body=body: send(client, call.method, call.url, body, data),
                allowed=allowed,
                judge=judge,
                within=within(world, role, as_post, target),
            )
        )
    return attempts


@pytest.mark.parametrize("role", sorted(ROLES))
def test_api_lets_each_role_change_only_what_it_may(world, db, role):
    api = ApiClient(world.tokens[role])
    attempts = [
        attempt
        for call in calls(world)
        if call.method != "get"
        for attempt in unsafe_attempts(world, role, api.client, call)
    ]
    problems = run(attempts, api)
    assert not problems, "\n".join(problems)


def test_auditors_change_nothing_through_any_method_on_any_api_path(world, db):
    api = ApiClient(world.tokens["auditor"])
    urls = {(call.url, call.template): call for call in calls(world)}
    attempts = [
        Attempt(
            where=f"auditor {method.upper()} {url}",
            send=lambda method=method, url=url: send(api.client, method, url, None, {}),
            allowed=False,
            judge=lambda response, shown, call=call: forbidden_shown(world, "auditor", call, shown),
        )
        for (url, _template), call in urls.items()
        for method in METHODS
        if method != "get"
    ]
    problems = run(attempts, api)
    assert not problems, "\n".join(problems)
