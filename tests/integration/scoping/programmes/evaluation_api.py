"""The API operations of the evaluation app in the scoping walk (see __init__.py)."""

from tests.integration.scoping.endpoints import Body, Operation
from tests.integration.scoping.pages import readers
from tests.integration.scoping.programmes.evaluation import CARD, zone_readers
from tests.integration.scoping.world import ZONE, Obj, World

BASE = "/api/v1/evaluation"


def _evaluations_of(world: World, subject: Obj | None) -> list[Obj]:
    assert subject is not None
    return [o for o in world.kind("evaluation_") if o.enterprise == subject.key]


OPERATIONS = {
    ("post", f"{BASE}/enterprises/{{pk}}/score"): Operation(
        "enterprise",
        bodies=(Body("score", lambda w, s: {"ruleset": CARD}, zone_readers, "enterprise"),),
    ),
    ("get", f"{BASE}/enterprises/{{pk}}/evaluations"): Operation(
        "enterprise", readers, shows=_evaluations_of
    ),
    ("get", f"{BASE}/evaluations/{{evaluation_id}}"): Operation("evaluation", readers),
    ("post", f"{BASE}/batches"): Operation(
        None,
        bodies=(
            Body(
                "score the registry",
                lambda w, s: {"ruleset": CARD},
                lambda w, s: ZONE,
                harmless="own jobs",
            ),
        ),
    ),
    ("get", f"{BASE}/batches/{{batch_id}}"): Operation("evaluation batch", readers),
    ("get", f"{BASE}/rulesets"): Operation(None),
}
