"""The matched-credit fixtures of the integration tests (a firm with invest-first money, a
second officer of bank A)."""

from tests.integration.matching.conftest import bare_firm, checker, firm  # noqa: F401
