import pytest
from tests.integration.enterprises.builders import build_firms
from tests.integration.evaluation.builders import rich_figures


@pytest.fixture
def firms(users, orgs):
    built = build_firms(users, orgs)
    rich_figures(users["zone_officer"], built["a"].pk)
    return built
