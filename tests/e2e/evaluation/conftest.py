import pytest
from django.utils import translation
from tests.integration.enterprises.builders import build_firms
from tests.integration.evaluation.builders import AS_OF, rich_figures

from patientcap.evaluation import services


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def firms(users, orgs):
    built = build_firms(users, orgs)
    rich_figures(users["zone_officer"], built["a"].pk)
    return built


@pytest.fixture
def evaluations(firms, users):
    """The tech card for firms A and B, the SME evaluation for A."""
    zone = users["zone_officer"]
    out = {}
    for key in ("a", "b"):
        out[key] = services.evaluate_enterprise(
            actor=zone, enterprise_id=firms[key].pk, ruleset_id="tech-credit-card", as_of=AS_OF
        )
    out["a_sme"] = services.evaluate_enterprise(
        actor=zone, enterprise_id=firms["a"].pk, ruleset_id="tech-sme-evaluation", as_of=AS_OF
    )
    return out
