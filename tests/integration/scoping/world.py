"""The worlds that must be kept apart, built with the real services, and who may see what of them.

World A: enterprise A (login organisation enterprise A) shares its data with bank A and guarantor
A and is served by the service agent. World B: enterprise B (login enterprise B) shares with bank
B and guarantor B only and is served by another service agent of the same service organisation.
Enterprise C has no login, shared with nobody now: its grant to bank A was revoked and its
service agent's assignment has ended. Every organisation also proposes something in the approval
queue, every user holds an API token, and the zone has a ledger entry and a calendar override.

Every object carries marker strings in text fields that the pages and the API render; `readers`
says which roles may see those strings. A page or endpoint that shows a role a marker it may not
read leaks a row; one that refuses a reader (or does not show the marker) is caught by the
positive controls. Markers end with "~" so that no marker is a prefix of another.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from tests.integration.approvals import actions as _test_actions  # noqa: F401  (rename action)
from tests.integration.scoping import programmes
from tests.support import PASSWORD

from patientcap import approvals
from patientcap.accounts import services as accounts
from patientcap.accounts.models import Organisation, OrganisationType, Role, User
from patientcap.approvals import services as proposals
from patientcap.audit.models import AuditEntry
from patientcap.domain.ledger import credit, debit
from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import services as registry
from patientcap.enterprises import tasks as imports
from patientcap.ledger.models import Account
from patientcap.ledger.services import post_entry
from patientcap.policy import selectors as policy
from patientcap.policy import services as calendar

# The roles of tests/conftest.py `users`, plus a second service agent (same organisation as the
# first) who serves enterprise B: role key -> (username, role, organisation key).
ROLES: dict[str, tuple[str, str, str]] = {
    "zone_officer": ("w_zone_officer", Role.ZONE_OFFICER, "zone"),
    "reviewer": ("w_reviewer", Role.REVIEWER, "zone"),
    "bank_officer": ("w_bank_a_officer", Role.BANK_OFFICER, "bank_a"),
    "other_bank_officer": ("w_bank_b_officer", Role.BANK_OFFICER, "bank_b"),
    "guarantor_officer": ("w_guarantor_a_officer", Role.GUARANTOR_OFFICER, "guarantor_a"),
    "other_guarantor_officer": ("w_guarantor_b_officer", Role.GUARANTOR_OFFICER, "guarantor_b"),
    "service_agent": ("w_service_agent", Role.SERVICE_AGENT, "service"),
    "other_service_agent": ("w_service_agent_b", Role.SERVICE_AGENT, "service"),
    "enterprise_user": ("w_enterprise_a_user", Role.ENTERPRISE_USER, "enterprise_a"),
    "other_enterprise_user": ("w_enterprise_b_user", Role.ENTERPRISE_USER, "enterprise_b"),
    "auditor": ("w_auditor", Role.AUDITOR, "audit"),
}
ALL = frozenset(ROLES)
ZONE = frozenset({"zone_officer", "reviewer"})
NETWORK = ZONE | {"auditor"}  # read every enterprise, the audit trail and the ledger
AUDIT_READERS = NETWORK
LEDGER_READERS = NETWORK
ENTERPRISE_USERS = frozenset({"enterprise_user", "other_enterprise_user"})

# Organisation key -> (name, type). Names of the organisations that must be kept apart are
# markers; the zone, service, university and audit organisations are not tenants of each other.
ORGANISATIONS: dict[str, tuple[str, str]] = {
    "zone": ("Scoping Zone Committee", OrganisationType.ZONE),
    "bank_a": ("MK-ORG-BANK-A~", OrganisationType.BANK),
    "bank_b": ("MK-ORG-BANK-B~", OrganisationType.BANK),
    "guarantor_a": ("MK-ORG-GUAR-A~", OrganisationType.GUARANTOR),
    "guarantor_b": ("MK-ORG-GUAR-B~", OrganisationType.GUARANTOR),
    "service": ("Scoping Service Association", OrganisationType.SERVICE),
    "university": ("Scoping University", OrganisationType.UNIVERSITY),
    "enterprise_a": ("MK-ORG-ENT-A~", OrganisationType.ENTERPRISE),
    "enterprise_b": ("MK-ORG-ENT-B~", OrganisationType.ENTERPRISE),
    "audit": ("Scoping Audit Office", OrganisationType.AUDIT),
}
# Bank and guarantor names are a directory every enterprise user picks from when granting access.
ORG_READERS: dict[str, frozenset[str]] = {
    "bank_a": NETWORK | {"bank_officer"} | ENTERPRISE_USERS,
    "bank_b": NETWORK | {"other_bank_officer"} | ENTERPRISE_USERS,
    "guarantor_a": NETWORK | {"guarantor_officer"} | ENTERPRISE_USERS,
    "guarantor_b": NETWORK | {"other_guarantor_officer"} | ENTERPRISE_USERS,
    "enterprise_a": NETWORK | {"enterprise_user"},
    "enterprise_b": NETWORK | {"other_enterprise_user"},
}

NOTE_ACTION = "tests.scoping_note"
YEAR = 2024
BOOK = "fiscal_pool"
OVERRIDE_DAY = dt.date(2025, 3, 12)
CHECKED_REVENUE_FEN = {"a": 98_765_432_11, "b": 98_765_432_22, "c": 98_765_432_33}


def _validate_note(payload: dict, user: object) -> dict:
    note = str(payload.get("note", "")).strip()
    if not note:
        raise ValidationError({"note": "A note is required."})
    return {"note": note}


def _register_note_action() -> None:
    """A harmless action every non-auditor role may propose and decide within its organisation,
    so that every organisation has proposals in the queue."""
    if approvals.get_action(NOTE_ACTION) is not None:
        return
    makers = [r for r in Role.values if r != Role.AUDITOR]
    approvals.register_action(
        NOTE_ACTION,
        label="Record a note (scoping test)",
        maker_roles=makers,
        checker_roles=makers,
        validate=_validate_note,
        execute=lambda payload, proposal: {"noted": payload["note"]},
        target=lambda p: f"note:{p['note']}",
        summarise=lambda p: f"Note {p['note']}",
    )


_register_note_action()


@dataclass
class Obj:
    """One row of a world: what addresses it, the strings it shows and who may see them."""

    key: str
    row: Any
    markers: tuple[str, ...]
    readers: frozenset[str]
    writers: frozenset[str] = frozenset()
    enterprise: str | None = None  # key of the enterprise a related row belongs to
    shows: tuple[str, ...] = ()  # markers its own detail page must show (default: the first)
    ref: Any = None  # what URLs address it by, when not its primary key
    owner: str | None = None  # the role that made it (a proposal's maker, a token's holder)
    # Who finds the row itself in lists and answers (its scope rule), when that is narrower than
    # who may read its markers somewhere (a bank's name in the grant form's choices).
    listed_for: frozenset[str] | None = None

    @property
    def pk(self) -> Any:
        return self.ref if self.ref is not None else self.row.pk

    def missing_from(self, body: str) -> str | None:
        """What a page showing this object lacks: every `shows` string, else any marker."""
        if self.shows:
            return next((s for s in self.shows if s not in body), None)
        if self.markers and not any(m in body for m in self.markers):
            return self.markers[0]
        return None

    def listed(self, role: str) -> bool:
        return role in (self.readers if self.listed_for is None else self.listed_for)


@dataclass
class World:
    orgs: dict[str, Organisation]
    users: dict[str, User]
    tokens: dict[str, str]  # role -> bearer token
    objects: dict[str, Obj] = field(default_factory=dict)

    def add(self, obj: Obj) -> Obj:
        assert obj.key not in self.objects, obj.key
        self.objects[obj.key] = obj
        return obj

    def kind(self, prefix: str) -> list[Obj]:
        """The objects whose key starts with `prefix` ("ent_", "cert_", "prop_", ...)."""
        return [o for k, o in self.objects.items() if k.startswith(prefix)]

    def forbidden(self, role: str, *, audit_trail: bool = False) -> list[tuple[str, str]]:
        """(object key, marker) pairs that `role` may not see. On the audit trail the auditor
        reads everything it recorded (mission.md §2: auditors read everything)."""
        out: list[tuple[str, str]] = []
        for obj in self.objects.values():
            readers = obj.readers | {"auditor"} if audit_trail else obj.readers
            if role not in readers:
                out.extend((obj.key, m) for m in obj.markers)
        return out

    def leaks(
        self, role: str, body: str, *, audit_trail: bool = False, supplied: Iterable[str] = ()
    ) -> list[str]:
        """The markers in `body` that `role` may not see, unless the request carried them (an
        answer repeating what the asker sent shows them nothing new)."""
        sent = list(supplied)
        return [
            f"shows {marker!r} of {key}"
            for key, marker in self.forbidden(role, audit_trail=audit_trail)
            if marker in body and not any(marker in s for s in sent)
        ]


def _profile(seed: int, world: str) -> dict[str, Any]:
    w = world.upper()
    return {
        "uscc": make_uscc(7_310_000 + seed),
        "name": f"MK-ENT-{w}-NAME~ Technology",
        "registration_date": dt.date(2019, 4, 1),
        "industry_code": "I65",
        "growth_stage": "startup",
        "strategic_emerging": True,
        "strategic_category": "next_gen_it",
        "district": f"MK-ENT-{w}-DISTRICT~",
        "address": f"MK-ENT-{w}-ADDR~",
        "legal_representative": f"MK-REP-{w}~",
    }


def build() -> World:
    """Create both worlds (and C) through the services; returns the objects with their readers."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        admin = User.objects.create_superuser("w_platform_admin", password=PASSWORD)
        orgs = {
            key: accounts.create_organisation(name=name, type=type_, by=admin)
            for key, (name, type_) in ORGANISATIONS.items()
        }
        users = {
            role: accounts.create_user(
                username=username, password=PASSWORD, organisation=orgs[org], role=r, by=admin
            )
            for role, (username, r, org) in ROLES.items()
        }
    tokens: dict[str, str] = {}
    world = World(orgs=orgs, users=users, tokens=tokens)
    for key, readers in ORG_READERS.items():
        members = {role for role, (_u, _r, org) in ROLES.items() if org == key}
        world.add(
            Obj(f"org_{key}", orgs[key], (orgs[key].name,), readers, listed_for=NETWORK | members)
        )
    for role, user in users.items():
        row, tokens[role] = accounts.create_api_token(
            user=user, name=f"MK-TOKEN-{role}~", days=30, by=user
        )
        world.add(
            Obj(f"token_{role}", row, (row.name,), frozenset({role}), frozenset({role}), owner=role)
        )
    _registry(world)
    _proposals(world)
    _jobs(world)
    _zone_books(world, admin)
    programmes.build(world)
    return world


