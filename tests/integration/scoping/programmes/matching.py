"""The scoping walk's part for the matching app (see __init__.py).

Enterprises A and B, paid invest-first money by the investments walk, each have four
matched-credit files (a fifth of the limit each) at their own bank — A at bank A, B at bank B:
submitted, under review (with an uploaded document), paused awaiting documents, and approved
(by a second officer of the bank). Each file's purpose, the zone's diligence summary, the pause's
requested documents and the document are markers; their readers are the zone, auditors, the
file's bank and the firm. A bank A officer must never see anything of B's files, and the other
way round. Enterprise C has no investment: no one can apply for it.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from tests.integration.scoping.pages import Page, Post, nobody, readers
from tests.integration.scoping.world import ENTERPRISE_USERS, NETWORK, Obj, World
from tests.support import make_user

from patientcap.accounts.models import Role, User
from patientcap.approvals import services as proposals
from patientcap.core.clock import today
from patientcap.matching import services
from patientcap.policy import services as calendar_admin
from patientcap.policy.calendar import working_calendar

MIN_FILE_FEN = 1_000_000  # ¥10,000: what the walk's applications ask for
# world -> (bank organisation, bank officer role, enterprise user role)
SIDES = {
    "a": ("bank_a", "bank_officer", "enterprise_user"),
    "b": ("bank_b", "other_bank_officer", "other_enterprise_user"),
}
QUEUE_READERS = NETWORK | {"bank_officer", "other_bank_officer"}
KINDS = ("sub", "rev", "pau", "app")
# file key -> the keys of its rows that its page must show besides itself
RELATED: dict[str, list[str]] = {}


def marker(w: str, what: str) -> str:
    return f"MK-MC-{w.upper()}-{what}~"


def _cover_next_year(day: dt.date) -> None:
    """Files dated today get deadlines up to a few weeks ahead: near the year's end the next
    year must be covered; declare it (with its New Year holiday) if the package does not."""
    if working_calendar().is_covered(day.year + 1):
        return
    admin = User.objects.get(username="w_platform_admin")
    new_year = dt.date(day.year + 1, 1, 1)
    calendar_admin.set_override(
        actor=admin, date=new_year, is_working_day=False, name="元旦", reference="scoping test"
    )
    calendar_admin.declare_year_covered(actor=admin, year=new_year.year, reference="scoping")


def build(world: World) -> None:
    """Everything dated today, as the investments walk's payments are."""
    zone, day = world.users["zone_officer"], today()
    _cover_next_year(day)
    for w, (bank, bank_role, ent_role) in SIDES.items():
        ent = world.objects[f"ent_{w}"]
        limit, _ = services.limit_for(ent.pk, day)
        assert limit.total_fen >= 5 * MIN_FILE_FEN, "the investments walk pays A and B"
        each = limit.total_fen // 5  # four files, a fifth left for the walk's applications
        checker = make_user(f"w_{bank}_checker", Role.BANK_OFFICER, world.orgs[bank])
        file_readers = NETWORK | {bank_role, ent_role}
        writers = frozenset({"zone_officer", bank_role, ent_role})
        for kind in KINDS:
            app = services.apply(
                actor=world.users[ent_role],
                enterprise_id=ent.pk,
                bank_id=world.orgs[bank].pk,
                amount_fen=each,
                purpose=marker(w, kind.upper()),
                on=day,
            )
            key = f"mc_{w}_{kind}"
            world.add(Obj(key, app, (app.purpose,), file_readers, writers, f"ent_{w}"))
            RELATED[key] = []
            if kind == "sub":
                continue
            services.complete_due_diligence(
                actor=zone, application_id=app.pk, summary=marker(w, "DD"), on=day
            )
            if kind == "rev":
                doc = services.upload_document(
                    actor=world.users[ent_role],
                    application_id=app.pk,
                    title=marker(w, "DOC"),
                    file_name="report.txt",
                    content=f"{marker(w, 'DOC')} audit report".encode(),
                    content_type="text/plain",
                )
                world.add(Obj(f"mcdoc_{w}", doc, (doc.title,), file_readers, ref=doc.pk))
                world.add(Obj(f"mcpkg_{w}", app.package, (marker(w, "DD"),), file_readers))
                RELATED[key] += [f"mcdoc_{w}", f"mcpkg_{w}"]
            if kind == "pau":
                pause = services.pause(
                    actor=world.users[bank_role],
                    application_id=app.pk,
                    documents=marker(w, "PAUSE"),
                    on=day,
                )
                world.add(Obj(f"mcpause_{w}", pause, (marker(w, "PAUSE"),), file_readers))
                RELATED[key].append(f"mcpause_{w}")
            if kind == "app":
                p = proposals.propose(
                    action="matching.decide",
                    payload={"application_id": app.pk, "decision": "approve",
                             "amount_fen": each, "on": str(day)},
                    reason="scoping", by=world.users[bank_role],
                )  # fmt: skip
                proposals.approve(proposal=p, by=checker)


