"""The API operations of the valuations app in the scoping walk (see __init__.py)."""

from typing import Any

from tests.integration.scoping.endpoints import Body, Operation
from tests.integration.scoping.pages import all_of, nobody, only, readers
from tests.integration.scoping.world import Obj, World
from tests.integration.valuations.builders import GROWTH_INPUTS


def _body(world: World, target: Obj | None) -> dict[str, Any]:
    assert target is not None
    return {
        "enterprise_id": target.pk,
        "valued_on": "2025-06-30",
        "stage": "growth",
        "inputs": GROWTH_INPUTS,
        "rationale": "scoping",
    }


OPERATIONS = {
    ("get", "/api/v1/valuations/"): Operation(
        None, shows=all_of("val_"), queries=("", "?all_versions=true&page_size=200")
    ),
    ("post", "/api/v1/valuations/"): Operation(
        None, bodies=(Body("value", _body, only("zone_officer"), targets="ent_"),)
    ),
    ("post", "/api/v1/valuations/compute"): Operation(
        None,
        bodies=(Body("compute", _body, nobody, targets="ent_", answered=only("zone_officer")),),
    ),
    ("get", "/api/v1/valuations/{valuation_id}"): Operation("valuation", readers),
}
