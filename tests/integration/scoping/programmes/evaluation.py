"""The scoping walk's part for the evaluation app (see __init__.py).

Each enterprise of the worlds is scored on the tech credit card (its evaluation shows the
firm's name, so its readers are the enterprise's); B's grade is overridden (zone officer
proposes, reviewer approves; the reason is a marker); the zone scores the whole registry on the
tech-SME evaluation in one batch (zone staff and auditors read batches); A objects to its
tech-SME evaluation (the reason is a marker). Zone staff score and answer objections, only the
zone officer overrides, only the firm itself objects.
"""

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from tests.integration.scoping.pages import Page, Post, everyone, nobody, only, readers
from tests.integration.scoping.world import NETWORK, ZONE, Obj, World

from patientcap.approvals import services as proposals
from patientcap.evaluation import services
from patientcap.evaluation.models import Evaluation, Override

CARD, SME = "tech-credit-card", "tech-sme-evaluation"


def build(world: World) -> None:
    zone, today = world.users["zone_officer"], timezone.localdate()
    for w in ("a", "b", "c"):
        ent = world.objects[f"ent_{w}"]
        row = services.evaluate_enterprise(
            actor=zone, enterprise_id=ent.pk, ruleset_id=CARD, as_of=today
        )
        world.add(Obj(f"evaluation_{w}", row, (ent.row.name,), ent.readers, ZONE, f"ent_{w}"))
    b = world.objects["evaluation_b"]
    proposal = services.override_evaluation(
        actor=zone, evaluation_id=b.pk, grade="A", reason="MK-EVAL-OVERRIDE-B~"
    )
    proposals.approve(proposal=proposal, by=world.users["reviewer"])  # type: ignore[arg-type]
    override = Override.objects.get(evaluation_id=b.pk)
    world.add(Obj("evaloverride_b", override, (override.reason,), b.readers, frozenset(), "ent_b"))
    run = services.score_registry(actor=zone, ruleset_id=SME, as_of=today, address="")
    world.add(
        Obj(
            "evalbatch",
            run,
            (),
            NETWORK,
            frozenset(),
            shows=(world.objects["ent_a"].row.name, world.objects["ent_c"].row.name),
        )
    )
    sme_a = Evaluation.objects.get(batch=run, enterprise_id=world.objects["ent_a"].pk)
    objection = services.raise_objection(
        actor=world.users["enterprise_user"],
        evaluation_id=sme_a.pk,
        reason="MK-OBJECTION-A~",
        evidence="MK-EVIDENCE-A~",
        received_on=today,
    )
    world.add(
        Obj(
            "objection_a",
            objection,
            (objection.reason, objection.evidence),
            world.objects["ent_a"].readers,
            ZONE,
            "ent_a",
        )
    )


def _by_pk(prefix: str) -> Any:
    def walk(world: World) -> Iterator[tuple[Obj, dict, bool]]:
        for obj in world.kind(prefix):
            yield obj, {"pk": obj.pk}, False

    return walk


ADDRESSES = {
    "evaluation": _by_pk("evaluation_"),
    "objection": _by_pk("objection_"),
    "evaluation batch": _by_pk("evalbatch"),
}


def zone_readers(world: World, subject: Obj | None) -> frozenset[str]:
    """Zone staff, when they may read the subject (they read every enterprise)."""
    assert subject is not None
    return ZONE & subject.readers


def the_firm(world: World, subject: Obj | None) -> frozenset[str]:
    """The evaluated firm's own users (its writers other than the zone officer)."""
    assert subject is not None and subject.enterprise is not None
    return world.objects[subject.enterprise].writers - {"zone_officer"}


def another_grade(world: World, subject: Obj | None) -> dict[str, Any]:
    assert subject is not None
    return {"grade": "D" if subject.row.grade != "D" else "C", "reason": "scoping override"}


def _own_evaluations(world: World, subject: Obj | None) -> list[Obj]:
    return world.kind("evaluation_")


PAGES = {
    "evaluation:index": Page(None, everyone, shows=_own_evaluations),
    "evaluation:enterprise": Page("enterprise", readers),
    "evaluation:score": Page(
        "enterprise",
        nobody,
        posts=(Post("score", lambda w, s: {"ruleset": CARD}, zone_readers, "enterprise"),),
    ),
    "evaluation:detail": Page("evaluation", readers),
    "evaluation:what_if": Page(
        "evaluation", readers, shows=lambda w, s: [], queries=("?invention_patents=0",)
    ),
    "evaluation:override": Page(
        "evaluation",
        nobody,
        posts=(Post("override", another_grade, only("zone_officer")),),
    ),
    "evaluation:object": Page(
        "evaluation",
        nobody,
        posts=(
            Post(
                "object",
                lambda w, s: {"reason": "scoping objection", "evidence": "scoping evidence"},
                the_firm,
                "enterprise",
            ),
        ),
    ),
    "evaluation:objections": Page(None, everyone, shows=lambda w, s: w.kind("objection_")),
    "evaluation:objection": Page("objection", readers),
    "evaluation:decide": Page(
        "objection",
        nobody,
        posts=(
            Post(
                "decide",
                lambda w, s: {"outcome": "upheld", "decision": "scoping answer"},
                zone_readers,
                "subject",
            ),
        ),
    ),
    "evaluation:rulesets": Page(None, everyone),
    "evaluation:batches": Page(
        None,
        lambda w, s: NETWORK,
        posts=(
            Post(
                "score the registry",
                lambda w, s: {"ruleset": CARD},
                lambda w, s: ZONE,
                harmless="own jobs",
            ),
        ),
    ),
    "evaluation:batch_download": Page("evaluation batch", readers),
    "evaluation:stability": Page(None, everyone),
}


DIRECT_READS = {
    ("evaluation/selectors.py", "latest_evaluation", "Evaluation.objects"): (
        "the seam for lending's loan tiers and matching's due-diligence package, called by their "
        "services for an enterprise the caller has already scoped"
    ),
}
