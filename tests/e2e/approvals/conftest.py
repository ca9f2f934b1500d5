import pytest
from django.test import Client
from tests.integration.approvals import actions


@pytest.fixture(autouse=True)
def _fresh_execution_log():
    actions.EXECUTED.clear()


@pytest.fixture
def as_user():
    """A logged-in, English-reading browser that is held to CSRF, for a given user."""

    def browser(user):
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return browser
