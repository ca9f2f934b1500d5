import pytest

from tests.integration.enterprises.builders import build_firms


@pytest.fixture
def firms(users, orgs):
    return build_firms(users, orgs)
