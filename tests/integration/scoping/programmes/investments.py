"""The scoping walk's part for the investments app (see __init__.py).

Enterprises A and B each have an invest-first project under review (title and the reviewer's
opinion are markers) and one being paid (title, its overdue milestone, the firm's evidence note
and file, a diligence review): their readers are the zone, auditors and the firm itself — never
a bank, guarantor or service agent, whatever the firm shared with them. A firm D without a login
(so that the equity walk keeps A, B and C's cap tables to itself) has a project converted and
then sold, and one written off: zone staff and auditors only. Everything is dated today (the
world's pool is funded today, and money may leave it only on or after its latest entry), and
the money steps call the services directly, as their approved actions do: the walk's approval
queue and ledger lists stay those of the world.
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from tests.integration.scoping.pages import Page, Post, all_of, nobody, only, readers, writers
from tests.integration.scoping.world import ENTERPRISE_USERS, NETWORK, Obj, World

from patientcap.core.clock import today
from patientcap.domain.uscc import make_uscc
from patientcap.enterprises import services as registry
from patientcap.equity import services as equity
from patientcap.investments import services
from patientcap.investments.models import Project

SIDES = {"a": "enterprise_user", "b": "other_enterprise_user"}
# The bank that holds the firm's matched-credit files (matching walk) is shown the zone's
# diligence package, which names the firm's projects: it reads their titles there, never here.
BANKS = {"a": "bank_officer", "b": "other_bank_officer"}
ZONE = frozenset({"zone_officer", "reviewer"})
PROGRAMME_READERS = NETWORK | ENTERPRISE_USERS


def marker(w: str, what: str) -> str:
    return f"MK-IF-{w.upper()}-{what}~"


def _project(world: World, enterprise_id: int, title: str, actor: Any, day: dt.date) -> Project:
    project = services.apply(
        enterprise_id=enterprise_id,
        title=title,
        plan="scoping plan",
        requested_fen=20_000_000,
        on=day - dt.timedelta(days=120),
        actor=actor,
    )
    return project


def _paid(world: World, project: Project, day: dt.date, milestone: str, **terms: Any) -> None:
    """Reviewed, approved, signed (two tranches, one milestone overdue) and the first tranche
    paid today."""
    reviewer, zone = world.users["reviewer"], world.users["zone_officer"]
    services.add_review(
        project_id=project.pk,
        score=Decimal(80),
        opinion="scoping review",
        on=day - dt.timedelta(days=110),
        actor=reviewer,
    )
    services.record_decision(
        project_id=project.pk, approved=True, amount_fen=20_000_000,
        on=day - dt.timedelta(days=100), comment="", made_by=zone, actor=reviewer,
    )  # fmt: skip
    services.sign_agreement(
        project_id=project.pk,
        signed_on=day - dt.timedelta(days=90),
        amount_fen=20_000_000,
        variant="B",
        agreed_valuation_fen=200_000_000,
        conversion_deadline=day + dt.timedelta(days=700),
        tranches=[
            (day - dt.timedelta(days=80), 10_000_000),
            (day + dt.timedelta(days=200), 10_000_000),
        ],
        milestones=[
            {
                "what": milestone,
                "measure": "units",
                "target": "3",
                "due": day - dt.timedelta(days=10),
                "evidence_required": "report",
            }
        ],
        buyback_rate=Decimal("0.035"),
        buyback_floor_fen=10_000_000,
        buyback_cap_fen=40_000_000,
        actor=zone,
        **terms,
    )
    first = project.agreement.tranches.get(number=1)
    services.disburse(tranche_id=first.pk, on=day, actor=reviewer)


def build(world: World) -> None:
    reviewer, day = world.users["reviewer"], today()
    for w, firm_role in SIDES.items():
        ent = world.objects[f"ent_{w}"]
        firm = world.users[firm_role]
        seen = NETWORK | {firm_role}
        changed = ZONE | {firm_role}
        rev = _project(world, ent.pk, marker(w, "REV"), firm, day)
        services.add_review(
            project_id=rev.pk,
            score=Decimal(75),
            opinion=marker(w, "OPINION"),
            on=day,
            actor=reviewer,
        )
        titled = seen | {BANKS[w]}
        world.add(
            Obj(f"ifp_{w}_rev", rev, (rev.title,), titled, changed, f"ent_{w}", listed_for=seen)
        )
        world.add(Obj(f"ifrv_{w}", rev, (marker(w, "OPINION"),), seen, frozenset(), f"ent_{w}"))
        dis = _project(world, ent.pk, marker(w, "DIS"), firm, day)
        _paid(world, dis, day, marker(w, "MS"))
        world.add(
            Obj(f"ifp_{w}_dis", dis, (dis.title,), titled, changed, f"ent_{w}", listed_for=seen)
        )
        for t in dis.agreement.tranches.all():
            world.add(Obj(f"iftr_{w}_{t.number}", t, (), seen, changed, f"ent_{w}"))
        milestone = dis.agreement.milestones.get()
        world.add(Obj(f"ifm_{w}", milestone, (milestone.what,), seen, changed, f"ent_{w}"))
        evidence = services.submit_evidence(
            milestone_id=milestone.pk,
            file=SimpleUploadedFile("report.txt", marker(w, "FILE").encode()),
            note=marker(w, "NOTE"),
            on=day,
            actor=firm,
        )
        world.add(
            Obj(
                f"ife_{w}",
                evidence,
                (marker(w, "FILE"), marker(w, "NOTE")),
                seen,
                frozenset(),
                f"ent_{w}",
            )
        )
        review = services.record_diligence(
            project_id=dis.pk, on=day, findings=marker(w, "DD"), actor=reviewer
        )
        world.add(Obj(f"ifdd_{w}", review, (review.findings,), seen, frozenset(), f"ent_{w}"))
    _firm_d(world, day)


def _firm_d(world: World, day: dt.date) -> None:
    """A firm without a login: a project converted and sold, and one written off."""
    zone, reviewer = world.users["zone_officer"], world.users["reviewer"]
    firm = registry.create_enterprise(
        actor=zone,
        data={
            "uscc": make_uscc(7_310_050),
            "name": "Scoping invest-first firm D",
            "registration_date": dt.date(2020, 5, 1),
            "industry_code": "C39",
            "growth_stage": "startup",
        },
    )
    equity.open_cap_table(
        enterprise_id=firm.pk,
        founders=[("Scoping founder D", 9_000_000)],
        on=day - dt.timedelta(days=365),
        actor=zone,
        source="scoping",
    )
    sold = _project(world, firm.pk, marker("d", "EXIT"), zone, day)
    _paid(world, sold, day, "scoping milestone D1")
    milestone = sold.agreement.milestones.get()
    services.submit_evidence(
        milestone_id=milestone.pk,
        file=SimpleUploadedFile("d1.txt", b"scoping"),
        note="",
        on=day,
        actor=zone,
    )
    services.give_verdict(milestone_id=milestone.pk, met=True, comment="", on=day, actor=reviewer)
    services.convert(project_id=sold.pk, on=day, actor=reviewer)
    services.exit_project(
        project_id=sold.pk, route="secondary_sale", on=day, proceeds_fen=15_000_000,
        buyer="scoping fund", actor=reviewer,
    )  # fmt: skip
    world.add(Obj("ifp_d_exit", sold, (sold.title,), NETWORK, ZONE))
    lost = _project(world, firm.pk, marker("d", "WO"), zone, day)
    _paid(world, lost, day, "scoping milestone D2")
    milestone = lost.agreement.milestones.get()
    services.submit_evidence(
        milestone_id=milestone.pk,
        file=SimpleUploadedFile("d2.txt", b"scoping"),
        note="",
        on=day,
        actor=zone,
    )
    services.give_verdict(milestone_id=milestone.pk, met=False, comment="", on=day, actor=reviewer)
    review = services.record_diligence(
        project_id=lost.pk, on=day, findings="scoping diligence", actor=reviewer
    )
    services.write_off(project_id=lost.pk, diligence_id=review.pk, on=day, actor=reviewer)
    world.add(Obj("ifp_d_wo", lost, (lost.title,), NETWORK, ZONE))


# --- addresses ----------------------------------------------------------------------------------
def _walk(prefix: str) -> Any:
    def walk(world: World) -> Iterator[tuple[Obj, dict, bool]]:
        for obj in world.kind(prefix):
            yield obj, {"pk": obj.pk}, False

    return walk


ADDRESSES = {
    "invest-first project": _walk("ifp_"),
    "invest-first tranche": _walk("iftr_"),
    "invest-first milestone": _walk("ifm_"),
    "invest-first evidence": _walk("ife_"),
}


# --- who may do what ---------------------------------------------------------------------------
def when(suffix: str, roles: frozenset[str]) -> Any:
    """`roles`, for the subjects whose key ends with `suffix` (the stage that allows the step)."""

    def allowed(world: World, subject: Obj | None) -> frozenset[str]:
        assert subject is not None
        return roles if subject.key.endswith(suffix) else frozenset()

    return allowed


def project_rows(world: World, subject: Obj | None) -> list[Obj]:
    """A project page shows the project and, for the one being paid, its milestone, evidence
    note and diligence review."""
    assert subject is not None
    w = subject.key.split("_")[1]
    if subject.key.endswith("_rev"):
        return [subject, world.objects[f"ifrv_{w}"]]
    if not subject.key.endswith("_dis"):
        return [subject]
    return [subject, world.objects[f"ifm_{w}"], world.objects[f"ifdd_{w}"]]


def project_readers(world: World, subject: Obj | None) -> frozenset[str]:
    """Who gets the project itself (its page, its API detail)."""
    assert subject is not None
    return subject.listed_for if subject.listed_for is not None else subject.readers


def funded(world: World, subject: Obj | None) -> list[Obj]:
    return [o for o in world.kind("ifp_") if not o.key.endswith("_rev")]


def live(world: World, subject: Obj | None) -> list[Obj]:
    return [o for o in world.kind("ifp_") if o.key.endswith(("_rev", "_dis"))]


def evidence_writers(world: World, subject: Obj | None) -> frozenset[str]:
    """The zone officer and the firm's own user upload evidence; reviewers only judge it."""
    assert subject is not None
    return subject.writers - {"reviewer"}


