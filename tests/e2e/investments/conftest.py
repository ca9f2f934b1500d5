"""Fixtures of the invest-first tests: the firm, and uploads kept out of the real media folder."""

import pytest
from tests.integration.investments.builders import make_firm


@pytest.fixture
def firm(users, orgs):
    return make_firm(users, orgs)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
