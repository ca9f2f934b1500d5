"""The world is built once per module, inside a transaction that is rolled back at the module's
end (as Django's TestCase.setUpTestData does); each test runs in a savepoint inside it."""

import sys

import pytest
from django.db import transaction
from tests.integration.scoping import world as worlds


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = worlds.build()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
