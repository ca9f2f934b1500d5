"""The scoping walk's part for the valuations app (see __init__.py).

Each enterprise of the worlds gets a valuation whose rationale is its marker; A's and B's are state
money re-listed below 90% of the assessed value: A's written approval is recorded (its document
is a marker), B's awaits one that only the zone officer may propose. Readers follow the
enterprise; only the zone officer values.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from tests.integration.scoping.pages import Page, Post, nobody, only, readers
from tests.integration.scoping.world import ALL, Obj, World
from tests.integration.valuations.builders import GROWTH_INPUTS, SEED_INPUTS

from patientcap.approvals import services as proposals
from patientcap.valuations import services
from patientcap.valuations.models import WrittenApproval

ZONE_OFFICER = frozenset({"zone_officer"})


def build(world: World) -> None:
    zone = world.users["zone_officer"]
    for w in ("a", "b", "c"):
        ent = world.objects[f"ent_{w}"]
        state = (
            {
                "proposed_price": "2000万",
                "state_money": True,
                "assessed_value": "2800万",
                "assessment_date": "2025-03-01",
                "relisted": True,
            }
            if w in "ab"
            else {}
        )
        row = services.save_valuation(
            actor=zone,
            enterprise_id=ent.pk,
            valued_on=dt.date(2025, 6, 30),
            stage="growth",
            purpose="investment",
            inputs=GROWTH_INPUTS,
            rationale=f"MK-VAL-{w.upper()}~",
            chosen="3000万",
            **state,
        )
        world.add(Obj(f"val_{w}", row, (row.rationale,), ent.readers, ZONE_OFFICER, f"ent_{w}"))
    # A's written approval is recorded (zone officer proposes, reviewer approves); B's awaits.
    a = world.objects["val_a"]
    proposal = proposals.propose(
        action="valuations.written_approval",
        payload={"valuation_id": a.pk, "reference": "MK-VALAPP-A~", "approved_on": "2025-07-01"},
        reason="scoping",
        by=zone,
    )
    proposals.approve(proposal=proposal, by=world.users["reviewer"])
    approval = WrittenApproval.objects.get(valuation_id=a.pk)
    world.add(Obj("valapp_a", approval, (approval.reference,), a.readers, frozenset(), "ent_a"))


def _valuation(world: World) -> Iterator[tuple[Obj, dict, bool]]:
    for obj in world.kind("val_"):
        yield obj, {"pk": obj.pk}, False


def _enterprise(world: World) -> Iterator[tuple[Obj, dict, bool]]:
    for obj in world.kind("ent_"):
        yield obj, {"enterprise_id": obj.pk}, False


ADDRESSES = {"valuation": _valuation, "valuation enterprise": _enterprise}


def seed_form(world: World, subject: Obj | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "stage": "seed",
        "valued_on": "2025-06-30",
        "purpose": "investment",
        "rationale": "scoping",
        "use.scorecard": "1",
        "scorecard.median_pre_money": "2000万",
    }
    for k, r in SEED_INPUTS["scorecard"]["ratios"].items():
        data[f"scorecard.ratios.{k}"] = r
    return data


def _valuations_of(world: World, subject: Obj | None) -> list[Obj]:
    assert subject is not None
    return [o for o in world.kind("val_") if o.enterprise == subject.key]


def _awaiting_approval(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None
    return ZONE_OFFICER if subject.row.needs_written_approval else frozenset()


def approval_form(world: World, subject: Obj | None) -> dict[str, Any]:
    return {"reference": "scoping 文号", "approved_on": "2025-07-01", "reason": "scoping"}


PAGES = {
    "valuations:index": Page(None, lambda w, s: ALL),
    "valuations:enterprise": Page("valuation enterprise", readers, shows=_valuations_of),
    "valuations:workbench": Page(
        "valuation enterprise",
        only("zone_officer"),
        shows=lambda w, s: [],
        posts=(Post("save a valuation", seed_form, only("zone_officer")),),
    ),
    "valuations:compute": Page(
        "valuation enterprise",
        nobody,
        shows=lambda w, s: [],
        posts=(Post("compute", seed_form, nobody),),
    ),
    "valuations:detail": Page("valuation", readers),
    "valuations:propose_approval": Page(
        "valuation",
        nobody,
        posts=(Post("propose the written approval", approval_form, _awaiting_approval, "own"),),
    ),
}


DIRECT_READS = {
    (
        "valuations/selectors.py",
        "latest_valuation",
        "Valuation.objects",
    ): "the invest-first seam (unrealised value); its callers have already scoped the enterprise",
}