# --- addresses ----------------------------------------------------------------------------------
def _files(world: World) -> Iterator[tuple[Obj, dict, bool]]:
    for obj in world.kind("mc_"):
        yield obj, {"pk": obj.pk}, False


def _documents(world: World) -> Iterator[tuple[Obj, dict, bool]]:
    for w in SIDES:
        doc = world.objects[f"mcdoc_{w}"]
        own = world.objects[f"mc_{w}_rev"]
        other = world.objects[f"mc_{'b' if w == 'a' else 'a'}_rev"]
        yield doc, {"pk": own.pk, "doc_id": doc.pk}, False
        yield doc, {"pk": other.pk, "doc_id": doc.pk}, True


ADDRESSES = {"matched credit file": _files, "matched credit document": _documents}


# --- who may do what ---------------------------------------------------------------------------
def side(subject: Obj | None) -> tuple[str, str, str]:
    assert subject is not None
    return SIDES[subject.key.split("_")[1]]


def bank_when(*kinds: str) -> Any:
    """The file's bank officer, when the file is in one of these states."""

    def roles(world: World, subject: Obj | None) -> frozenset[str]:
        assert subject is not None
        kind = subject.key.split("_")[2]
        return frozenset({side(subject)[1]}) if kind in kinds else frozenset()

    return roles


def zone_when_submitted(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None
    return frozenset({"zone_officer"}) if subject.key.endswith("_sub") else frozenset()


def file_writers(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None
    return subject.writers


def applicants(world: World, target: Obj | None) -> frozenset[str]:
    """Who may apply for the target enterprise: the zone officer and the firm's own user, while
    it has a qualifying investment and limit left."""
    assert target is not None
    limit, _ = services.limit_for(target.pk, today())
    if limit.total_fen - services.used_fen(target.pk) < MIN_FILE_FEN:
        return frozenset()
    own = {r for w, (_b, _r, r) in SIDES.items() if f"ent_{w}" == target.key}
    return frozenset({"zone_officer", *own})


def apply_form(world: World, target: Obj | None) -> dict[str, Any]:
    assert target is not None
    bank = "bank_b" if target.key == "ent_b" else "bank_a"
    return {"enterprise": str(target.pk), "bank": str(world.orgs[bank].pk), "amount": "1万"}


def upload_form(world: World, subject: Obj | None) -> dict[str, Any]:
    return {"title": "scoping", "file": SimpleUploadedFile("scoping.txt", b"scoping document")}


def file_and_rows(world: World, subject: Obj | None) -> list[Obj]:
    assert subject is not None
    return [subject, *(world.objects[k] for k in RELATED.get(subject.key, []))]


def all_files(world: World, subject: Obj | None) -> list[Obj]:
    return world.kind("mc_")


PAGES = {
    "matching:queue": Page(None, lambda w, s: QUEUE_READERS, shows=all_files),
    "matching:applications": Page(
        None,
        lambda w, s: QUEUE_READERS | ENTERPRISE_USERS,
        shows=all_files,
        queries=("", "?status=under_review", "?status=bogus&bank=x"),
    ),
    "matching:apply": Page(
        None,
        lambda w, s: ENTERPRISE_USERS | {"zone_officer"},
        posts=(Post("apply", apply_form, applicants, targets="ent_"),),
    ),
    "matching:detail": Page("matched credit file", readers, shows=file_and_rows),
    "matching:complete_dd": Page(
        "matched credit file",
        nobody,
        posts=(Post("complete due diligence", lambda w, s: {"summary": "s"}, zone_when_submitted),),
    ),
    "matching:pause": Page(
        "matched credit file",
        nobody,
        posts=(Post("pause", lambda w, s: {"documents": "scoping"}, bank_when("rev")),),
    ),
    "matching:resume": Page(
        "matched credit file",
        nobody,
        posts=(Post("resume", lambda w, s: {"note": "s"}, bank_when("pau")),),
    ),
    "matching:decide": Page(
        "matched credit file",
        nobody,
        posts=(
            Post(
                "propose a decision",
                lambda w, s: {"decision": "approve", "amount": "1万", "note": "scoping"},
                bank_when("rev"),
                "own",
            ),
        ),
    ),
    "matching:disburse": Page(
        "matched credit file",
        nobody,
        posts=(
            Post("propose a disbursement", lambda w, s: {"amount": "1万"}, bank_when("app"), "own"),
        ),
    ),
    "matching:upload": Page(
        "matched credit file",
        nobody,
        posts=(Post("upload a document", upload_form, file_writers),),
    ),
    "matching:document": Page("matched credit document", readers),
    "matching:sla": Page(None, lambda w, s: QUEUE_READERS),
    "matching:sla_export": Page(None, lambda w, s: QUEUE_READERS),
}
