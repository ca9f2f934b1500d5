import pytest
from django.utils import translation
from tests.integration.enterprises.builders import build_firms


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def firms(users, orgs):
    return build_firms(users, orgs)
