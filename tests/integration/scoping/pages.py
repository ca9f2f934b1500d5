"""Every page of the site, classified: what its URL addresses, who gets it, what it must show
them, and which plausible POSTs may change what for whom.

`PAGES` must name every URL pattern outside admin/, i18n/ and api/ (walked from the resolver):
a new page makes test_every_page_is_classified fail until it is added here.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from tests.integration.enterprises import workbooks
from tests.integration.scoping import programmes
from tests.integration.scoping.probe import Change
from tests.integration.scoping.world import (
    ALL,
    AUDIT_READERS,
    ENTERPRISE_USERS,
    LEDGER_READERS,
    OVERRIDE_DAY,
    Obj,
    World,
)
from tests.support import PASSWORD

from patientcap.domain.uscc import make_uscc

SKIPPED_PREFIXES = ("admin/", "i18n/", "api/", "static/")
NOBODY: frozenset[str] = frozenset()

Roles = Callable[[World, Obj | None], frozenset[str]]


def everyone(world: World, subject: Obj | None) -> frozenset[str]:
    return ALL


def nobody(world: World, subject: Obj | None) -> frozenset[str]:
    return NOBODY


def only(*roles: str) -> Roles:
    return lambda world, subject: frozenset(roles)


def audit_readers(world: World, subject: Obj | None) -> frozenset[str]:
    return AUDIT_READERS


def ledger_readers(world: World, subject: Obj | None) -> frozenset[str]:
    return LEDGER_READERS


def readers(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None
    return subject.readers


def writers(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None
    return subject.writers


def enterprise_writers(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None and subject.enterprise is not None
    return world.objects[subject.enterprise].writers


def maker(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None and subject.owner is not None
    return frozenset({subject.owner})


def deciders(world: World, subject: Obj | None) -> frozenset[str]:
    """A proposal's checkers: its organisation's people other than the maker (never auditors)."""
    assert subject is not None and subject.owner is not None
    return subject.writers - {subject.owner}


# --- What a URL addresses: the subjects it is walked with, and its kwargs -------------------
def _by_pk(prefix: str, kwarg: str = "pk") -> Callable[[World], Iterator[tuple[Obj, dict, bool]]]:
    def walk(world: World) -> Iterator[tuple[Obj, dict, bool]]:
        for obj in world.kind(prefix):
            yield obj, {kwarg: obj.pk}, False

    return walk


def _child(prefix: str, kwarg: str) -> Callable[[World], Iterator[tuple[Obj, dict, bool]]]:
    """A row under its enterprise, and the same row under another enterprise's URL (a parent and
    child that do not belong together must never reach the child)."""

    def walk(world: World) -> Iterator[tuple[Obj, dict, bool]]:
        enterprises = [o.key for o in world.kind("ent_")]
        for obj in world.kind(prefix):
            assert obj.enterprise is not None
            own = world.objects[obj.enterprise]
            other = world.objects[enterprises[(enterprises.index(own.key) + 1) % 3]]
            yield obj, {"pk": own.pk, kwarg: obj.pk}, False
            yield obj, {"pk": other.pk, kwarg: obj.pk}, True

    return walk


def _year(world: World) -> Iterator[tuple[Obj, dict, bool]]:
    for obj in world.kind("fy_"):
        assert obj.enterprise is not None
        yield obj, {"pk": world.objects[obj.enterprise].pk, "year": obj.pk}, False


ADDRESSES: dict[str, Callable[[World], Iterator[tuple[Obj, dict, bool]]]] = {
    "enterprise": _by_pk("ent_"),
    "financial year": _year,
    "certification": _child("cert_", "cert_id"),
    "grant": _child("grant_", "grant_id"),
    "assignment": _child("assign_", "assignment_id"),
    "proposal": _by_pk("prop_"),
    "token": _by_pk("token_"),
    "audit entry": _by_pk("audit_", "seq"),
    "ledger entry": _by_pk("ledger_entry"),
    "ledger account": _by_pk("ledger_account", "code"),
    "parameter": _by_pk("parameter", "name"),
    "job": _by_pk("job_"),
}


# --- Plausible form data ---------------------------------------------------------------------
def _profile_form(e: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "uscc": e.uscc,
        "name": e.name,
        "registration_date": e.registration_date.isoformat(),
        "industry_code": e.industry_code,
        "growth_stage": e.growth_stage,
        "strategic_category": e.strategic_category,
        "district": e.district,
        "address": e.address,
        "legal_representative": e.legal_representative,
    }
    if e.strategic_emerging:
        data["strategic_emerging"] = "on"
    data.update(changes)
    return data


def new_profile(world: World, subject: Obj | None) -> dict[str, Any]:
    return {
        "uscc": make_uscc(7_310_099),
        "name": "Scoping newly registered firm",
        "registration_date": "2021-02-03",
        "industry_code": "I65",
        "growth_stage": "seed",
    }


def renamed(world: World, subject: Obj | None) -> dict[str, Any]:
    assert subject is not None
    return _profile_form(subject.row, name="Renamed by the scoping test")


def year_form(year: int) -> Callable[[World, Obj | None], dict[str, Any]]:
    def data(world: World, subject: Obj | None) -> dict[str, Any]:
        return {"year": str(year), "revenue_fen": "1000.00", "total": "9", "tech_staff": "3"}

    return data


def certification(number: str) -> Callable[[World, Obj | None], dict[str, Any]]:
    """A new certification (on an enterprise), or a new number for an existing one."""

    def data(world: World, subject: Obj | None) -> dict[str, Any]:
        editing = subject is not None and subject.key.startswith("cert_")
        return {
            "kind": "tech_sme" if editing else "little_giant",
            "certificate_number": number,
            "valid_from": "2024-01-01" if editing else "2024-02-01",
            "valid_to": "2027-01-31",
        }

    return data


def contribution(world: World, subject: Obj | None) -> dict[str, Any]:
    return {
        "book": "fiscal_pool",
        "amount": "100万",
        "date": "2026-03-16",
        "document_ref": "scoping contribution",
        "memo": "",
        "reason": "scoping",
    }


# A grantee and an agent each enterprise does not have yet.
NEW_GRANTEE = {"ent_a": "guarantor_b", "ent_b": "guarantor_a", "ent_c": "guarantor_b"}
NEW_AGENT = {
    "ent_a": "other_service_agent",
    "ent_b": "service_agent",
    "ent_c": "other_service_agent",
}


def grant(world: World, subject: Obj | None) -> dict[str, Any]:
    assert subject is not None
    org = world.orgs[NEW_GRANTEE[subject.key]]
    return {"grant": "1", "organisation": str(org.pk), "purpose": "scoping test grant"}


def assign(world: World, subject: Obj | None) -> dict[str, Any]:
    assert subject is not None
    agent = world.users[NEW_AGENT[subject.key]]
    return {"assign": "1", "agent": str(agent.pk), "since": timezone.localdate().isoformat()}


def workbook_renaming(world: World, target: Obj | None) -> dict[str, Any]:
    assert target is not None
    data = workbooks.workbook(
        [workbooks.good_row(1, uscc=target.row.uscc, name="Renamed by import")]
    )
    return {"file": SimpleUploadedFile("scoping.xlsx", data)}


def password_change(world: World, subject: Obj | None) -> dict[str, Any]:
    new = "Scoping-test-new-passphrase-2025"
    return {"old_password": PASSWORD, "new_password1": new, "new_password2": new}


@dataclass(frozen=True)
class Post:
    """A plausible unsafe request. `allowed` roles must change the database (positive control);
    everyone else must change nothing. `confined` says which changed rows an allowed request may
    touch: "enterprise" (the rows of the enterprise it acts on), "own" (the actor's own account,
    tokens and organisation's proposals), "subject" (the addressed row only) or "" (unchecked).
    `targets` walks a page without kwargs once per object the data acts on."""

    label: str
    data: Callable[[World, Obj | None], dict[str, Any]]
    allowed: Roles
    confined: str = ""
    targets: str = ""
    # Strings the request itself carries beyond its form fields (an uploaded file's cells): an
    # answer that repeats them back shows the asker nothing new.
    supplied: Callable[[World, Obj | None], set[str]] = lambda world, subject: set()
    # Rows anyone who may make the request writes whatever it acts on: "own jobs" (the job that
    # runs the request in the background, whose outcome is then judged like any other change).
    harmless: str = ""


def nothing(world: World, subject: Obj | None) -> dict[str, Any]:
    return {}


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


def harmless(world: World, role: str, post: Post) -> Callable[[Change], bool]:
    """The changes a request may make even when it is refused: see `Post.harmless`."""
    user = world.users[role]
    if post.harmless == "own jobs":
        return lambda change: change.label == "core.job" and change.values["owner_id"] == user.pk
    assert not post.harmless, post.harmless
    return lambda change: False


@dataclass(frozen=True)
class Page:
    """`get`: the roles answered 200 (everyone else: 403 or 404, or 405 for POST-only pages);
    `shows`: objects whose markers those roles must find on it when they may read them.
    `session`: signing in and out changes the session, not organisation data: not POSTed.
    `audit_trail`: the page shows the audit trail, where its readers see what it recorded."""

    address: str | None
    get: Roles
    shows: Callable[[World, Obj | None], list[Obj]] = lambda world, subject: (
        [subject] if subject else []
    )
    posts: tuple[Post, ...] = ()
    session: bool = False
    audit_trail: bool = False
    # Query strings to walk it with; `shows` is checked on the first (searches and filters only
    # narrow what the first shows, and must not widen it).
    queries: tuple[str, ...] = ("",)


def all_of(prefix: str) -> Callable[[World, Obj | None], list[Obj]]:
    return lambda world, subject: world.kind(prefix)


def enterprise_file(world: World, subject: Obj | None) -> list[Obj]:
    """An enterprise's profile, its legal representative, certification and yearly figures."""
    assert subject is not None
    return [
        world.objects[subject.key.replace("ent_", kind)]
        for kind in ("ent_", "rep_", "cert_", "fy_")
    ]


def _parent(world: World, subject: Obj | None) -> list[Obj]:
    assert subject is not None and subject.enterprise is not None
    return [world.objects[subject.enterprise]]


PAGES: dict[str, Page] = {
    "home": Page(None, everyone),
    "job": Page("job", readers),
    "accounts:login": Page(None, nobody, session=True),
    "accounts:logout": Page(None, nobody, session=True),
    "accounts:organisation": Page(None, everyone),
    "accounts:profile": Page(
        None, everyone, posts=(Post("change my password", password_change, everyone, "own"),)
    ),
    "accounts:tokens": Page(
        None,
        everyone,
        shows=all_of("token_"),
        posts=(
            Post(
                "create a token",
                lambda w, s: {"name": "scoping", "days": "7", "password": PASSWORD},
                everyone,
                "own",
            ),
        ),
    ),
    "accounts:revoke_token": Page("token", nobody, posts=(Post("revoke", nothing, maker, "own"),)),
    "approvals:list": Page(
        None,
        everyone,
        shows=all_of("prop_"),
        queries=("", "?tab=all&status=pending", "?tab=mine", "?tab=waiting"),
    ),
    "approvals:detail": Page("proposal", readers),
    "approvals:approve": Page(
        "proposal",
        nobody,
        posts=(Post("approve", lambda w, s: {"comment": "ok"}, deciders, "subject"),),
    ),
    "approvals:reject": Page(
        "proposal",
        nobody,
        posts=(Post("reject", lambda w, s: {"comment": "no"}, deciders, "subject"),),
    ),
    "approvals:withdraw": Page(
        "proposal", nobody, posts=(Post("withdraw", nothing, maker, "subject"),)
    ),
    "audit:log": Page(
        None,
        audit_readers,
        audit_trail=True,
        queries=("", "?object_type=enterprise", "?object_type=proposal"),
    ),
    "audit:verify": Page(
        None, nobody, audit_trail=True, posts=(Post("verify the chain", nothing, only()),)
    ),
    "audit:entry": Page("audit entry", readers, audit_trail=True),
    "enterprises:list": Page(
        None, everyone, shows=all_of("ent_"), queries=("", "?q=MK-ENT", "?q=915&sort=uscc")
    ),
    "enterprises:create": Page(
        None, only("zone_officer"), posts=(Post("register", new_profile, only("zone_officer")),)
    ),
    "enterprises:import": Page(
        None,
        lambda w, s: ENTERPRISE_USERS | {"zone_officer"},
        shows=all_of("job_"),
        posts=(
            Post(
                "import",
                workbook_renaming,
                writers,
                "enterprise",
                targets="ent_",
                supplied=lambda w, target: {target.row.uscc} if target else set(),
                harmless="own jobs",
            ),
        ),
    ),
    "enterprises:template": Page(None, everyone),
    "enterprises:export": Page(None, everyone, shows=all_of("ent_"), queries=("", "?q=MK-ENT")),
    "enterprises:detail": Page("enterprise", readers, shows=enterprise_file),
    "enterprises:edit": Page(
        "enterprise", writers, posts=(Post("rename", renamed, writers, "enterprise"),)
    ),
    "enterprises:year_new": Page(
        "enterprise", writers, posts=(Post("add a year", year_form(2023), writers, "enterprise"),)
    ),
    "enterprises:year_edit": Page(
        "financial year",
        enterprise_writers,
        shows=_parent,
        posts=(Post("change a year", year_form(2024), enterprise_writers, "enterprise"),),
    ),
    "enterprises:certification_new": Page(
        "enterprise",
        writers,
        posts=(Post("add", certification("SCOPING-NEW"), writers, "enterprise"),),
    ),
    "enterprises:certification_edit": Page(
        "certification",
        enterprise_writers,
        posts=(Post("change", certification("SCOPING-CHANGED"), enterprise_writers, "enterprise"),),
    ),
    "enterprises:certification_delete": Page(
        "certification", nobody, posts=(Post("delete", nothing, enterprise_writers, "enterprise"),)
    ),
    "enterprises:access": Page(
        "enterprise",
        readers,
        posts=(
            Post("grant access", grant, writers, "enterprise"),
            Post("assign an agent", assign, only("zone_officer"), "enterprise"),
        ),
    ),
    "enterprises:revoke": Page(
        "grant", nobody, posts=(Post("revoke", nothing, writers, "enterprise"),)
    ),
    "enterprises:end_assignment": Page(
        "assignment", nobody, posts=(Post("end", nothing, writers, "enterprise"),)
    ),
    "ledger:books": Page(None, ledger_readers, shows=all_of("ledger_entry")),
    "ledger:account": Page("ledger account", readers),
    "ledger:entries": Page(
        None,
        ledger_readers,
        shows=all_of("ledger_entry"),
        queries=("", "?book=fiscal_pool"),
    ),
    "ledger:entry": Page("ledger entry", readers),
    "ledger:contribute": Page(
        None,
        only("zone_officer"),
        posts=(Post("propose a contribution", contribution, only("zone_officer"), "own"),),
    ),
    "ledger:propose_reversal": Page(
        "ledger entry",
        nobody,
        posts=(
            Post(
                "propose a reversal",
                lambda w, s: {"reason": "scoping"},
                only("zone_officer"),
                "own",
            ),
        ),
    ),
    "policy:parameters": Page(None, everyone),
    "policy:parameter": Page("parameter", readers),
    "policy:calendar": Page(
        None, everyone, shows=all_of("override"), queries=(f"?year={OVERRIDE_DAY.year}",)
    ),
}

# Each programme app's addresses and pages (tests/integration/scoping/programmes/).
ADDRESSES.update(programmes.merged("ADDRESSES"))
PAGES.update(programmes.merged("PAGES"))


@dataclass(frozen=True)
class Instance:
    """One URL to walk: a page with its kwargs filled from a subject of the world."""

    name: str
    url: str
    page: Page
    subject: Obj | None
    mismatched: bool = False
    primary: bool = True  # walked with the page's first query string

    def get_ok(self, world: World) -> frozenset[str]:
        return NOBODY if self.mismatched else self.page.get(world, self.subject)

    def __str__(self) -> str:
        if self.subject is None:
            return self.url
        return f"{self.url} ({self.subject.key}{', mismatched parent' if self.mismatched else ''})"


def url_patterns() -> list[tuple[str, str, set[str]]]:
    """(name, route, kwarg names) of every URL pattern outside the skipped prefixes."""
    found = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                walk(p.url_patterns, route, ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name or route
                found.append((name, route, set(p.pattern.converters)))

    walk(get_resolver().url_patterns, "", "")
    return found


def instances(world: World) -> list[Instance]:
    out = []
    for name, _route, kwargs in url_patterns():
        page = PAGES.get(name)
        if page is None:
            continue  # test_every_page_is_classified names it
        if page.address is None:
            assert not kwargs, f"{name} takes {kwargs}: classify what it addresses"
            walk: list[tuple[Obj | None, dict, bool]] = [(None, {}, False)]
        else:
            walk = list(ADDRESSES[page.address](world))
        for subject, values, mismatched in walk:
            assert set(values) == kwargs, f"{name} takes {kwargs}, the table fills {set(values)}"
            for n, query in enumerate(page.queries):
                url = reverse(name, kwargs=values or None) + query
                out.append(Instance(name, url, page, subject, mismatched, primary=n == 0))
    return out