def application(world: World, target: Obj | None) -> dict[str, Any]:
    assert target is not None
    return {"enterprise": str(target.pk), "title": "scoping", "plan": "p", "requested": "10万"}


def _today(world: World, subject: Obj | None) -> str:
    return today().isoformat()


ZONE_OFFICER = frozenset({"zone_officer"})
PAGES = {
    "investments:pipeline": Page(None, lambda w, s: PROGRAMME_READERS, shows=all_of("ifp_")),
    "investments:apply": Page(
        None,
        lambda w, s: ENTERPRISE_USERS | ZONE_OFFICER,
        posts=(Post("apply", application, writers, targets="ent_"),),
    ),
    "investments:queue": Page(None, lambda w, s: NETWORK, shows=live),
    "investments:pool": Page(None, lambda w, s: NETWORK, shows=lambda w, s: []),
    "investments:metrics": Page(None, lambda w, s: NETWORK, shows=funded),
    "investments:losses": Page(None, lambda w, s: NETWORK, shows=lambda w, s: []),
    "investments:export": Page(None, lambda w, s: NETWORK, shows=funded),
    "investments:project": Page("invest-first project", project_readers, shows=project_rows),
    "investments:review": Page(
        "invest-first project",
        nobody,
        posts=(Post("review", lambda w, s: {"score": "80", "opinion": "s"}, when("_rev", ZONE)),),
    ),
    "investments:decide": Page(
        "invest-first project",
        nobody,
        posts=(
            Post(
                "propose the decision",
                lambda w, s: {
                    "approved": "1",
                    "amount": "10万",
                    "date": _today(w, s),
                    "comment": "",
                    "reason": "scoping",
                },
                when("_rev", ZONE_OFFICER),
                "own",
            ),
        ),
    ),
    "investments:agreement": Page(
        "invest-first project",
        only("zone_officer"),
        posts=(
            Post(
                "record the agreement",
                lambda w, s: {
                    "signed_on": _today(w, s),
                    "amount": "10万",
                    "tranches": f"{_today(w, s)} 10万",
                    "variant": "B",
                    "agreed_valuation": "100万",
                    "conversion_deadline": "2030-01-01",
                },
                nobody,
            ),
        ),
    ),
    "investments:convert": Page(
        "invest-first project",
        nobody,
        posts=(
            Post(
                "propose the conversion",
                lambda w, s: {
                    "date": _today(w, s),
                    "reason": "s",
                    "exit_route": "buyback",
                    "exit_horizon_years": "3",
                    "target_multiple": "1.2",
                },
                nobody,
            ),
        ),
    ),
    "investments:diligence": Page(
        "invest-first project",
        nobody,
        posts=(
            Post(
                "record a diligence review",
                lambda w, s: {"findings": "s", "duly_diligent": "on"},
                when("_dis", ZONE),
            ),
        ),
    ),
    "investments:write_off": Page(
        "invest-first project",
        nobody,
        posts=(
            Post(
                "propose the write-off",
                lambda w, s: {
                    "date": _today(w, s),
                    "reason": "s",
                    "diligence_id": str(w.objects[f"ifdd_{s.key.split('_')[1]}"].pk)
                    if s and s.key.endswith("_dis")
                    else "0",
                },
                nobody,
            ),
        ),
    ),
    "investments:exit": Page(
        "invest-first project",
        nobody,
        posts=(
            Post(
                "propose a buyback",
                lambda w, s: {"route": "buyback", "date": _today(w, s), "reason": "scoping"},
                when("_dis", ZONE_OFFICER),
                "own",
            ),
        ),
    ),
    "investments:disburse": Page(
        "invest-first tranche",
        nobody,
        posts=(
            Post(
                "propose paying the tranche",
                lambda w, s: {"date": _today(w, s), "reason": "scoping"},
                when("_2", ZONE_OFFICER),
                "own",
            ),
        ),
    ),
    "investments:evidence": Page(
        "invest-first milestone",
        nobody,
        posts=(
            Post(
                "upload evidence",
                lambda w, s: {"file": SimpleUploadedFile("e.txt", b"scoping"), "note": "s"},
                evidence_writers,
            ),
        ),
    ),
    "investments:verdict": Page(
        "invest-first milestone",
        nobody,
        posts=(Post("give the verdict", lambda w, s: {"met": "1", "comment": "s"}, only(*ZONE)),),
    ),
    "investments:evidence_file": Page("invest-first evidence", readers),
}


DIRECT_READS = {
    ("investments/selectors.py", "public_investment_fen", "Tranche.objects"): (
        "the matched-credit seam: one firm's invest-first total, for a firm its caller has "
        "already scoped"
    ),
    ("investments/selectors.py", "diligence_package", "Project.objects"): (
        "the package matched credit snapshots for the bank of a file its caller has already scoped"
    ),
}
