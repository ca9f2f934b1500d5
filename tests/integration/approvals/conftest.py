import pytest
from tests.integration.approvals import actions


@pytest.fixture(autouse=True)
def _fresh_execution_log():
    actions.EXECUTED.clear()
