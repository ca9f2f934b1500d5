"""Every page, as every role, against every world: no one sees or changes another organisation's
rows, and everyone sees their own (so that the test cannot pass by refusing everything).

Each page is walked with its URL filled from each object it addresses (enterprises A, B and C,
their certifications, years, grants and assignments, every organisation's proposals, every user's
token, the ledger and audit rows), and for parent/child URLs also with the child under another
enterprise. A GET must answer 200 with the object's markers to the roles `pages.PAGES` lets in and
403/404/405 to everyone else, and no answer may contain a marker its role may not read. A
plausible POST must change the database for the roles allowed to make it, only within what it
acts on, and change nothing at all for everyone else.

One deliberate exception: the audit trail records what every change was (names, proposal notes,
token names), and its readers (zone staff and auditors) read all of it.
"""

from collections.abc import Callable
from typing import Any

import pytest

from patientcap.accounts import scoping

from tests.integration.scoping.pages import (
    NOBODY,
    PAGES,
    Instance,
    Post,
    instances,
    nothing,
    url_patterns,
)
from tests.integration.scoping.probe import Attempt, Browser, Change, run, text
from tests.integration.scoping.world import AUDIT_READERS, ROLES, Obj, World

REFUSED = {403, 404, 405}


def test_every_page_is_classified():
    names = {name for name, _route, _kwargs in url_patterns()}
    unclassified = sorted(names - set(PAGES))
    assert not unclassified, (
        f"New pages {unclassified}: classify each in tests/integration/scoping/pages.py PAGES "
        "(what its URL addresses, which roles may GET it, what it must show them, and which "
        "POSTs may change what for whom)."
    )
    assert not sorted(set(PAGES) - names), "PAGES names pages that no longer exist"


def test_the_world_holds_rows_of_every_scoped_model(world, db):
    empty = sorted(
        m._meta.label_lower
        for m in scoping.registered_models()
        if not m._default_manager.exists()
    )
    assert not empty, f"give the world in world.py rows of {empty}, with markers and readers"


def forbidden_shown(
    world: World, role: str, instance: Instance, body: str, supplied: set[str] = frozenset()
) -> list[str]:
    """Markers `role` may not read that the answer shows (unless the request carried them)."""
    return [
        f"shows {marker!r} of {key}"
        for key, marker in world.forbidden(role, audit_trail=instance.page.audit_trail)
        if marker in body and not any(marker in s for s in supplied)
    ]


def missing_shown(world: World, role: str, instance: Instance, body: str) -> tuple[list[str], int]:
    """The objects this role reads that the page must show but does not (positive controls)."""
    problems, checked = [], 0
    for obj in instance.page.shows(world, instance.subject):
        if obj.listed(role) or (instance.page.audit_trail and role in AUDIT_READERS):
            checked += 1
            if (missing := obj.missing_from(body)) is not None:
                problems.append(f"does not show {missing!r} of {obj.key} (positive control)")
    return problems, checked


@pytest.mark.parametrize("role", sorted(ROLES))
def test_pages_show_each_role_its_own_rows_and_no_one_elses(world, db, role):
    browser = Browser(world.users[role])
    problems, positives = [], 0
    for instance in instances(world):
        response = browser.client.get(instance.url)
        body, status = text(response), response.status_code
        found = forbidden_shown(world, role, instance, body)
        if instance.page.session:
            pass  # signing in and out: only what the answer shows is checked
        elif role in instance.get_ok(world):
            if status != 200:
                found.append(f"answers {status}, expected 200 (positive control)")
            else:
                missing, checked = missing_shown(world, role, instance, body)
                found += missing
                positives += checked
        elif status not in REFUSED:
            found.append(f"answers {status}, expected 403/404/405")
        problems += [f"{role} GET {instance}: {p}" for p in found]
    assert not problems, "\n".join(problems)
    assert positives, f"{role} was shown nothing of its own: the walk proves nothing"


def _posts(world: World, instance: Instance) -> list[tuple[Post, Obj | None]]:
    if not instance.page.posts:
        return [(Post("an empty form", nothing, lambda w, s: NOBODY), instance.subject)]
    out = []
    for post in instance.page.posts:
        targets = world.kind(post.targets) if post.targets else [instance.subject]
        out += [(post, target) for target in targets]
    return out


def _enterprise_pk(world: World, obj: Obj) -> object:
    return obj.pk if obj.key.startswith("ent_") else world.objects[obj.enterprise or ""].pk


def within(world: World, role: str, post: Post, target: Obj | None) -> Callable[[Change], bool]:
    """Which rows an allowed request may change: see `Post.confined`."""
    user = world.users[role]

    def own(change: Change) -> bool:
        return (
            (change.label == "accounts.user" and change.pk == user.pk)
            or (change.label == "accounts.apitoken" and change.values["user_id"] == user.pk)
            or (
                change.label == "approvals.proposal"
                and change.values["organisation_id"] == user.organisation_id
            )
        )

    def subject(change: Change) -> bool:
        assert target is not None
        return change.label == target.row._meta.label_lower and change.pk == target.row.pk

    def enterprise(change: Change) -> bool:
        assert target is not None
        pk = _enterprise_pk(world, target)
        if change.label == "enterprises.enterprise":
            return change.pk == pk
        return change.values.get("enterprise_id") == pk

    rules = {"own": own, "subject": subject, "enterprise": enterprise}
    return rules.get(post.confined, lambda change: True)


def post_attempts(world: World, role: str, browser: Browser, instance: Instance) -> list[Attempt]:
    attempts = []
    for post, target in _posts(world, instance):
        data = post.data(world, target)
        supplied = {v for v in data.values() if isinstance(v, str)} | post.supplied(world, target)
        about = f" of {target.key}" if post.targets and target else ""

        def judge(response: Any, body: str, supplied: set[str] = supplied) -> list[str]:
            return forbidden_shown(world, role, instance, body, supplied)

        attempts.append(
            Attempt(
                where=f"{role} POST {instance} [{post.label}{about}]",
                send=lambda data=data: browser.client.post(instance.url, data),
                allowed=not instance.mismatched and role in post.allowed(world, target),
                judge=judge,
                within=within(world, role, post, target),
            )
        )
    return attempts


@pytest.mark.parametrize("role", sorted(ROLES))
def test_pages_let_each_role_change_only_what_it_may(world, db, role):
    browser = Browser(world.users[role])
    attempts = [
        attempt
        for instance in instances(world)
        if not instance.page.session
        for attempt in post_attempts(world, role, browser, instance)
    ]
    problems = run(attempts, browser)
    assert not problems, "\n".join(problems)


def test_auditors_change_nothing_through_any_method_on_any_page(world, db):
    browser = Browser(world.users["auditor"])
    attempts = [
        Attempt(
            where=f"auditor {method.upper()} {instance}",
            send=lambda method=method, url=instance.url: getattr(browser.client, method)(url),
            allowed=False,
            judge=lambda response, body, instance=instance: forbidden_shown(
                world, "auditor", instance, body
            ),
        )
        for instance in instances(world)
        if not instance.page.session
        for method in ("put", "patch", "delete")
    ]
    problems = run(attempts, browser)
    assert not problems, "\n".join(problems)