def _registry(world: World) -> None:
    u, orgs, zone = world.users, world.orgs, world.users["zone_officer"]
    today = timezone.localdate()
    firms = {
        "a": (
            "enterprise_a",
            "enterprise_user",
            ["bank_officer", "guarantor_officer"],
            "service_agent",
        ),
        "b": (
            "enterprise_b",
            "other_enterprise_user",
            ["other_bank_officer", "other_guarantor_officer"],
            "other_service_agent",
        ),
        "c": (None, None, [], None),
    }
    for seed, (w, (login, own_user, partners, agent)) in enumerate(firms.items(), start=1):
        e = registry.create_enterprise(actor=zone, data=_profile(seed, w))
        if login:
            registry.link_organisation(
                actor=zone, enterprise_id=e.pk, organisation_id=orgs[login].pk
            )
        own = frozenset({own_user}) if own_user else frozenset()
        readers = NETWORK | own | set(partners) | ({agent} if agent else set())
        writers = frozenset({"zone_officer"}) | own
        e.refresh_from_db()
        W = w.upper()
        world.add(Obj(f"ent_{w}", e, (e.name, e.uscc, e.address, e.district), readers, writers))
        # The legal representative's name is personal data: zone staff and the firm itself only.
        world.add(Obj(f"rep_{w}", e, (e.legal_representative,), ZONE | own, writers, f"ent_{w}"))
        cert = registry.save_certification(
            actor=zone,
            enterprise_id=e.pk,
            kind="tech_sme",
            certificate_number=f"MK-CERT-{W}~",
            valid_from=dt.date(2024, 1, 1),
            valid_to=today + dt.timedelta(days=400),
        )
        world.add(Obj(f"cert_{w}", cert, (f"MK-CERT-{W}~",), readers, writers, f"ent_{w}"))
        revenue = CHECKED_REVENUE_FEN[w]
        registry.save_year_figures(
            actor=zone,
            enterprise_id=e.pk,
            year=YEAR,
            figures={
                "financial": {"revenue_fen": revenue, "rd_expense_fen": 1_234_500},
                "headcount": {"total": 40, "tech_staff": 20, "rd_staff": 10},
                "ip": {"invention_patents": 3, "software_copyrights": 5},
                "team": {"founders_max_industry_years": 12},
            },
        )
        fy = e.financial_years.get(year=YEAR)
        shown = (f"{revenue // 100:,}.{revenue % 100:02d}", f"{revenue // 100}.{revenue % 100:02d}")
        world.add(
            Obj(f"fy_{w}", fy, (*shown, str(revenue)), readers, writers, f"ent_{w}", ref=fy.year)
        )
        for partner in partners:
            assert own_user is not None  # only a firm with its own login shares its data
            grant = registry.grant_access(
                actor=u[own_user],
                enterprise_id=e.pk,
                organisation_id=orgs[ROLES[partner][2]].pk,
                purpose=f"MK-GRANT-{W}-{partner}~",
            )
            world.add(
                Obj(
                    f"grant_{w}_{partner}",
                    grant,
                    (grant.purpose,),
                    NETWORK | own | {partner},
                    writers,
                    f"ent_{w}",
                )
            )
        if agent:
            a = registry.assign_agent(
                actor=zone,
                enterprise_id=e.pk,
                agent_id=u[agent].pk,
                since=today - dt.timedelta(days=10),
            )
            world.add(
                Obj(
                    f"assign_{w}",
                    a,
                    (),
                    NETWORK | own | {agent},
                    frozenset({"zone_officer"}),
                    f"ent_{w}",
                )
            )
    c = world.objects["ent_c"].row
    revoked = registry.grant_access(
        actor=zone,
        enterprise_id=c.pk,
        organisation_id=orgs["bank_a"].pk,
        purpose="MK-GRANT-C-REVOKED~",
    )
    registry.revoke_access(actor=zone, grant_id=revoked.pk)
    # A revoked grant stays the bank's consent record; its enterprise is no longer theirs.
    world.add(
        Obj(
            "grant_c_revoked",
            revoked,
            (revoked.purpose,),
            NETWORK | {"bank_officer"},
            frozenset(),
            "ent_c",
        )
    )
    ended = registry.assign_agent(
        actor=zone,
        enterprise_id=c.pk,
        agent_id=u["service_agent"].pk,
        since=today - dt.timedelta(days=30),
        until=today - dt.timedelta(days=1),
    )
    world.add(
        Obj(
            "assign_c_ended",
            ended,
            (),
            NETWORK | {"service_agent"},
            frozenset({"zone_officer"}),
            "ent_c",
        )
    )
    # Assigned to A from next week: the agent does not see A yet (and the assignment cannot be
    # ended before it starts, so no one can change it through the "end" button).
    future = registry.assign_agent(
        actor=zone,
        enterprise_id=world.objects["ent_a"].pk,
        agent_id=u["other_service_agent"].pk,
        since=today + dt.timedelta(days=5),
    )
    world.add(
        Obj(
            "assign_a_future",
            future,
            (),
            NETWORK | {"enterprise_user", "other_service_agent"},
            frozenset(),
            "ent_a",
        )
    )
    created_b = AuditEntry.objects.get(
        action="enterprise.create", object_id=str(world.objects["ent_b"].pk)
    )
    world.add(Obj("audit_b", created_b, (), AUDIT_READERS, shows=("MK-ENT-B-NAME~",)))


