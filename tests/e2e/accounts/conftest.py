import pytest
from django.test import Client


@pytest.fixture
def web():
    """A browser-like client that reads English and is held to CSRF like a real browser."""
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


def post_form(client, url, data, *, page=None):
    """GET the page (`url` or the `page` holding the form) for its CSRF token, then POST the
    form with it, as a browser does."""
    client.get(page or url)
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
