"""Every page, as every role, against every world: no one sees or changes another organisation's
rows, and everyone sees their own (so that the test cannot pass by refusing everything).

Each page is walked with its URL filled from each object it addresses (enterprises A, B and C,
their certifications, years, grants and assignments, every organisation's proposals, every user's
token, the ledger and audit rows), and for parent/child URLs also with the child under another
enterprise. A GET must answer 200 with the object's markers to the roles `pages.PAGES` lets in and
403/404/405 to everyone else, and no answer may contain a marker its role may not read. A
plausible POST must change the database for the roles allowed to make it, only within what it
acts on, and change nothing at all for everyone else.

On the audit trail, which records what every change was, the auditor reads everything (mission.md
§2); zone staff read there only what they may read anyway (test_audit_trail says it plainly).
"""

from collections.abc import Iterable
from functools import partial
from typing import Any

import pytest
from tests.integration.scoping.pages import (
    PAGES,
    Instance,
    Post,
    harmless,
    instances,
    nobody,
    nothing,
    url_patterns,
    within,
)
from tests.integration.scoping.probe import (
    Attempt,
    Browser,
    changed_by_reading,
    run,
    snapshot,
    text,
)
from tests.integration.scoping.world import ROLES, Obj, World

from patientcap.accounts import scoping

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
        m._meta.label_lower for m in scoping.registered_models() if not m._default_manager.exists()
    )
    assert not empty, f"give the world in world.py rows of {empty}, with markers and readers"


def forbidden_shown(
    world: World, role: str, instance: Instance, body: str, supplied: Iterable[str] = ()
) -> list[str]:
    return world.leaks(role, body, audit_trail=instance.page.audit_trail, supplied=supplied)


def missing_shown(world: World, role: str, instance: Instance, body: str) -> tuple[list[str], int]:
    """The objects this role reads that the page must show but does not (positive controls)."""
    problems, checked = [], 0
    for obj in instance.page.shows(world, instance.subject):
        if obj.listed(role):
            checked += 1
            if (missing := obj.missing_from(body)) is not None:
                problems.append(f"does not show {missing!r} of {obj.key} (positive control)")
    return problems, checked


@pytest.mark.parametrize("role", sorted(ROLES))
def test_pages_show_each_role_its_own_rows_and_no_one_elses(world, db, role):
    browser = Browser(world.users[role])
    problems, positives = [], 0
    before = snapshot()
    for instance in instances(world):
        response = browser.client.get(instance.url)
        body, status = text(response), response.status_code
        found = forbidden_shown(world, role, instance, body)
        if instance.page.session:
            pass  # signing in and out: only what the answer shows is checked
        elif role in instance.get_ok(world):
            if status != 200:
                found.append(f"answers {status}, expected 200 (positive control)")
            elif instance.primary:
                missing, checked = missing_shown(world, role, instance, body)
                found += missing
                positives += checked
        elif status not in REFUSED:
            found.append(f"answers {status}, expected 403/404/405")
        problems += [f"{role} GET {instance}: {p}" for p in found]
    sends = [(f"{role} GET {i}", partial(browser.client.get, i.url)) for i in instances(world)]
    problems += changed_by_reading(sends, before)
    assert not problems, "\n".join(problems)
    assert positives, f"{role} was shown nothing of its own: the walk proves nothing"


def _posts(world: World, instance: Instance) -> list[tuple[Post, Obj | None]]:
    if not instance.page.posts:
        return [(Post("an empty form", nothing, nobody), instance.subject)]
    out: list[tuple[Post, Obj | None]] = []
    for post in instance.page.posts:
        targets: list[Obj | None] = [instance.subject]
        if post.targets:
            targets = list(world.kind(post.targets))
        out += [(post, target) for target in targets]
    return out


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
                send=partial(browser.client.post, instance.url, data),
                allowed=not instance.mismatched and role in post.allowed(world, target),
                judge=judge,
                within=within(world, role, post, target),
                harmless=harmless(world, role, post),
            )
        )
    return attempts


@pytest.mark.parametrize("role", sorted(ROLES))
def test_pages_let_each_role_change_only_what_it_may(world, db, role):
    browser = Browser(world.users[role])
    attempts = [
        attempt
        for instance in instances(world)
        if instance.primary and not instance.page.session
        for attempt in post_attempts(world, role, browser, instance)
    ]
    problems = run(attempts, browser)
    assert not problems, "\n".join(problems)


def test_auditors_change_nothing_through_any_method_on_any_page(world, db):
    browser = Browser(world.users["auditor"])

    def judge(instance: Instance, response: Any, body: str) -> list[str]:
        return forbidden_shown(world, "auditor", instance, body)

    attempts = [
        Attempt(
            where=f"auditor {method.upper()} {instance}",
            send=partial(getattr(browser.client, method), instance.url),
            allowed=False,
            judge=partial(judge, instance),
        )
        for instance in instances(world)
        if instance.primary and not instance.page.session
        for method in ("put", "patch", "delete")
    ]
    problems = run(attempts, browser)
    assert not problems, "\n".join(problems)


def test_no_role_reaches_the_admin(world, db):
    """The admin is outside the walk (platform staff only); no role of the network is staff."""
    problems = []
    for role, user in world.users.items():
        browser = Browser(user)
        for url in ("/admin/", "/admin/enterprises/enterprise/", "/admin/approvals/proposal/"):
            response = browser.client.get(url)
            if response.status_code != 302 or "/admin/login/" not in response["Location"]:
                problems.append(f"{role} GET {url}: answers {response.status_code}")
    assert not problems, "\n".join(problems)