# Who proposes, in which organisation; the readers are that organisation's people and auditors.
PROPOSERS = {
    "prop_zone": ("zone_officer", ZONE),
    "prop_bank_a": ("bank_officer", {"bank_officer"}),
    "prop_bank_b": ("other_bank_officer", {"other_bank_officer"}),
    "prop_guar_b": ("other_guarantor_officer", {"other_guarantor_officer"}),
    "prop_ent_a": ("enterprise_user", {"enterprise_user"}),
    "prop_ent_b": ("other_enterprise_user", {"other_enterprise_user"}),
    "prop_service": ("service_agent", {"service_agent", "other_service_agent"}),
}


def _proposals(world: World) -> None:
    for key, (role, org_people) in PROPOSERS.items():
        note = f"MK-{key.upper().replace('_', '-')}~"
        reason = f"MK-{key.upper().replace('_', '-')}-REASON~"
        p = proposals.propose(
            action=NOTE_ACTION, payload={"note": note}, reason=reason, by=world.users[role]
        )
        world.add(
            Obj(
                key,
                p,
                (note, reason),
                frozenset(org_people) | {"auditor"},
                frozenset(org_people),
                owner=role,
            )
        )


# Who starts a background job (an import, left waiting: the world's on_commit never comes); its
# readers are its owner, the owner's zone colleagues, and auditors (core/scopes.py).
JOB_OWNERS = {
    "job_zone": ("zone_officer", ZONE),
    "job_ent_a": ("enterprise_user", {"enterprise_user"}),
    "job_ent_b": ("other_enterprise_user", {"other_enterprise_user"}),
}


def _jobs(world: World) -> None:
    for key, (role, readers) in JOB_OWNERS.items():
        name = f"MK-{key.upper().replace('_', '-')}~.xlsx"
        job = imports.start_import(actor=world.users[role], data=b"not a workbook", file_name=name)
        world.add(
            Obj(key, job, (name,), frozenset(readers) | {"auditor"}, frozenset({role}), owner=role)
        )


def _zone_books(world: World, admin: User) -> None:
    entry = post_entry(
        book=BOOK,
        date=timezone.localdate(),
        memo="MK-LEDGER-FUND~",
        idempotency_key="scoping-world-funding",
        actor=world.users["zone_officer"],
        postings=[
            debit("fiscal_pool.cash", 5_000_000_00),
            credit("fiscal_pool.contributions", 5_000_000_00),
        ],
    )
    world.add(Obj("ledger_entry", entry, ("MK-LEDGER-FUND~",), LEDGER_READERS))
    cash = Account.objects.get(code="fiscal_pool.cash")
    world.add(
        Obj("ledger_account", cash, (), LEDGER_READERS, shows=("MK-LEDGER-FUND~",), ref=cash.code)
    )
    override = calendar.set_override(
        actor=admin,
        date=OVERRIDE_DAY,
        is_working_day=False,
        name="MK-POLICY-NAME~",
        reference="MK-POLICY-REF~",
    )
    # Policy and the working-day calendar are public to every participant.
    world.add(Obj("override", override, ("MK-POLICY-REF~",), ALL))
    calendar.set_override(
        actor=admin, date=dt.date(2190, 1, 1), is_working_day=False, reference="scoping test"
    )
    year = calendar.declare_year_covered(actor=admin, year=2190, reference="MK-POLICY-YEAR~")
    world.add(Obj("calendar_year", year, ("MK-POLICY-YEAR~",), ALL))
    name = policy.parameters_on(dt.date(2025, 6, 30)).in_force[0].name
    world.add(Obj("parameter", None, (), ALL, shows=(name,), ref=name))
    world.add(Obj("book", None, (), LEDGER_READERS, shows=("fiscal_pool.cash",), ref=BOOK))
